"""End-to-end runs of the http_proxy workload through the built harness: the C++ proxy and the peers
(nginx, HAProxy; recorded as unavailable when not installed) behind the same origin, with short load
phases. These check that every case runs, verifies and records what SPEC.md promises, never speed."""

import shutil

from claimbench_testing import bench

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
