"""The claims registry and its verdict rules, on made-up result files (result_builder) and the real quick run."""

import copy
import re
from pathlib import Path

import pytest

from claimbench_report import render_markdown
from claimbench_report.claims import (
    DOES_NOT_HOLD,
    HOLDS,
    INCONCLUSIVE,
    INDICATIVE,
    NOT_MEASURABLE,
    RegistryError,
    evaluate,
    load_registry,
)
from result_builder import METRICS, add_build_case, add_case, add_comparison, fixture_result, make_result

CLAIM_IDS = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "L1", "L2", "L3", "L4", "M1", "M2", "F1", "F2", "F3", "F4",
             "B1", "B2", "X1", "X2", "X3"]
METRICS["p999_at_80pct_ns"] = ("ns", False)


@pytest.fixture(scope="module")
def registry() -> dict:
    return load_registry()


def verdict_of(verdicts, claim_id):
    return next(v for v in verdicts if v.id == claim_id)


def measured_only(registry: dict, results: list[dict]) -> dict:
    """`registry` with each test's cases cut down to the workloads `results` measured: a claim holds only when
    every workload its test names was measured, so a test of a rule's semantics names only those."""
    workloads = {b["workload"] for r in results for b in r["benchmarks"]}
    cut = copy.deepcopy(registry)
    for claim in cut["claim"]:
        for test in claim.get("test", []):
            if "cases" in test:
                kept = [c for c in test["cases"] if c.split("/")[0] in workloads]
                test["cases"] = kept or test["cases"]
    return cut


def judge(registry: dict, claim_id: str, *results: dict):
    """The claim's verdict on `results`, judged on the workloads they measured (measured_only)."""
    return verdict_of(evaluate(measured_only(registry, list(results)), list(results)), claim_id)


def one_test_registry(**test) -> dict:
    """A registry of one claim 'Z9' (an id the report knows nothing about) with one test."""
    return {"sources": {"A": "a source"},
            "claim": [{"id": "Z9", "title": "made up", "quote": "q", "sources": ["A"], "test": [test]}]}


def proxy_run(ratio: float, impls=("cpp", "rust"), **kwargs) -> dict:
    """http_proxy/proxy_1k where the contender reaches `ratio` times the C++ proxy's max_rps."""
    result = add_case(make_result(**kwargs), "http_proxy", "proxy_1k", list(impls), kind="service",
                      primary="max_rps")
    return add_comparison(result, "http_proxy", "proxy_1k", impls[1], impls[0], "max_rps", ratio)


def test_every_claim_of_the_brief_is_registered(registry):
    assert [c["id"] for c in registry["claim"]] == CLAIM_IDS


@pytest.fixture
def null_only_checkout(tmp_path) -> Path:
    """A checkout whose only implementations are the null workload's (as before any other port existed), so
    that the reasons for missing ports do not change as ports land."""
    for name in ("cpp", "python", "rust", "go", "java"):
        folder = tmp_path / "workloads" / "null" / "impls" / name
        folder.mkdir(parents=True)
        (folder / "impl.toml").write_text("")
    return tmp_path


def test_without_ports_claims_say_why_they_cannot_be_judged(registry, null_only_checkout):
    verdicts = evaluate(registry, [fixture_result()], null_only_checkout)
    s3 = verdict_of(verdicts, "S3")
    assert s3.verdict == NOT_MEASURABLE
    assert "tokenizer: no 'rust' implementation yet" in s3.reasons
    assert any(r.startswith("null/rust: unavailable (cargo is not installed") for r in s3.reasons), s3.reasons
    l4 = verdict_of(verdicts, "L4")
    assert any(r.startswith("null/rust: unavailable (cargo is not installed") for r in l4.reasons), l4.reasons
    assert verdict_of(verdicts, "X1").verdict == NOT_MEASURABLE
    assert "out of reach on one machine" in verdict_of(verdicts, "X1").reasons[0]
    assert "no safety matrix" in verdict_of(verdicts, "F1").reasons[0]


# ---------------------------------------------------------------- direction


