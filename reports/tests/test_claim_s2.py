"""Claim S2 (zero-cost abstractions) as claims.toml registers it: Rust's high-level style against its own
hand-written style on the abstractions workload, whose baseline (rust) is not the workload's reference, whose
faster-than-hand-written results count as "pays nothing", and where C++'s ranges are context only."""

import pytest

from claimbench_report.claims import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, evaluate, load_registry
from result_builder import add_case, add_comparison, make_result

KERNELS = ["sum_even_squares", "dot_product", "filter_map_collect", "matvec", "word_lengths"]
IMPLS = ["cpp", "cpp_ranges", "rust", "rust_iter"]


def abstractions_run(rust_iter_cost: dict[str, float], cpp_ranges_cost: dict[str, float]) -> dict:
    """A standard run of every kernel with the given cost per kernel (1.0 where not named)."""
    result = make_result()
    for kernel in KERNELS:
        add_case(result, "abstractions", kernel, IMPLS)
        add_comparison(result, "abstractions", kernel, "rust_iter", "rust", "timed_ns", rust_iter_cost.get(kernel, 1.0),
                       low=None if kernel in rust_iter_cost else 0.99, high=None if kernel in rust_iter_cost else 1.01)
        add_comparison(result, "abstractions", kernel, "cpp_ranges", "cpp", "timed_ns",
                       cpp_ranges_cost.get(kernel, 1.0), low=None if kernel in cpp_ranges_cost else 0.99,
                       high=None if kernel in cpp_ranges_cost else 1.01)
    return result


def s2(result: dict):
    return next(v for v in evaluate(load_registry(), [result]) if v.id == "S2")


@pytest.mark.parametrize("rust_iter, cpp_ranges, expected", [
    ({}, {}, HOLDS),                                              # the same cost everywhere
    ({"filter_map_collect": 0.8}, {"sum_even_squares": 0.8}, HOLDS),  # faster than by hand: pays nothing
    ({"word_lengths": 1.7}, {}, DOES_NOT_HOLD),                   # one kernel is enough
    ({}, {"dot_product": 1.5}, HOLDS),                            # C++'s ranges are context, not the claim
    ({"matvec": 1.04}, {}, INCONCLUSIVE),                         # 1.04 x [0.97, 1.03] straddles 1.05
])
def test_s2_compares_each_high_level_style_with_its_own_hand_written_one(rust_iter, cpp_ranges, expected):
    verdict = s2(abstractions_run(rust_iter, cpp_ranges))
    assert verdict.verdict == expected, verdict.reasons
    pairs = {(e.contender, e.baseline) for e in verdict.evidence}
    assert pairs == {("rust_iter", "rust")}
    assert len(verdict.evidence) == len(KERNELS)
