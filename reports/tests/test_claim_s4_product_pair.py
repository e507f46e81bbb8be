"""Claim S4 (Rust beats Go on CPU-heavy work) on made-up results: restic (Go) against rustic (Rust), a real
product pair on the sync_engine batch cases, is shown beside the ports' evidence for scale and never changes the
verdict."""

from test_claims import judge

from claimbench_report.claims import HOLDS, INDICATIVE
from claimbench_report.registry import load_registry
from result_builder import add_case, add_comparison, make_result


def sync_run(go_over_rust: float, restic_over_rustic: float) -> dict:
    """sync_engine/initial_sync with the ports and the two peers at the given time ratios (timed_ns)."""
    result = add_case(make_result(), "sync_engine", "initial_sync", ["cpp", "rust", "go", "rustic", "restic"])
    add_comparison(result, "sync_engine", "initial_sync", "go", "rust", "timed_ns", go_over_rust)
    return add_comparison(result, "sync_engine", "initial_sync", "restic", "rustic", "timed_ns", restic_over_rustic)


def test_restic_against_rustic_is_context_and_never_changes_the_verdict():
    # rustic twice as slow as restic (0.5: "does not hold" were it a test of its own) leaves the ports' verdict alone.
    verdict = judge(load_registry(), "S4", sync_run(go_over_rust=1.3, restic_over_rustic=0.5))
    assert verdict.verdict == HOLDS, verdict.reasons
    pair = [e for e in verdict.evidence if e.contender == "restic"]
    assert len(pair) == 1 and pair[0].baseline == "rustic" and pair[0].outcome == INDICATIVE
    assert pair[0].detail.startswith("context, not part of the verdict")
    assert any(rule.startswith("context, not part of the verdict: ") and "restic" in rule for rule in verdict.rules)