@pytest.mark.parametrize("speed, expected", [(0.5, DOES_NOT_HOLD), (1.3, HOLDS), (1.0, HOLDS)])
def test_s1_follows_the_proxys_throughput_not_the_raw_ratio(registry, speed, expected):
    """The issue's case: a Rust proxy at half the C++ proxy's max_rps is 2x worse, so S1 fails."""
    s1 = judge(registry, "S1", proxy_run(speed))
    assert s1.verdict == expected, s1.evidence
    assert s1.evidence[0].ratio == speed
    assert s1.evidence[0].cost.point == pytest.approx(1 / speed)


@pytest.mark.parametrize("speed, expected", [(0.5, DOES_NOT_HOLD), (1.3, HOLDS)])
def test_s1_on_batch_time_agrees_with_throughput(registry, speed, expected):
    result = add_case(make_result(), "tokenizer", "encode_gpt2", ["cpp", "rust"])
    add_comparison(result, "tokenizer", "encode_gpt2", "rust", "cpp", "timed_ns", 1 / speed)
    assert judge(registry, "S1", result).verdict == expected


RULE_FORMS = [
    # (rule keys, contender speed relative to the baseline, outcome, where the cost lies)
    ({"rule": "at_most", "factor": 1.1}, 0.5, DOES_NOT_HOLD, "above 1.1"),
    ({"rule": "at_most", "factor": 1.1}, 1.3, HOLDS, "at or below 1.1"),
    ({"rule": "at_most", "factor": 1.1}, 0.92, INCONCLUSIVE, "straddles 1.1"),
    ({"rule": "at_least", "factor": 1.5}, 0.5, HOLDS, "at or above 1.5"),
    ({"rule": "at_least", "factor": 1.5}, 1.3, DOES_NOT_HOLD, "below 1.5"),
    ({"rule": "within", "range": [10, 1000]}, 1 / 50, HOLDS, "inside the range 10-1000"),
    ({"rule": "within", "range": [10, 1000]}, 1.3, DOES_NOT_HOLD, "below the range 10-1000"),
    ({"rule": "within", "range": [10, 1000]}, 1 / 5000, DOES_NOT_HOLD, "above the range 10-1000"),
    ({"rule": "within", "range": [10, 1000]}, 1 / 10, INCONCLUSIVE, "straddles 10"),
]


@pytest.mark.parametrize("rule, speed, expected, where", RULE_FORMS)
@pytest.mark.parametrize("metric", ["max_rps", "timed_ns"])
def test_every_rule_form_gives_the_same_verdict_in_both_directions(rule, speed, expected, where, metric):
    """`speed` is how much more work per second the contender does: the ratio is `speed` for max_rps (higher
    is better) and 1/speed for timed_ns (lower is better); the verdict must not depend on which."""
    registry = one_test_registry(cases=["w/c"], contender="new", baseline="old", metric="primary", **rule)
    result = add_case(make_result(), "w", "c", ["old", "new"], primary=metric)
    add_comparison(result, "w", "c", "new", "old", metric, speed if metric == "max_rps" else 1 / speed)
    z9 = judge(registry, "Z9", result)
    assert z9.verdict == expected
    assert where in z9.evidence[0].detail


def test_the_direction_comes_from_the_metric_descriptor_when_the_comparison_lacks_it(registry):
    result = proxy_run(0.5)
    del result["claimbench"]["comparisons"][0]["higher_is_better"]  # a schema_version 1 file
    assert judge(registry, "S1", result).verdict == DOES_NOT_HOLD
    for bench in result["benchmarks"]:
        bench["metrics"] = []
    s1 = judge(registry, "S1", result)
    assert s1.verdict == INCONCLUSIVE and "direction of max_rps is not recorded" in s1.evidence[0].detail


# ---------------------------------------------------------------- pairs


def test_too_few_pairs_shows_the_ratio_but_gives_no_verdict(registry):
    result = add_case(make_result(), "tokenizer", "encode_gpt2", ["cpp", "rust"])
    add_comparison(result, "tokenizer", "encode_gpt2", "rust", "cpp", "timed_ns", 3.0, pairs=2, min_pairs=5)
    s1 = judge(registry, "S1", result)
    assert s1.verdict == INCONCLUSIVE
    assert s1.evidence[0].outcome == INCONCLUSIVE
    assert s1.evidence[0].detail.startswith("too few pairs (2")
    assert "= 3 [-, -] (2 pairs)" in s1.evidence[0].describe()


