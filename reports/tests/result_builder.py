"""Made-up result files for the report's tests, in the shape results/schema.json asks for.

Tests describe the run they need (profile, variant, cases, comparisons) and get a dict of schema_version 2
as the branches agreed it (benchmarks[].kind, metric descriptors' self_reported, comparisons'
higher_is_better / min_pairs / wilcoxon_p, claimbench.parameter_overrides). `conform` turns such
a dict, or the real quick run in fixtures/null_quick.json, into the version this checkout's schema reads,
so the tests hold before and after the schema moves from 1 to 2.
"""

import copy
import json
from pathlib import Path

from claimbench_report.eligibility import parameter_overrides
from claimbench_report.load import supported_schema_version

FIXTURE = Path(__file__).parent / "fixtures" / "null_quick.json"
_V2_BENCH_KEYS = ("kind", "label", "calibration", "build")
_V2_COMPARISON_KEYS = ("higher_is_better", "min_pairs", "wilcoxon_p")

# name -> (unit, higher_is_better)
METRICS = {
    "timed_ns": ("ns", False),
    "wall_ns": ("ns", False),
    "startup_ns": ("ns", False),
    "peak_rss_bytes": ("bytes", False),
    "cpu_ns_per_request": ("ns", False),
    "latency_p999_ns": ("ns", False),
    "latency_p99_ns": ("ns", False),
    "max_rps": ("requests_per_s", True),
    "p999_max_over_median": ("ratio", False),
    "doc_latency_p50_ns": ("ns", False),
    # the build case (harness/src/build_case.h)
    "clean_build_ns": ("ns", False),
    "incremental_build_ns": ("ns", False),
    "artifact_bytes": ("bytes", False),
    "artifact_files": ("count", False),
    "runtime_libraries": ("count", False),
    "runtime_dependencies_beyond_libc": ("count", False),
    "source_lines": ("count", False),
    "test_lines": ("count", False),
    # http_proxy's strictness case (workloads/http_proxy/driver/strictness_case.h)
    "strictness_rows": ("count", True),
    "strictness_agreeing_rows": ("count", True),
}


def _fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def make_result(profile: str = "standard", variant: str = "release", overrides: dict | None = None,
                run_id: str = "run-20260101T000000Z-0001") -> dict:
    """An empty run (no benchmarks, no comparisons) with the fixture's real machine context."""
    return {
        "schema_version": 2,
        "context": _fixture()["context"],
        "benchmarks": [],
        "claimbench": {
            "run_id": run_id, "started_at": "2026-01-01T00:00:00Z", "finished_at": "2026-01-01T00:10:00Z",
            "profile": profile, "variant": variant, "seed": 1,
            "command_line": ["claimbench-harness", "run", "--profile", profile],
            "warnings": [], "comparisons": [], "parameter_overrides": dict(overrides or {}),
        },
    }


def add_case(result: dict, workload: str, case: str, impls: list[str], *, kind: str = "batch",
             primary: str = "timed_ns", metrics: list[str] | None = None, parameters: dict | None = None,
             self_reported: tuple[str, ...] = (), status: dict | None = None) -> dict:
    """Adds one ok benchmark per implementation (the first is the reference) with one statistic per metric;
    `status` maps an implementation to (status, error) for ones that did not run."""
    names = list(dict.fromkeys([primary, *(metrics or [])]))
    for i, impl in enumerate(impls):
        state, error = (status or {}).get(impl, ("ok", ""))
        bench = {
            "name": f"{workload}/{case}/{impl}", "run_name": f"{workload}/{case}/{impl}", "run_type": "aggregate",
            "aggregate_name": "median", "aggregate_unit": "time", "repetitions": 10, "threads": 1,
            "iterations": 10, "real_time": 1e6, "cpu_time": 1e6, "time_unit": "ns",
            "workload": workload, "case_name": case, "implementation": impl, "language": impl,
            "role": "reference" if i == 0 else "port", "kind": kind, "status": state, "error": error,
            "command": [impl], "parameters": dict(parameters or {}), "primary_metric": primary,
            "metrics": [{"name": m, "unit": METRICS[m][0], "higher_is_better": METRICS[m][1],
                         "self_reported": m in self_reported} for m in names],
            "samples": [], "statistics": [], "stop_reason": "maximum of 10 repetitions reached",
            "rss_timeline": [], "latency": [], "timeline": [], "extra": {},
        }
        if state == "ok":
            bench["statistics"] = [_statistic(m) for m in names]
        else:
            bench.update(error_occurred=True, error_message=error)
        result["benchmarks"].append(bench)
    return result


