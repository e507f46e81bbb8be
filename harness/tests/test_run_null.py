"""End-to-end behaviour of `claimbench run` on the null workload: results, interleaving, verification,
and every way an implementation can misbehave (crash, hang, wrong answer, bad exit, runaway memory)."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from claimbench_testing import ROOT, bench

SCHEMA = json.loads((ROOT / "results" / "schema.json").read_text())


def validate(result: dict) -> None:
    data = {k: v for k, v in result.items() if k != "_path"}
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


def ok_samples(entry: dict) -> list[dict]:
    return [s for s in entry["samples"] if not s["warmup"] and s["status"] == "ok"]


def test_batch_cases_of_both_languages_are_verified_interleaved_and_valid(cb):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--impl", "python", "--case", "batch_empty",
                          "--case", "batch_compute", "--param", "work_units=20000")
    assert proc.returncode == 0, proc.stderr
    validate(result)
    for impl in ("cpp", "python"):
        for case in ("batch_empty", "batch_compute"):
            entry = bench(result, f"null/{case}/{impl}")
            assert entry["status"] == "ok", entry.get("error")
            assert len(ok_samples(entry)) >= 5
            stats = {s["metric"]: s for s in entry["statistics"]}
            assert stats["timed_ns"]["ci95_low"] <= stats["timed_ns"]["median"] <= stats["timed_ns"]["ci95_high"]
            assert stats["peak_rss_bytes"]["median"] > 100_000
    # Interleaving: within a case the session order alternates between the two implementations.
    cpp = bench(result, "null/batch_compute/cpp")
    py = bench(result, "null/batch_compute/python")
    order = sorted([(s["sequence"], "cpp") for s in cpp["samples"]] + [(s["sequence"], "py") for s in py["samples"]])
    names = [name for _, name in order]
    assert all(names[i] != names[i + 1] for i in range(0, len(names) - 1, 2)), names
    ratio = [c for c in result["claimbench"]["comparisons"]
             if c["case_name"] == "batch_compute" and c["metric"] == "timed_ns"][0]
    assert ratio["contender"] == "python" and ratio["ci95_low"] <= ratio["ratio"] <= ratio["ci95_high"]
    assert ratio["ratio"] > 1, "plain Python doing 64-bit arithmetic should be slower than C++"
    inverse = [c for c in result["claimbench"]["comparisons"]
               if c["case_name"] == "batch_compute" and c["metric"] == "timed_ns" and c["baseline"] == "python"][0]
    assert inverse["contender"] == "cpp" and inverse["ratio"] < 1, "every ordered pair is compared, for claims"
    assert "result:" in proc.stdout and "null/batch_compute/python" in proc.stdout


def test_echo_service_is_measured_with_latency_and_memory(cb):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--impl", "python", "--case", "echo_service",
                          "--param", "duration_s=1", "--param", "warmup_s=0", "--param", "rate_per_s=500")
    assert proc.returncode == 0, proc.stderr
    validate(result)
    for impl in ("cpp", "python"):
        entry = bench(result, f"null/echo_service/{impl}")
        assert entry["status"] == "ok", entry.get("error")
        names = {d["name"] for d in entry["latency"]}
        assert names == {"corrected", "uncorrected"}
        sample = ok_samples(entry)[0]["metrics"]
        assert sample["completed_requests"] > 300
        assert sample["idle_rss_bytes"] > 0 and sample["startup_ns"] > 0
        assert sample["latency_p99_ns"] >= sample["latency_p50_ns"] > 0
        assert entry["rss_timeline"], "RSS is sampled over the service's life"


@pytest.mark.parametrize(
    "fault, status, words",
    [
        ("crash", "failed", "signal 11"),
        ("wrong-answer", "invalid", "wrong answer"),
        ("exit-code", "failed", "status 3"),
    ],
)
def test_misbehaving_implementations_are_recorded_not_dropped(cb, fault, status, words):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--case", "batch_empty", "--param", f"fault={fault}")
    assert proc.returncode == 1, proc.stderr
    validate(result)
    entry = bench(result, "null/batch_empty/cpp")
    assert entry["status"] == status
    assert words in entry["error"], entry["error"]
    assert entry["samples"] and entry["samples"][-1]["status"] == status
    assert status in proc.stdout


def test_a_hanging_implementation_is_killed_at_its_timeout(cb):
    start = time.monotonic()
    proc, result = cb.run("--workload", "null", "--impl", "python", "--case", "batch_empty", "--param", "fault=hang",
                          "--timeout", "2")
    assert time.monotonic() - start < 60
    assert proc.returncode == 1
    entry = bench(result, "null/batch_empty/python")
    assert entry["status"] == "failed" and "timed out" in entry["error"], entry["error"]


def test_runaway_memory_is_stopped_by_the_memory_limit(cb):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--case", "batch_empty", "--param", "fault=oom",
                          "--memory-limit-mib", "256")
    assert proc.returncode == 1
    entry = bench(result, "null/batch_empty/cpp")
    assert entry["status"] == "failed"
    assert "memory" in entry["error"], entry["error"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--workload", "nosuch"], "unknown workload 'nosuch'"),
        (["--impl", "cobol"], "no selected workload has an implementation named 'cobol'"),
        (["--param", "nosuch=1"], "no case of the selected workloads takes 'nosuch'"),
        (["--param", "work_units=abc"], "not an integer"),
        (["--param", "novalue"], "KEY=VALUE"),
        (["--case", "nosuch"], "no case named 'nosuch'"),
        (["--profile", "huge"], "huge"),
        (["--frobnicate"], "frobnicate"),
    ],
)
def test_bad_requests_get_one_clear_line_and_exit_2_before_measuring(cb, args, words):
    proc, result = cb.run(*args)
    assert proc.returncode == 2
    assert result is None, "nothing is measured or written for a bad request"
    errors = [line for line in proc.stderr.splitlines() if line.startswith("claimbench: error:")]
    assert len(errors) == 1 and words in errors[0], proc.stderr


def test_interrupt_keeps_a_valid_result_and_exits_130(harness, tmp_path):
    env = dict(os.environ, CLAIMBENCH_ROOT=str(ROOT))
    proc = subprocess.Popen([str(harness), "run", "--out", str(tmp_path), "--workload", "null", "--impl", "cpp",
                             "--case", "echo_service", "--param", "duration_s=30"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    for path in Path(tmp_path, "results").glob("*.json"):
        validate(json.loads(path.read_text()))  # whatever was written is whole
    assert not list(Path(tmp_path, "results").glob(".*")), "no temporary file is left behind"
