"""End-to-end runs of the http_proxy workload through the built harness: the C++ proxy and the peers
(nginx, HAProxy; recorded as unavailable when not installed) behind the same origin, with short load
phases. These check that every case runs, verifies and records what SPEC.md promises, never speed."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from claimbench_testing import BUILD_DIR, ROOT, bench

SHORT = ("--param", "step_ms=300", "--param", "warmup_ms=100")


def ok_samples(entry: dict) -> list[dict]:
    return [s for s in entry["samples"] if not s["warmup"] and s["status"] == "ok"]


def test_sweep_and_idle_cases_for_the_proxy_and_its_peers(cb):
    proc, result = cb.run("--workload", "http_proxy", "--case", "proxy_1k", "--case", "idle_connections",
                          *SHORT, "--param", "idle_connections=100")
    assert result is not None, proc.stderr
    peers = {"nginx": shutil.which("nginx"), "haproxy": shutil.which("haproxy")}
    for impl in ("cpp", "nginx", "haproxy"):
        sweep = bench(result, f"http_proxy/proxy_1k/{impl}")
        if impl != "cpp" and not peers[impl]:
            assert sweep["status"] == "unavailable"
            continue
        assert sweep["status"] == "ok", sweep.get("error")
        for sample in ok_samples(sweep):
            m = sample["metrics"]
            assert m["max_rps"] > 0
            for step in ("50pct", "80pct", "95pct"):
                assert m[f"achieved_rps_at_{step}"] > 0
                assert m[f"p99_at_{step}_ns"] >= m[f"p50_at_{step}_ns"] > 0
                assert m[f"uncorrected_p99_at_{step}_ns"] > 0
            assert m["cpu_ns_per_request"] > 0 and m["peak_rss_bytes"] > 0
        assert {d["name"] for d in sweep["latency"]} >= {"corrected", "uncorrected"}
        idle = bench(result, f"http_proxy/idle_connections/{impl}")
        assert idle["status"] == "ok", idle.get("error")
        for sample in ok_samples(idle):
            assert sample["metrics"]["rss_with_idle_connections_bytes"] > 0
    assert proc.returncode == 0, proc.stderr


def test_fixed_rate_case_and_a_long_tail_origin(cb):
    proc, result = cb.run("--workload", "http_proxy", "--case", "latency_1k", "--impl", "cpp", *SHORT,
                          "--param", "rate_per_s=300", "--param", "origin_latency=pareto:100:1.5:20000")
    assert proc.returncode == 0, proc.stderr
    entry = bench(result, "http_proxy/latency_1k/cpp")
    assert entry["status"] == "ok", entry.get("error")
    for sample in ok_samples(entry):
        m = sample["metrics"]
        assert m["target_rps"] == 300
        assert m["latency_p99_ns"] >= m["latency_p50_ns"] > 100_000  # the origin alone waits >= 100 us


def test_an_unknown_origin_latency_profile_is_a_setup_error(cb):
    proc, _ = cb.run("--workload", "http_proxy", "--case", "latency_1k", "--impl", "cpp", *SHORT,
                     "--param", "origin_latency=gamma:1")
    assert proc.returncode != 0
    assert "origin_latency" in proc.stderr + proc.stdout


def origins_running() -> list[str]:
    """Command lines of this build's http_origin processes alive now (a case's teardown must leave none)."""
    ours = str(BUILD_DIR / "workloads" / "http_proxy").encode()
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].startswith(ours) and argv[0].endswith(b"/http_origin"):
            found.append(b" ".join(argv).decode(errors="replace"))
    return found


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (./claimbench setup installs it)")
def test_latency_1k_offers_the_load_calibrated_on_nginx_whichever_implementations_run(cb):
    """The offered load is derived when the case is prepared, from nginx measured then, not from whichever
    sweep happened to run first in this process: with only the C++ proxy selected it is still nginx's."""
    for selection in (("--impl", "cpp"), ("--impl", "cpp", "--impl", "haproxy")):
        proc, result = cb.run("--workload", "http_proxy", "--case", "latency_1k", *selection, *SHORT,
                              "--param", "rate_per_s=nginx:0.3")
        assert proc.returncode == 0, proc.stderr
        entry = bench(result, "http_proxy/latency_1k/cpp")
        calibrated = entry["calibration"]["rate_per_s"]
        assert "nginx's closed-loop maximum" in calibrated["description"], calibrated
        assert calibrated["value"] > 0
        for sample in ok_samples(entry):
            assert sample["metrics"]["target_rps"] == pytest.approx(calibrated["value"])
        others = [b for b in result["benchmarks"] if b["case_name"] == "latency_1k" and b["status"] == "ok"]
        assert all(b["calibration"] == entry["calibration"] for b in others)
    assert not origins_running()


def test_a_case_stops_its_origins_when_an_implementation_fails_and_when_interrupted(cb, tmp_path):
    proc, result = cb.run("--workload", "http_proxy", "--case", "proxy_1k", "--impl", "cpp", *SHORT,
                          "--param", "threads=0")
    assert proc.returncode == 2 and result is None  # a bad value is refused before anything starts
    assert "threads" in proc.stderr
    env = dict(os.environ, CLAIMBENCH_ROOT=str(ROOT))
    run = subprocess.Popen([str(cb.binary), "run", "--out", str(tmp_path), "--workload", "http_proxy", "--case",
                            "proxy_1k", "--impl", "cpp", "--param", "step_ms=5000", "--param", "warmup_ms=100"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 30
    while not origins_running() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert origins_running(), "the case never started its origin"
    time.sleep(1)
    run.send_signal(signal.SIGINT)
    assert run.wait(timeout=60) == 130
    assert not origins_running()
