"""Claim rules stated on a direction-normalised cost, so that no verdict can invert with a metric's direction.

A comparison's ratio is contender/baseline of the metric's value: 2.0 for `timed_ns` means twice the time
(worse), 2.0 for `max_rps` twice the throughput (better). Rules never read that ratio directly. They read the
**cost**: how many times worse the contender is than the baseline, contender/baseline for a lower-is-better
metric and baseline/contender for a higher-is-better one (the interval's ends swap with the inversion). A
cost of 2 is always "twice as bad", below 1 always "better", whichever way the metric points.

    at_most F    the contender is at most F times worse:  holds when the cost interval lies at or below F,
                 does not hold when it lies wholly above F
    at_least F   the contender is at least F times worse: holds when the interval lies at or above F,
                 does not hold when it lies wholly below F
    within L H   the cost is between L and H (a range claim such as "10-1000x"): holds when the interval lies
                 inside [L, H]; does not hold when it lies wholly below L or wholly above H, and says which

Anything else (an interval that straddles a threshold) is inconclusive.

One rule reads no ratio: a claim about what one implementation is on its own ("single binary distribution":
one file, nothing to install beside it) bounds that implementation's own value of a metric:

    value_at_most B   the contender's median is at most B, in the metric's unit: holds when the 95% interval of
                      the median lies at or below B, does not hold when it lies wholly above B

Its "cost" is that value and interval, not a ratio (Cost's fields say which).

One rule reads no measurement at all but the bug corpus' detection matrix (safety/, safety.py):

    corpus_rejects    every case of the named bug classes written in safe Rust is rejected by the tool at
                      compile time: holds when all are, does not hold when one compiles
"""

import math
from dataclasses import dataclass

HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
INCONCLUSIVE = "inconclusive"

RULES = ("at_most", "at_least", "within", "value_at_most")
VALUE_RULES = ("value_at_most",)
CORPUS_RULES = ("corpus_rejects",)  # judged by safety.py on the safety matrix, not on ratios


@dataclass(frozen=True)
class Cost:
    """How many times worse the contender is than the baseline, with its 95% interval (None: not known)."""

    point: float | None
    low: float | None
    high: float | None


def _finite_positive(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def cost_of(ratio, low, high, higher_is_better: bool) -> Cost:
    """The cost of a contender/baseline `ratio` and its interval [low, high] for a metric of the given
    direction. Values that are missing, zero, negative or not finite become None; pure, thread-safe."""

    def invert(value):
        if not _finite_positive(value):
            return None
        return 1.0 / value if higher_is_better else float(value)

    point = invert(ratio)
    ends = (invert(high), invert(low)) if higher_is_better else (invert(low), invert(high))
    return Cost(point, *ends)


@dataclass(frozen=True)
class Rule:
    """One registry rule: `kind` is at_most, at_least, within or value_at_most; `low`/`high` are its thresholds
    on the cost (at_most and at_least use `low` = `high` = the factor, value_at_most the bound on the value)."""

    kind: str
    low: float
    high: float

    @staticmethod
    def from_test(test: dict) -> "Rule":
        if test["rule"] == "within":
            low, high = test["range"]
            return Rule("within", float(low), float(high))
        if test["rule"] in VALUE_RULES:
            return Rule(test["rule"], float(test["bound"]), float(test["bound"]))
        return Rule(test["rule"], float(test["factor"]), float(test["factor"]))

    @property
    def on_value(self) -> bool:
        """True for a rule on the contender's own value rather than on a ratio to a baseline."""
        return self.kind in VALUE_RULES

    def thresholds(self) -> list[float]:
        return [self.low] if self.kind != "within" else [self.low, self.high]

    def describe(self, contender: str, baseline: str) -> str:
        """The rule in words, e.g. 'rust costs at most 1.1x what cpp costs'."""
        if self.kind == "value_at_most":
            return f"{contender}'s median is at most {self.low:g}"
        if self.kind == "at_most":
            return f"{contender} costs at most {self.low:g}x what {baseline} costs"
        if self.kind == "at_least":
            return f"{contender} costs at least {self.low:g}x what {baseline} costs"
        return f"{contender} costs {self.low:g}x to {self.high:g}x what {baseline} costs"

    def judge(self, cost: Cost) -> tuple[str, str]:
        """(outcome, where) for a cost interval: the outcome is holds, does not hold or inconclusive; `where`
        says where the interval lies against the thresholds. The interval must be known (low and high not
        None)."""
        low, high = cost.low, cost.high
        if self.kind in ("at_most", "value_at_most"):
            if high <= self.low:
                return HOLDS, f"at or below {self.low:g}"
            if low > self.low:
                return DOES_NOT_HOLD, f"above {self.low:g}"
            return INCONCLUSIVE, f"the interval straddles {self.low:g}"
        if self.kind == "at_least":
            if low >= self.low:
                return HOLDS, f"at or above {self.low:g}"
            if high < self.low:
                return DOES_NOT_HOLD, f"below {self.low:g}"
            return INCONCLUSIVE, f"the interval straddles {self.low:g}"
        if high < self.low:
            return DOES_NOT_HOLD, f"below the range {self.low:g}-{self.high:g}"
        if low > self.high:
            return DOES_NOT_HOLD, f"above the range {self.low:g}-{self.high:g}"
        if self.low <= low and high <= self.high:
            return HOLDS, f"inside the range {self.low:g}-{self.high:g}"
        edge = self.low if low < self.low else self.high
        return INCONCLUSIVE, f"the interval straddles {edge:g}, an end of the range {self.low:g}-{self.high:g}"
