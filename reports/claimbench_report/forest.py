"""The claims at a glance: one forest plot of every claim's evidence, written as a PNG. Pure: verdicts in,
file out.

Each evidence row is a comparison's cost (how many times worse the contender is than the baseline,
rules.py) with its 95% interval on a log axis, so "worse" is always to the right whatever the metric's
direction; the claim's threshold is drawn across its rows (a band for a range claim). Rows are shaded by
outcome and each claim's heading row by its verdict, so the figure reads without the table.
"""

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: reports are rendered headless, in CI too
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .claims import INDICATIVE, NOT_MEASURABLE, ClaimVerdict, Evidence  # noqa: E402
from .rules import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE  # noqa: E402

COLORS = {HOLDS: "#2e7d32", DOES_NOT_HOLD: "#c62828", INCONCLUSIVE: "#f9a825", INDICATIVE: "#5c6bc0",
          NOT_MEASURABLE: "#9e9e9e"}
_ROW_INCHES = 0.26
_LABEL_CHARS = 70


def _short(text: str, limit: int = _LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _positive(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value) and value > 0


def _evidence_label(e: Evidence) -> str:
    run = f" {e.run_id}" if e.run_id else ""
    if e.rule.on_value:
        return _short(f"  {e.workload}/{e.case} {e.metric}: {e.contender} at most {e.rule.low:g}{run}")
    return _short(f"  {e.workload}/{e.case} {e.metric}: {e.contender} vs {e.baseline}{run}")


def _x_limits(verdicts: list[ClaimVerdict]) -> tuple[float, float]:
    values = [1.0]
    for v in verdicts:
        for e in v.evidence:
            if e.rule.on_value:
                continue  # a value in its own unit, not a cost: written as text on its row
            values += [x for x in (e.cost.point, e.cost.low, e.cost.high) if _positive(x)]
            values += e.rule.thresholds()
    low, high = min(values), max(values)
    return low / 2, high * 2


def plot_claims_forest(verdicts: list[ClaimVerdict], path: Path) -> Path:
    """Writes the forest plot of `verdicts` to `path` (PNG) and returns it; every claim gets a heading row,
    with its evidence rows below it. Not thread-safe (matplotlib's pyplot state)."""
    rows = []  # (label, colour, evidence or None, bold)
    for v in verdicts:
        heading = f"{v.id} {v.title}: {v.verdict}"
        rows.append((_short(heading, _LABEL_CHARS + 10), COLORS.get(v.verdict, COLORS[NOT_MEASURABLE]), None, v))
        for e in v.evidence:
            rows.append((_evidence_label(e), COLORS.get(e.outcome, COLORS[INCONCLUSIVE]), e, None))
    x_low, x_high = _x_limits(verdicts)
    figure, axes = plt.subplots(figsize=(11, _ROW_INCHES * len(rows) + 1.6))
    axes.set_xscale("log")
    axes.set_xlim(x_low, x_high)
    axes.set_ylim(max(len(rows), 1) - 0.5, -0.5)
    axes.axvline(1.0, color="#555555", linewidth=0.8, linestyle=":")
    for y, (_, color, evidence, verdict) in enumerate(rows):
        axes.axhspan(y - 0.5, y + 0.5, color=color, alpha=0.28 if verdict is not None else 0.12, linewidth=0)
        if verdict is not None:
            if not verdict.evidence:
                reason = "; ".join(verdict.reasons) or verdict.verdict
                axes.text(x_low * 1.1, y, _short(reason, 120), va="center", fontsize=6.5, color="#333333")
            continue
        rule = evidence.rule
        if rule.on_value:
            value = evidence.cost.point
            text = "-" if value is None else f"median {value:.3g} against a bound of {rule.low:.3g}: {evidence.outcome}"
            axes.text(x_low * 1.1, y, text, va="center", fontsize=6.5, color="#333333")
            continue
        if rule.kind == "within":
            axes.fill_betweenx([y - 0.5, y + 0.5], rule.low, rule.high, color="#000000", alpha=0.06, linewidth=0)
        for threshold in rule.thresholds():
            axes.plot([threshold, threshold], [y - 0.5, y + 0.5], color="#000000", linewidth=1.4)
        cost = evidence.cost
        if not _positive(cost.point):
            axes.text(x_low * 1.1, y, "no ratio", va="center", fontsize=6.5, color="#333333")
            continue
        if _positive(cost.low) and _positive(cost.high):
            axes.errorbar([cost.point], [y], xerr=[[cost.point - cost.low], [cost.high - cost.point]], fmt="o",
                          color=color, markersize=4, capsize=2.5, linewidth=1.2)
        else:  # too few pairs for an interval: the ratio alone, hollow
            axes.plot([cost.point], [y], "o", markerfacecolor="white", markeredgecolor=color, markersize=4.5)
    axes.set_yticks(range(len(rows)), [label for label, *_ in rows], fontsize=7)
    for tick, (_, _, _, verdict) in zip(axes.get_yticklabels(), rows, strict=True):
        if verdict is not None:
            tick.set_fontweight("bold")
    axes.tick_params(axis="y", length=0)
    axes.set_xlabel("cost: how many times worse the contender is than the baseline (log scale; left of 1 = better); "
                    "black line = the claim's threshold, grey band = a range", fontsize=8)
    axes.set_title("The claims at a glance: each claim's paired evidence with its 95% interval", fontsize=10,
                   pad=22)
    legend = [Patch(color=c, alpha=0.5, label=name) for name, c in COLORS.items()]
    axes.legend(handles=legend, fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(legend),
                frameon=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return path
