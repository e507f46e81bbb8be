"""matplotlib figures, one per case, written as PNG files. Pure: data in, file out."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: reports are rendered headless, in CI too
import matplotlib.pyplot as plt  # noqa: E402

from .units import format_quantity  # noqa: E402

_SCALES = {"ns": [(1e9, "s"), (1e6, "ms"), (1e3, "us"), (1, "ns")],
           "bytes": [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"), (1, "B")]}


def _scale(unit: str, largest: float) -> tuple[float, str]:
    for scale, suffix in _SCALES.get(unit, []):
        if largest >= scale:
            return scale, suffix
    return 1.0, unit


def plot_case(benches: list[dict], path: Path) -> Path | None:
    """Median of each implementation's primary metric with its 95% interval; None when nothing was ok."""
    bars = []
    for bench in benches:
        for stat in bench.get("statistics", []):
            if stat["metric"] == bench.get("primary_metric"):
                bars.append((bench["implementation"], stat))
    if not bars:
        return None
    unit = bars[0][1]["unit"]
    scale, suffix = _scale(unit, max(stat["median"] for _, stat in bars))
    names = [name for name, _ in bars]
    medians = [stat["median"] / scale for _, stat in bars]
    low = [(stat["median"] - stat["ci95_low"]) / scale for _, stat in bars]
    high = [(stat["ci95_high"] - stat["median"]) / scale for _, stat in bars]
    figure, axes = plt.subplots(figsize=(7, 0.6 * len(bars) + 1.4))
    axes.barh(names, medians, xerr=[low, high], capsize=4, color="#4878a8")
    for i, (_, stat) in enumerate(bars):
        axes.annotate(format_quantity(stat["median"], unit), (medians[i], i), xytext=(6, 6),
                      textcoords="offset points", fontsize=8)
    axes.invert_yaxis()
    positive = [m for m in medians if m > 0]
    if positive and max(positive) / min(positive) > 20:
        # Ratios of 100x and more are common here; on a linear axis the fast bar would vanish.
        axes.set_xscale("log")
    axes.set_xlabel(f"{bars[0][1]['metric']} ({suffix}); median with bootstrap 95% CI")
    axes.set_title(f"{benches[0]['workload']} / {benches[0]['case_name']}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
