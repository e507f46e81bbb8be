"""The claims registry and its verdict rules."""

import copy
import re
from pathlib import Path

import pytest

from claimbench_report import load_result, render_markdown
from claimbench_report.claims import (
    DOES_NOT_HOLD,
    HOLDS,
    INCONCLUSIVE,
    NOT_MEASURABLE,
    RegistryError,
    evaluate,
    load_registry,
)

FIXTURE = Path(__file__).parent / "fixtures" / "null_quick.json"
CLAIM_IDS = ["S1", "S2", "S3", "S4", "S5", "S6", "S7", "L1", "L2", "L3", "L4", "M1", "M2", "F1", "F2", "F3", "F4",
             "B1", "B2", "X1", "X2", "X3"]


@pytest.fixture(scope="module")
def registry() -> dict:
    return load_registry()


def with_comparison(result: dict, contender: str, baseline: str, ratio: float, low: float, high: float) -> dict:
    result = copy.deepcopy(result)
    result["claimbench"]["comparisons"].append(
        {"workload": "null", "case_name": "batch_compute", "metric": "timed_ns", "contender": contender,
         "baseline": baseline, "ratio": ratio, "ci95_low": low, "ci95_high": high, "pairs": 10,
         "mann_whitney_p": 0.001})
    result["benchmarks"].append(dict(result["benchmarks"][2], implementation=contender,
                                     name=f"null/batch_compute/{contender}", role="port"))
    return result


def verdict_of(verdicts, claim_id):
    return next(v for v in verdicts if v.id == claim_id)


def test_every_claim_of_the_brief_is_registered(registry):
    assert [c["id"] for c in registry["claim"]] == CLAIM_IDS


def test_without_ports_claims_say_why_they_cannot_be_judged(registry):
    verdicts = evaluate(registry, [load_result(FIXTURE)])
    s3 = verdict_of(verdicts, "S3")
    assert s3.verdict == NOT_MEASURABLE
    assert any(r.startswith("null/rust: unavailable (cargo is not installed") for r in s3.reasons), s3.reasons
    assert "tokenizer: no 'rust' implementation yet" in s3.reasons
    assert verdict_of(verdicts, "X1").verdict == NOT_MEASURABLE
    assert "out of reach on one machine" in verdict_of(verdicts, "X1").reasons[0]
    assert "not measured yet" in verdict_of(verdicts, "F1").reasons[0]


@pytest.mark.parametrize(
    "ratio, low, high, expected",
    [(50.0, 40.0, 60.0, HOLDS), (5.0, 4.0, 6.0, DOES_NOT_HOLD), (9.0, 5.0, 15.0, INCONCLUSIVE)],
)
def test_at_least_rule_uses_the_interval(registry, ratio, low, high, expected):
    result = with_comparison(load_result(FIXTURE), "python", "rust", ratio, low, high)
    s3 = verdict_of(evaluate(registry, [result]), "S3")
    assert s3.verdict == expected
    assert s3.evidence[0].ratio == ratio


@pytest.mark.parametrize(
    "low, high, expected", [(0.95, 1.05, HOLDS), (1.2, 1.4, DOES_NOT_HOLD), (1.0, 1.2, INCONCLUSIVE)]
)
def test_at_most_rule_uses_the_interval(registry, low, high, expected):
    result = with_comparison(load_result(FIXTURE), "rust", "cpp", (low + high) / 2, low, high)
    result["benchmarks"][-1]["workload"] = "null"
    registry = copy.deepcopy(registry)
    s1 = next(c for c in registry["claim"] if c["id"] == "S1")
    s1["test"][0]["workloads"].append("null")
    assert verdict_of(evaluate(registry, [result]), "S1").verdict == expected


def test_the_report_shows_every_claim_with_a_verdict_or_a_reason():
    text = render_markdown(load_result(FIXTURE))
    claims = text.split("## Claims", 1)[1].split("\n## ", 1)[0]
    for claim_id in CLAIM_IDS:
        row = next(line for line in claims.splitlines() if line.startswith(f"| {claim_id} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert cells[2] in (HOLDS, DOES_NOT_HOLD, INCONCLUSIVE, NOT_MEASURABLE)
        assert cells[4] != "-", f"{claim_id} has neither evidence nor a reason"


def test_a_broken_registry_is_a_clear_error(tmp_path):
    bad = tmp_path / "claims.toml"
    bad.write_text('[sources]\nA = "x"\n[[claim]]\nid = "S1"\ntitle = "t"\nquote = "q"\nsources = ["Z"]\n')
    with pytest.raises(RegistryError, match=re.escape("unknown source 'Z'")):
        load_registry(bad)
    bad.write_text("[[claim]\n")
    with pytest.raises(RegistryError, match="claims.toml"):
        load_registry(bad)
