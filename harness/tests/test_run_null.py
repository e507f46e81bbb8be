"""End-to-end behaviour of `claimbench run` on the null workload: results, interleaving, verification,
every way an implementation can misbehave (crash, hang, wrong answer, bad exit, runaway memory), and every
way it can lie about its timed window (backdated `done`, `done` first, work after `done`)."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import jsonschema
import pytest

from claimbench_testing import ROOT, bench, null_tree

SCHEMA = json.loads((ROOT / "results" / "schema.json").read_text())

# The timed-window rule (harness/src/timed_window.h, docs/implementation_protocol.md).
MS = 1_000_000
STAMP_TOLERANCE_NS = 10 * MS
BACKDATE_NS = 100 * MS  # what the null workload's backdate-done lie claims (SPEC.md)


def after_done_allowance_ns(metrics: dict, output_bytes: int) -> float:
    return 500 * MS + metrics["peak_rss_bytes"] + 100 * output_bytes


def validate(result: dict) -> None:
    data = {k: v for k, v in result.items() if k != "_path"}
    jsonschema.Draft202012Validator(SCHEMA).validate(data)


def ok_samples(entry: dict) -> list[dict]:
    return [s for s in entry["samples"] if not s["warmup"] and s["status"] == "ok"]


def assert_honest_timing(sample: dict) -> None:
    """What the harness records for an honest run: stamps used within the tolerance, CPU where it belongs."""
    m = sample["metrics"]
    for mark in ("ready", "done"):
        assert 0 <= m[f"{mark}_correction_ns"] <= STAMP_TOLERANCE_NS, m
        # A stamp refused for lateness would be a scheduling delay, far from the lie's 100 ms.
        assert m[f"{mark}_stamp_refused_ns"] < BACKDATE_NS, m
    assert m["cpu_before_ready_ns"] >= 0 and m["cpu_timed_ns"] >= 0 and m["cpu_after_done_ns"] >= 0, m
    assert m["cpu_after_done_ns"] <= after_done_allowance_ns(m, 26), m


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
            assert {"cpu_timed_ns", "cpu_after_done_ns", "done_correction_ns"} <= set(stats)
            for sample in entry["samples"]:  # warm-ups included: every honest run passes
                assert sample["status"] == "ok", sample["error"]
                assert_honest_timing(sample)
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


def test_a_python_with_pandas_and_duckdb_loaded_is_not_mistaken_for_work_after_done(cb, tmp_path):
    """Honest, with a heavy teardown: the interpreter frees a DataFrame and a DuckDB table and unloads pandas,
    NumPy, PyArrow and DuckDB after `done`, 100+ ms of CPU. sitecustomize.py loads them before the program."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import duckdb\nimport numpy\nimport pandas\nimport pyarrow\n"
        "frame = pandas.DataFrame({'n': numpy.arange(300_000), 's': numpy.arange(300_000).astype(str)})\n"
        "con = duckdb.connect()\ncon.execute('CREATE TABLE t AS SELECT * FROM frame')\n"
        "table = pyarrow.Table.from_pandas(frame)\n")
    env = dict(os.environ, PYTHONPATH=str(site))
    proc, result = cb.run("--workload", "null", "--impl", "python", "--case", "batch_compute",
                          "--param", "work_units=20000", env=env)
    assert proc.returncode == 0, proc.stderr
    entry = bench(result, "null/batch_compute/python")
    assert entry["status"] == "ok", entry.get("error")
    samples = entry["samples"]
    assert len(samples) >= 6
    for sample in samples:
        assert sample["status"] == "ok", sample["error"]
        assert_honest_timing(sample)
    after_done = sorted(s["metrics"]["cpu_after_done_ns"] for s in samples)
    assert after_done[len(after_done) // 2] > 50 * MS, f"the teardown was not heavy: {after_done}"


@pytest.mark.parametrize("impl, work_units", [("cpp", 1_500_000_000), ("python", 4_000_000)])
@pytest.mark.parametrize(
    "fault, words",
    [
        ("done-first", "wrote 'done' before 'ready'"),
        ("work-after-done", "the work happened outside the timed window"),
    ],
)
def test_work_outside_the_timed_window_is_caught_every_time(cb, impl, work_units, fault, words):
    """About 1.5 s of work, three times over: each run is invalid at its first repetition, saying why."""
    for attempt in range(3):
        proc, result = cb.run("--workload", "null", "--impl", impl, "--case", "batch_compute",
                              "--param", f"fault={fault}", "--param", f"work_units={work_units}")
        assert proc.returncode == 1, proc.stderr
        validate(result)
        entry = bench(result, f"null/batch_compute/{impl}")
        assert entry["status"] == "invalid", (attempt, entry["error"])
        assert words in entry["error"], (attempt, entry["error"])
        assert [s["status"] for s in entry["samples"]] == ["invalid"]
        if fault == "work-after-done":
            m = entry["samples"][0]["metrics"]
            assert m["cpu_after_done_ns"] > after_done_allowance_ns(m, 26), m


@pytest.mark.parametrize("impl", ["cpp", "python"])
def test_a_backdated_done_is_refused_every_time_and_the_window_keeps_its_length(cb, impl):
    proc, result = cb.run("--workload", "null", "--impl", impl, "--case", "batch_empty", "--param",
                          "fault=backdate-done")
    assert proc.returncode == 0, proc.stderr
    validate(result)
    entry = bench(result, f"null/batch_empty/{impl}")
    assert len(entry["samples"]) >= 6
    for sample in entry["samples"]:  # every repetition is a separate process telling the same lie
        m = sample["metrics"]
        assert m["done_stamp_refused_ns"] >= BACKDATE_NS, m
        assert m["done_correction_ns"] == 0, m
        # The null program waits 150 ms after `ready`; the lie would have made it 50 ms.
        assert m["timed_ns"] >= 150 * MS, m


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
        # Cold start as a client sees it: spawn to the first verified answer, after ready.
        assert sample["first_response_ns"] > sample["startup_ns"]
        assert sample["latency_p99_ns"] >= sample["latency_p50_ns"] > 0
        assert entry["rss_timeline"], "RSS is sampled over the service's life"


# The Python echo service, saying something on stderr before it serves, as a GC trace would.
TALKING_SERVICE = """language = "Python"
role = "port"
label = "idiomatic"
command = ["sh", "-c", "echo 'gc 1 @0.010s 2%: forced' >&2; exec \\"$0\\" \\"$@\\"",
           "{python}", "{root}/workloads/null/impls/python/null_impl.py"]
"""


def test_a_service_s_stderr_is_kept_beside_the_result_and_a_silent_one_leaves_nothing(cb, tmp_path):
    tree = null_tree(tmp_path, {"talking": TALKING_SERVICE})
    proc, result = cb.with_root(tree).run("--workload", "null", "--impl", "cpp", "--impl", "talking",
                                          "--case", "echo_service", "--param", "duration_s=1",
                                          "--param", "warmup_s=0", "--param", "rate_per_s=200")
    assert proc.returncode == 0, proc.stderr
    validate(result)
    entry = bench(result, "null/echo_service/talking")
    assert entry["status"] == "ok", entry.get("error")
    logs = entry["service_logs"]
    assert [log["repetition"] for log in logs] == [sample["repetition"] for sample in entry["samples"]]
    run_id = Path(result["_path"]).stem
    for log in logs:
        assert log["path"] == f"logs/{run_id}/null/echo_service/talking.{log['repetition']}.stderr"
        kept = Path(result["_path"]).parent / log["path"]
        assert kept.read_text() == "gc 1 @0.010s 2%: forced\n" and log["bytes"] == kept.stat().st_size
        assert log["truncated"] is False
    assert "service_logs" not in bench(result, "null/echo_service/cpp")


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