def test_a_null_interval_without_min_pairs_is_inconclusive(registry):
    result = add_case(make_result(), "tokenizer", "encode_gpt2", ["cpp", "rust"])
    add_comparison(result, "tokenizer", "encode_gpt2", "rust", "cpp", "timed_ns", 3.0, pairs=1, min_pairs=1)
    result["claimbench"]["comparisons"][0].update(ci95_low=None, ci95_high=None)
    del result["claimbench"]["comparisons"][0]["min_pairs"]
    assert judge(registry, "S1", result).evidence[0].detail == "too few pairs (1): no 95% interval"


# ---------------------------------------------------------------- each claim tests what its quote says


def test_s3_judges_batch_work_not_start_up_or_service_latency(registry):
    result = make_result()
    add_case(result, "null", "batch_empty", ["rust", "python"], primary="wall_ns")
    add_case(result, "null", "batch_compute", ["rust", "python"])
    add_case(result, "null", "echo_service", ["rust", "python"], kind="service", primary="latency_p99_ns")
    add_comparison(result, "null", "batch_empty", "python", "rust", "wall_ns", 2.0)
    add_comparison(result, "null", "echo_service", "python", "rust", "latency_p99_ns", 1.5)
    add_comparison(result, "null", "batch_compute", "python", "rust", "timed_ns", 50.0)
    s3 = judge(registry, "S3", result)
    assert [(e.case, e.metric) for e in s3.evidence] == [("batch_compute", "timed_ns")]
    assert s3.verdict == HOLDS


@pytest.mark.parametrize("ratio, expected, where", [(4.0, DOES_NOT_HOLD, "below the range 10-1000"),
                                                    (50.0, HOLDS, "inside the range 10-1000"),
                                                    (5000.0, DOES_NOT_HOLD, "above the range 10-1000")])
def test_a_range_claim_says_where_the_ratio_falls(registry, ratio, expected, where):
    result = add_case(make_result(), "null", "batch_compute", ["rust", "python"])
    add_comparison(result, "null", "batch_compute", "python", "rust", "timed_ns", ratio)
    s3 = judge(registry, "S3", result)
    assert s3.verdict == expected
    assert where in s3.evidence[0].describe()


def test_l2_compares_proxies_at_the_same_offered_load_only(registry):
    result = make_result()
    for case in ("proxy_1k", "latency_1k", "long_tail"):
        add_case(result, "http_proxy", case, ["cpp", "rust"], kind="service", primary="latency_p99_ns",
                 metrics=["latency_p999_ns", "p999_at_80pct_ns"])
        add_comparison(result, "http_proxy", case, "rust", "cpp", "latency_p999_ns", 0.9)
        add_comparison(result, "http_proxy", case, "rust", "cpp", "p999_at_80pct_ns", 3.0)
    l2 = judge(registry, "L2", result)
    assert sorted(e.case for e in l2.evidence) == ["latency_1k", "long_tail"]
    assert l2.verdict == HOLDS


def read_states(duration_ms: int, ratio: float = 3.0) -> dict:
    """L1's evidence: the Go service as Discord wrote it against the Rust service."""
    result = add_case(make_result(), "sync_engine", "read_states", ["rust", "go_discord"],
                      kind="service", primary="latency_p999_ns", metrics=["p999_max_over_median"],
                      parameters={"duration_ms": str(duration_ms), "rate_per_s": "10000"})
    return add_comparison(result, "sync_engine", "read_states", "go_discord", "rust",
                          "p999_max_over_median", ratio)


def test_l1_needs_two_forced_gc_periods_of_go(registry):
    short = judge(registry, "L1", read_states(150_000))
    assert short.verdict == INCONCLUSIVE
    assert "duration_ms = 150000 is below 240000" in short.evidence[0].detail
    assert "forced GC" in short.evidence[0].detail
    assert judge(registry, "L1", read_states(600_000)).verdict == HOLDS
    assert judge(registry, "L1", read_states(600_000, ratio=1.0)).verdict == DOES_NOT_HOLD