def add_build_case(result: dict, workload: str, builds: dict[str, dict], artifacts: dict[str, dict] | None = None,
                   status: dict | None = None) -> dict:
    """Adds the build case of `workload`: one benchmark per implementation (the first is the reference) whose
    statistics have the medians in builds[impl] (metric -> median; the interval is the median +-2% for times and
    sizes, the median itself for counts, which the build gives the same every time; n = 6)
    and whose `artifact` is artifacts[impl] (defaults: one file, nothing beyond the C library)."""
    add_case(result, workload, "build", list(builds), kind="build", primary="clean_build_ns",
             metrics=list(dict.fromkeys(m for medians in builds.values() for m in medians)), status=status)
    for bench in result["benchmarks"][-len(builds):]:
        impl = bench["implementation"]
        medians = builds[impl]
        bench["statistics"] = [
            {**_statistic(m), "median": v, "n": 6,
             **({"ci95_low": v, "ci95_high": v} if METRICS[m][0] == "count" else
                {"ci95_low": v * 0.98, "ci95_high": v * 1.02})}
            for m, v in medians.items()] if bench["status"] == "ok" else []
        bench["artifact"] = {"build": "cargo build", "files": ["target/release/null"],
                             "elf_interpreter": "/lib64/ld-linux-x86-64.so.2", "libraries": ["libc.so.6"],
                             "runtimes": [], "beyond_libc": [], "incremental_edit": "src/main.rs",
                             **((artifacts or {}).get(impl) or {})}
    return result


def _statistic(metric: str) -> dict:
    unit, higher = METRICS[metric]
    stat = {"metric": metric, "unit": unit, "higher_is_better": higher, "n": 10, "low_outliers": 0,
            "high_outliers": 0}
    for key, value in (("median", 1e6), ("mean", 1e6), ("min", 9e5), ("max", 1.1e6), ("q1", 9.5e5),
                       ("q3", 1.05e6), ("iqr", 1e5), ("stddev", 5e4), ("cv", 0.05), ("ci95_low", 9.8e5),
                       ("ci95_high", 1.02e6)):
        stat[key] = value
    return stat


def add_comparison(result: dict, workload: str, case: str, contender: str, baseline: str, metric: str,
                   ratio: float | None, low: float | None = None, high: float | None = None, pairs: int = 10,
                   min_pairs: int = 5) -> dict:
    """A paired comparison as the harness writes it: the interval defaults to ratio x [0.97, 1.03], and is
    null below `min_pairs` pairs."""
    if ratio is not None and low is None and high is None:
        low, high = ratio * 0.97, ratio * 1.03
    if pairs < min_pairs:
        low = high = None
    result["claimbench"]["comparisons"].append({
        "workload": workload, "case_name": case, "metric": metric, "baseline": baseline, "contender": contender,
        "ratio": ratio, "ci95_low": low, "ci95_high": high, "pairs": pairs,
        "higher_is_better": METRICS[metric][1], "min_pairs": min_pairs,
        "wilcoxon_p": 0.002 if pairs >= min_pairs else None,
    })
    return result


def conform(result: dict) -> dict:
    """A copy of `result` (v1 or v2) in the shape of the schema_version this checkout's schema reads."""
    result = copy.deepcopy(result)
    version = supported_schema_version()
    meta = result["claimbench"]
    if version == 1:
        for bench in result["benchmarks"]:
            for key in _V2_BENCH_KEYS:
                bench.pop(key, None)
            for descriptor in bench["metrics"]:
                descriptor.setdefault("self_reported", False)  # in the v1 schema since the timed-window checks
        for comp in meta["comparisons"]:
            comp.setdefault("mann_whitney_p", comp.get("wilcoxon_p"))
            for key in _V2_COMPARISON_KEYS:
                comp.pop(key, None)
        meta.pop("parameter_overrides", None)
    else:
        for bench in result["benchmarks"]:
            bench.setdefault("kind", "service" if bench["latency"] or "latency_p99_ns" in {
                m["name"] for m in bench["metrics"]} else "batch")
            for descriptor in bench["metrics"]:
                descriptor.setdefault("self_reported", False)
        directions = {(b["workload"], b["case_name"], b["implementation"], m["name"]): m["higher_is_better"]
                      for b in result["benchmarks"] for m in b["metrics"]}
        for comp in meta["comparisons"]:
            key = (comp["workload"], comp["case_name"], comp["contender"], comp["metric"])
            comp.setdefault("higher_is_better", directions.get(key, False))
            comp.setdefault("min_pairs", 2)
            comp.setdefault("wilcoxon_p", comp.get("mann_whitney_p"))
            comp.pop("mann_whitney_p", None)
            if comp["pairs"] < comp["min_pairs"]:
                comp.update(ci95_low=None, ci95_high=None, wilcoxon_p=None)
        meta.setdefault("parameter_overrides", parameter_overrides(meta))
    result["schema_version"] = version
    return result


def fixture_result() -> dict:
    """The real quick null run (fixtures/null_quick.json) in the current schema's shape."""
    return conform(_fixture())


def write(result: dict, path: Path) -> Path:
    path.write_text(json.dumps(conform(result)), encoding="utf-8")
    return path
