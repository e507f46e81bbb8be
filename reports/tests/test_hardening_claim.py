"""Claim F3 (the price of hardening C++) on made-up results: its rule's direction, the ASan context test that never
changes the verdict, and the diagnostic label that keeps a sanitizer build out of every claim's verdict."""

import pytest
from test_claims import judge, one_test_registry, verdict_of

from claimbench_report.claims import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, INDICATIVE, RegistryError, evaluate
from claimbench_report.registry import load_registry
from result_builder import add_case, add_comparison, make_result

LABELS = {"cpp": "idiomatic", "cpp_hardened": "variant", "cpp_libcxx": "variant", "cpp_libcxx_hardened": "variant",
          "cpp_asan": "diagnostic"}


@pytest.fixture(scope="module")
def registry() -> dict:
    return load_registry()


def hardening_run(hardened: float, libcxx_hardened: float, asan: float, **kwargs) -> dict:
    """null/batch_compute with every F3 contender at the given costs (timed_ns ratios)."""
    impls = ["cpp", "cpp_hardened", "cpp_libcxx", "cpp_libcxx_hardened", "cpp_asan"]
    result = add_case(make_result(**kwargs), "null", "batch_compute", impls)
    for bench in result["benchmarks"]:
        bench["label"] = LABELS[bench["implementation"]]
    for contender, baseline, ratio in (("cpp_hardened", "cpp", hardened), ("cpp_libcxx", "cpp", 1.0),
                                       ("cpp_libcxx_hardened", "cpp_libcxx", libcxx_hardened),
                                       ("cpp_asan", "cpp", asan)):
        add_comparison(result, "null", "batch_compute", contender, baseline, "timed_ns", ratio)
    return result


@pytest.mark.parametrize(("hardened", "libcxx_hardened", "expected"), [
    (1.20, 1.10, HOLDS),  # hardening costs more than 5% on both standard libraries
    (1.003, 1.003, DOES_NOT_HOLD),  # Google's 0.3%: with the builder's +-3% interval, wholly below 5%
    (1.05, 1.20, INCONCLUSIVE),  # the interval straddles 5%
])
def test_f3_reads_the_hardened_cost_against_five_percent(registry, hardened, libcxx_hardened, expected):
    verdict = judge(registry, "F3", hardening_run(hardened=hardened, libcxx_hardened=libcxx_hardened, asan=2.0))
    assert verdict.verdict == expected, verdict.reasons


def test_asans_price_is_shown_as_context_and_never_changes_the_verdict(registry):
    # ASan's cost (0.5: "does not hold" were it a test of its own) leaves the hardened builds' verdict alone.
    verdict = judge(registry, "F3", hardening_run(hardened=1.20, libcxx_hardened=1.10, asan=0.5))
    assert verdict.verdict == HOLDS, verdict.reasons
    asan = [e for e in verdict.evidence if e.contender == "cpp_asan"]
    assert len(asan) == 1 and asan[0].outcome == INDICATIVE
    assert asan[0].detail.startswith("context, not part of the verdict")
    assert any(rule.startswith("context, not part of the verdict: ") for rule in verdict.rules)


def test_the_rust_ports_bounds_checks_are_shown_as_context_and_never_change_the_verdict(registry):
    # The port against its unchecked build (rust_unchecked, a diagnostic) on the tokenizer: a 20% price would be
    # "holds" on its own, a 0.9 "does not hold"; either way the hardened builds alone decide.
    for rust_cost in (1.20, 0.90):
        result = hardening_run(hardened=1.003, libcxx_hardened=1.003, asan=2.0)
        result = add_case(result, "tokenizer", "encode_gpt2", ["cpp", "rust", "rust_unchecked"])
        for bench in result["benchmarks"]:
            bench["label"] = LABELS.get(bench["implementation"], "idiomatic")
            if bench["implementation"] == "rust_unchecked":
                bench["label"] = "diagnostic"
        add_comparison(result, "tokenizer", "encode_gpt2", "rust", "rust_unchecked", "timed_ns", rust_cost)
        verdict = judge(registry, "F3", result)
        assert verdict.verdict == DOES_NOT_HOLD, verdict.reasons
        rust = [e for e in verdict.evidence if (e.contender, e.baseline) == ("rust", "rust_unchecked")]
        assert len(rust) == 1 and rust[0].outcome == INDICATIVE
        assert rust[0].detail.startswith("context, not part of the verdict")


def test_context_evidence_alone_does_not_make_a_claim_indicative(registry):
    result = hardening_run(hardened=1.20, libcxx_hardened=1.10, asan=2.0)
    result["claimbench"]["comparisons"] = [c for c in result["claimbench"]["comparisons"]
                                           if c["contender"] == "cpp_asan"]
    verdict = judge(registry, "F3", result)
    assert verdict.verdict != INDICATIVE, "only context evidence: nothing the verdict could be read from"


def test_a_diagnostic_build_never_counts_even_where_a_test_names_it():
    registry = one_test_registry(cases=["null/batch_compute"], contender="cpp_asan", baseline="cpp",
                                 metric="primary", rule="at_least", factor=1.05)
    verdict = verdict_of(evaluate(registry, [hardening_run(1.2, 1.1, asan=2.0)]), "Z9")
    assert verdict.verdict == INDICATIVE
    assert "cpp_asan is a diagnostic build" in verdict.evidence[0].detail


def test_context_must_be_a_boolean(tmp_path):
    path = tmp_path / "claims.toml"
    path.write_text('[sources]\nA = "a"\n[[claim]]\nid = "Z9"\ntitle = "t"\nquote = "q"\nsources = ["A"]\n'
                    '[[claim.test]]\ncontext = "yes"\ncases = ["null/batch_compute"]\ncontender = "a"\n'
                    'baseline = "b"\nmetric = "primary"\nrule = "at_most"\nfactor = 1.1\n')
    with pytest.raises(RegistryError, match="'context' must be true or false"):
        load_registry(path)