def test_l3_with_only_cpu_measured_is_inconclusive_and_names_the_missing_memory(registry):
    result = add_case(make_result(), "http_proxy", "latency_1k", ["nginx", "pingora"], kind="service",
                      primary="latency_p99_ns", metrics=["cpu_ns_per_request"])
    add_comparison(result, "http_proxy", "latency_1k", "pingora", "nginx", "cpu_ns_per_request", 0.2)
    l3 = judge(registry, "L3", result)
    assert l3.verdict == INCONCLUSIVE
    assert any("missing" in r and "peak_rss_bytes" in r for r in l3.reasons), l3.reasons
    add_comparison(result, "http_proxy", "latency_1k", "pingora", "nginx", "peak_rss_bytes", 0.25)
    assert judge(registry, "L3", result).verdict == HOLDS
    add_comparison(result, "http_proxy", "latency_1k", "pingora", "nginx", "peak_rss_bytes", 0.9)
    assert judge(registry, "L3", result).verdict == DOES_NOT_HOLD


def test_implementations_that_ran_with_different_parameters_are_not_compared(registry):
    result = proxy_run(1.0)
    result["benchmarks"][1]["parameters"] = {"connections": "64"}
    s1 = judge(registry, "S1", result)
    assert s1.verdict == INCONCLUSIVE and "different parameters (connections" in s1.evidence[0].detail


# ---------------------------------------------------------------- which runs give verdicts


@pytest.mark.parametrize("run, reason", [
    ({"profile": "quick"}, "quick profile"),
    ({"variant": "asan"}, "asan variant"),
    ({"overrides": {"step_ms": "1000"}}, "parameters overridden (step_ms=1000)"),
])
def test_runs_other_than_standard_or_full_release_are_indicative(registry, run, reason):
    s1 = judge(registry, "S1", proxy_run(1.3, **run))
    assert s1.verdict == INDICATIVE
    assert s1.evidence[0].outcome == INDICATIVE
    assert reason in s1.evidence[0].detail and "on its own: holds" in s1.evidence[0].detail
    assert judge(registry, "S1", proxy_run(1.3, profile="full")).verdict == HOLDS


def test_overrides_of_an_older_file_are_read_from_its_command_line(registry):
    result = proxy_run(1.3)
    del result["claimbench"]["parameter_overrides"]
    result["claimbench"]["command_line"] += ["--param", "step_ms=500", "rate=2", "--seed", "3"]
    assert "parameters overridden (rate=2, step_ms=500)" in judge(registry, "S1", result).evidence[0].detail


def test_self_reported_metrics_never_give_verdicts(registry):
    registry = one_test_registry(cases=["tokenizer/doc_latency_gpt2"], contender="hf", baseline="cpp",
                                 metric="primary", rule="at_most", factor=1.1)
    result = add_case(make_result(), "tokenizer", "doc_latency_gpt2", ["cpp", "hf"], primary="doc_latency_p50_ns",
                      self_reported=("doc_latency_p50_ns",))
    add_comparison(result, "tokenizer", "doc_latency_gpt2", "hf", "cpp", "doc_latency_p50_ns", 1.0)
    z9 = judge(registry, "Z9", result)
    assert z9.verdict == INDICATIVE and "self-reported" in z9.evidence[0].detail


def test_mixed_inputs_count_only_the_eligible_files(registry):
    release = proxy_run(1.3, run_id="run-release")
    asan = proxy_run(0.4, variant="asan", run_id="run-asan")
    s1 = judge(registry, "S1", release, asan)
    assert s1.verdict == HOLDS
    by_run = {e.run_id: e for e in s1.evidence}
    assert by_run["run-release"].outcome == HOLDS
    assert by_run["run-asan"].outcome == INDICATIVE and "asan variant" in by_run["run-asan"].detail
    only_asan = judge(registry, "S1", asan)
    assert only_asan.verdict == INDICATIVE


# ---------------------------------------------------------------- reasons and odd contents


def test_missing_implementations_are_looked_for_in_both_folder_layouts(registry, tmp_path):
    (tmp_path / "workloads" / "tokenizer" / "impls" / "rust").mkdir(parents=True)
    (tmp_path / "workloads" / "tokenizer" / "impls" / "rust" / "impl.toml").write_text("")
    (tmp_path / "workloads" / "columnar_scan" / "rust").mkdir(parents=True)
    (tmp_path / "workloads" / "columnar_scan" / "rust" / "impl.toml").write_text("")
    s1 = verdict_of(evaluate(registry, [make_result()], repo_root=tmp_path), "S1")
    assert "tokenizer/rust: exists but was not run" in s1.reasons
    assert "columnar_scan/rust: exists but was not run" in s1.reasons
    assert "sync_engine: no 'rust' implementation yet" in s1.reasons


def test_a_failed_contender_is_the_reason(registry):
    result = add_case(make_result(), "tokenizer", "encode_gpt2", ["cpp", "rust"],
                      status={"rust": ("failed", "build failed: error[E0382]")})
    s1 = judge(registry, "S1", result)
    assert "tokenizer/rust: failed (build failed: error[E0382])" in s1.reasons


@pytest.mark.parametrize("odd", ["null ratio", "missing benchmarks", "empty run"])
def test_odd_but_schema_valid_contents_give_reasons_not_errors(registry, odd):
    result = proxy_run(1.3)
    if odd == "null ratio":
        result["claimbench"]["comparisons"][0].update(ratio=None, ci95_low=None, ci95_high=None)
    elif odd == "missing benchmarks":
        result["benchmarks"] = []
    else:
        result = make_result()
    verdicts = evaluate(registry, [result])
    s1 = verdict_of(verdicts, "S1")
    if odd == "null ratio":
        assert s1.verdict == INCONCLUSIVE and s1.evidence[0].detail.startswith("no ratio")
    else:
        assert s1.verdict == NOT_MEASURABLE and s1.reasons
    for verdict in verdicts:
        for evidence in verdict.evidence:
            evidence.describe()


def test_the_report_shows_every_claim_with_a_verdict_or_a_reason():
    text = render_markdown(fixture_result())
    claims = text.split("## Claims\n", 1)[1].split("\n## ", 1)[0]
    for claim_id in CLAIM_IDS:
        row = next(line for line in claims.splitlines() if line.startswith(f"| {claim_id} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2] in (HOLDS, DOES_NOT_HOLD, INCONCLUSIVE, INDICATIVE, NOT_MEASURABLE)
        assert cells[4] != "-", f"{claim_id} has neither evidence nor a reason"
    assert "gives no verdicts, its evidence is indicative only: quick profile" in claims


@pytest.mark.parametrize("test, message", [
    ({"workloads": ["x"]}, "unknown key 'workloads'"),
    ({"rule": "at_best"}, "rule 'at_best' is not one of at_most, at_least, within"),
    ({"rule": "within"}, "rule 'within' needs range"),
    ({"factor": -1}, "needs a positive 'factor'"),
    ({"cases": ["tokenizer"]}, "case 'tokenizer' is not \"workload/case\""),
    ({"cases": ["*/x"]}, "the workload may not"),
    ({"kind": "daemon"}, "kind 'daemon' is not one of batch, service, build"),
    ({"requires": [{"parameter": "duration_ms"}]}, "each of 'requires'"),
    ({"rule": "value_at_most", "factor": None}, "rule 'value_at_most' needs a 'bound' >= 0"),
    ({"rule": "value_at_most", "factor": None, "bound": -1}, "rule 'value_at_most' needs a 'bound' >= 0"),
    ({"rule": "value_at_most", "factor": None, "bound": 1, "baseline": "b"}, "and no 'factor', 'range' or 'baseline'"),
    ({"bound": 1}, "needs a positive 'factor' and no 'range'"),
])
def test_a_broken_test_in_the_registry_is_a_clear_error(tmp_path, test, message):
    good = {"cases": ["w/c"], "contender": "a", "baseline": "b", "metric": "primary", "rule": "at_most",
            "factor": 1.0}
    registry = copy.deepcopy(good)
    registry.update(test)
    if registry["rule"] == "value_at_most" and "baseline" not in test:
        del registry["baseline"]
    lines = "\n".join(f"{key} = {_toml(value)}" for key, value in registry.items() if value is not None)
    path = tmp_path / "claims.toml"
    path.write_text(f'[sources]\nA = "x"\n[[claim]]\nid = "Z1"\ntitle = "t"\nquote = "q"\nsources = ["A"]\n'
                    f"[[claim.test]]\n{lines}\n")
    with pytest.raises(RegistryError, match=re.escape(message)):
        load_registry(path)


def _toml(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    return repr(value)


def test_a_broken_registry_is_a_clear_error(tmp_path):
    bad = tmp_path / "claims.toml"
    bad.write_text('[sources]\nA = "x"\n[[claim]]\nid = "S1"\ntitle = "t"\nquote = "q"\nsources = ["Z"]\n')
    with pytest.raises(RegistryError, match=re.escape("unknown source 'Z'")):
        load_registry(bad)
    bad.write_text("[[claim]\n")
    with pytest.raises(RegistryError, match="claims.toml"):
        load_registry(bad)
    with pytest.raises(RegistryError, match="cannot read"):
        load_registry(Path(tmp_path / "missing.toml"))


# ---------------------------------------------------------------- builds (B1, B2) and the value rule


def build_run(rust_over_go: tuple[float, float] = (3.0, 2.5), go_incremental_ns: float = 4e8,
              rust_artifact: dict | None = None, rust_files: int = 1, **kwargs) -> dict:
    """null's build case with cpp, go and rust, and rust/go paired ratios of clean and incremental builds."""
    result = make_result(**kwargs)
    beyond = len((rust_artifact or {}).get("beyond_libc", []))
    add_build_case(result, "null", {
        "cpp": {"clean_build_ns": 7e9, "incremental_build_ns": 6e9, "artifact_files": 1,
                "runtime_dependencies_beyond_libc": 1},
        "go": {"clean_build_ns": 4e9, "incremental_build_ns": go_incremental_ns, "artifact_files": 1,
               "runtime_dependencies_beyond_libc": 0},
        "rust": {"clean_build_ns": 4e9 * rust_over_go[0], "incremental_build_ns": go_incremental_ns * rust_over_go[1],
                 "artifact_files": rust_files, "runtime_dependencies_beyond_libc": beyond},
    }, artifacts={"rust": rust_artifact or {}})
    add_comparison(result, "null", "build", "rust", "go", "clean_build_ns", rust_over_go[0], pairs=6, min_pairs=6)
    add_comparison(result, "null", "build", "rust", "go", "incremental_build_ns", rust_over_go[1], pairs=6,
                   min_pairs=6)
    return result


def test_b1_holds_when_rust_builds_slower_than_go_and_go_rebuilds_within_a_second(registry, null_only_checkout):
    b1 = judge(registry, "B1", build_run())
    assert b1.verdict == HOLDS, [e.describe() for e in b1.evidence] + b1.reasons
    assert sorted((e.metric, e.contender, e.baseline) for e in b1.evidence) == [
        ("clean_build_ns", "rust", "go"), ("incremental_build_ns", "go", ""), ("incremental_build_ns", "rust", "go")]
    # With every workload the claim names: on null alone it holds where measured, and that is no verdict.
    partial = verdict_of(evaluate(registry, [build_run()], null_only_checkout), "B1")
    assert partial.verdict == INCONCLUSIVE
    assert partial.reasons[0] == ("holds where measured (null), but not every workload the claim is tested on was "
                                  "measured")
    assert "not measured: tokenizer: no 'rust' implementation yet" in partial.reasons
    assert len(partial.reasons) == len(set(partial.reasons)), "three tests of one claim name each missing port once"


@pytest.mark.parametrize("run, why", [
    (build_run(rust_over_go=(0.8, 2.5)), "clean_build_ns"),             # Rust's clean build is the faster one
    (build_run(rust_over_go=(3.0, 0.5)), "incremental_build_ns"),       # and its rebuild
    (build_run(go_incremental_ns=2.5e9), "go median 2.5e+09"),          # Go's rebuild is not near-instant
])
def test_b1_does_not_hold_when_any_part_of_the_quote_fails(registry, run, why):
    b1 = judge(registry, "B1", run)
    assert b1.verdict == DOES_NOT_HOLD
    failed = [e.describe() for e in b1.evidence if e.outcome == DOES_NOT_HOLD]
    assert len(failed) == 1 and why in failed[0], failed


def test_b2_holds_for_one_file_that_needs_only_the_c_library(registry):
    b2 = judge(registry, "B2", build_run())
    assert b2.verdict == HOLDS, [e.describe() for e in b2.evidence] + b2.reasons
    assert {e.metric for e in b2.evidence} == {"artifact_files", "runtime_dependencies_beyond_libc"}
    assert all(e.baseline == "" and e.pairs == 6 for e in b2.evidence)


@pytest.mark.parametrize("run, metric", [
    (build_run(rust_artifact={"beyond_libc": ["libssl.so.3"]}), "runtime_dependencies_beyond_libc"),
    (build_run(rust_files=3), "artifact_files"),
])
def test_b2_does_not_hold_for_a_second_file_or_a_library_to_install(registry, run, metric):
    b2 = judge(registry, "B2", run)
    assert b2.verdict == DOES_NOT_HOLD
    assert [e.metric for e in b2.evidence if e.outcome == DOES_NOT_HOLD] == [metric]


def test_build_claims_from_a_quick_run_are_indicative(registry):
    for claim in ("B1", "B2"):
        verdict = judge(registry, claim, build_run(profile="quick"))
        assert verdict.verdict == INDICATIVE
        assert all("quick profile" in e.detail for e in verdict.evidence)


def test_without_a_build_case_b1_and_b2_say_what_was_not_run(registry):
    for claim in ("B1", "B2"):
        verdict = judge(registry, claim, fixture_result())
        assert verdict.verdict == NOT_MEASURABLE
        assert "null/rust: exists but was not run" in verdict.reasons, verdict.reasons
    b1 = judge(registry, "B1", fixture_result())
    assert any(r.startswith("no eligible evidence for incremental_build_ns of go") for r in b1.reasons), b1.reasons


@pytest.mark.parametrize("low, high, expected", [
    (0.0, 0.0, HOLDS), (0.5, 1.0, HOLDS), (0.5, 1.5, INCONCLUSIVE), (1.01, 2.0, DOES_NOT_HOLD),
    (None, None, INCONCLUSIVE)])
def test_the_value_rule_reads_the_medians_interval(low, high, expected):
    registry = one_test_registry(cases=["w/build"], contender="new", metric="artifact_files", rule="value_at_most",
                                 bound=1)
    result = add_build_case(make_result(), "w", {"new": {"artifact_files": 1, "clean_build_ns": 1e9}})
    stat = next(s for s in result["benchmarks"][0]["statistics"] if s["metric"] == "artifact_files")
    stat.update(ci95_low=low, ci95_high=high)
    z9 = verdict_of(evaluate(registry, [result]), "Z9")
    assert z9.verdict == expected, z9.evidence
    assert z9.rules == ["w/build, artifact_files metric: new's median is at most 1"]
    assert z9.evidence[0].describe().startswith("w/build artifact_files: new median 1 [")


def test_the_value_rule_skips_failed_benchmarks_and_says_so():
    registry = one_test_registry(cases=["w/build"], contender="new", metric="artifact_files", rule="value_at_most",
                                 bound=1)
    result = add_build_case(make_result(), "w", {"ref": {"clean_build_ns": 1e9}, "new": {"artifact_files": 1}},
                            status={"new": ("invalid", "clean build: the build exited 0 but left no prog")})
    z9 = verdict_of(evaluate(registry, [result]), "Z9")
    assert z9.verdict == NOT_MEASURABLE and not z9.evidence
    assert "w/new: invalid (clean build: the build exited 0 but left no prog)" in z9.reasons, z9.reasons
