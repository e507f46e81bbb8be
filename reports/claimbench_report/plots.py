"""matplotlib figures, one per case, written as PNG files. Pure: data in, file out."""

import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: reports are rendered headless, in CI too
import matplotlib.pyplot as plt  # noqa: E402

from .units import format_quantity  # noqa: E402

_SCALES = {"ns": [(1e9, "s"), (1e6, "ms"), (1e3, "us"), (1, "ns")],
           "bytes": [(1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB"), (1, "B")]}


def _finite(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _scale(unit: str, largest: float) -> tuple[float, str]:
    for scale, suffix in _SCALES.get(unit, []):
        if largest >= scale:
            return scale, suffix
    return 1.0, unit


def plot_case(benches: list[dict], path: Path) -> Path | None:
    """Median of each implementation's primary metric with its 95% interval; None when nothing was ok."""
    bars = []
    for bench in benches:
        for stat in bench.get("statistics") or []:
            if stat.get("metric") == bench.get("primary_metric") and _finite(stat.get("median")):
                bars.append((str(bench.get("implementation", "?")), stat))
    if not bars:
        return None
    unit = bars[0][1].get("unit", "")
    scale, suffix = _scale(unit, max(stat["median"] for _, stat in bars))
    names = [name for name, _ in bars]
    medians = [stat["median"] / scale for _, stat in bars]
    # A missing interval end (not finite, written as null) draws no whisker on that side.
    low = [max(stat["median"] - stat["ci95_low"], 0) / scale if _finite(stat.get("ci95_low")) else 0
           for _, stat in bars]
    high = [max(stat["ci95_high"] - stat["median"], 0) / scale if _finite(stat.get("ci95_high")) else 0
            for _, stat in bars]
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


def plot_latency_percentiles(benches: list[dict], path: Path) -> Path | None:
    """HdrHistogram-style percentile plot (x: 1/(1-p) on a log axis), corrected solid, uncorrected dashed."""
    curves = []
    for bench in benches:
        for dist in bench.get("latency", []):
            total = sum(count for _, count in dist["buckets"])
            if total == 0:
                continue
            xs, ys, seen = [], [], 0
            for value, count in dist["buckets"]:
                seen += count
                fraction = seen / total
                if fraction >= 1.0:
                    fraction = 1 - 0.5 / total  # the maximum: plot it just past the last finite point
                xs.append(1 / (1 - fraction))
                ys.append(value / 1e3)
            curves.append((bench["implementation"], dist["name"], xs, ys))
    if not curves:
        return None
    figure, axes = plt.subplots(figsize=(7, 3.6))
    colors = {}
    for impl, name, xs, ys in curves:
        color = colors.setdefault(impl, f"C{len(colors)}")
        axes.step(xs, ys, where="post", color=color, linestyle="-" if name == "corrected" else "--",
                  label=f"{impl} ({name})")
    axes.set_xscale("log")
    ticks = [1, 2, 10, 100, 1000, 10000, 100000]
    axes.set_xticks(ticks, ["0%", "50%", "90%", "99%", "99.9%", "99.99%", "99.999%"])
    axes.set_xlim(1, max(max(xs) for _, _, xs, _ in curves) * 1.5)
    axes.set_xlabel("percentile")
    axes.set_ylabel("latency (us)")
    axes.set_title(f"{benches[0]['workload']} / {benches[0]['case_name']}: latency by percentile")
    axes.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_rss_timeline(benches: list[dict], path: Path) -> Path | None:
    """Resident memory of each implementation's last repetition over its life."""
    lines = [(b["implementation"], b["rss_timeline"]) for b in benches if len(b.get("rss_timeline", [])) > 1]
    if not lines:
        return None
    figure, axes = plt.subplots(figsize=(7, 3.2))
    for impl, timeline in lines:
        axes.plot([t / 1e9 for t, _ in timeline], [rss / 2**20 for _, rss in timeline], label=impl)
    axes.set_xlabel("seconds since start")
    axes.set_ylabel("RSS (MiB)")
    axes.set_title(f"{benches[0]['workload']} / {benches[0]['case_name']}: resident memory over time")
    axes.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_latency_timeline(benches: list[dict], path: Path) -> Path | None:
    """Each service's p99.9 latency per interval (a second, unless the case says otherwise) across its last
    ok measured run, log scale: a garbage collector's periodic pauses show as regular spikes (claim L1)."""
    lines = []
    for bench in benches:
        points = [(p["t_ns"] / 1e9, p["values"].get("p99.9_ns")) for p in bench.get("timeline") or []]
        points = [(t, v / 1e6) for t, v in points if isinstance(v, (int, float)) and math.isfinite(v) and v > 0]
        if len(points) > 1:
            lines.append((bench["implementation"], points))
    if not lines:
        return None
    figure, axes = plt.subplots(figsize=(7, 3.2))
    for impl, points in lines:
        axes.plot([t for t, _ in points], [v for _, v in points], label=impl, linewidth=0.9)
    axes.set_yscale("log")
    axes.set_xlabel("seconds since the measured load started")
    axes.set_ylabel("p99.9 per interval (ms)")
    axes.set_title(f"{benches[0]['workload']} / {benches[0]['case_name']}: tail latency over time")
    axes.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


_AT_LOAD = re.compile(r"^(uncorrected_)?(p50|p99|p999)_at_(\w+)_ns$")


def plot_latency_vs_load(benches: list[dict], path: Path) -> Path | None:
    """Latency against achieved load for sweeps: metrics `p99_at_<step>_ns` with `achieved_rps_at_<step>`
    (medians over repetitions); corrected solid, uncorrected dashed, one colour per implementation."""
    curves = []
    for bench in benches:
        stats = {s.get("metric"): s.get("median") for s in bench.get("statistics") or [] if _finite(s.get("median"))}
        lines: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for metric, value in stats.items():
            match = _AT_LOAD.match(metric)
            if not match or f"achieved_rps_at_{match.group(3)}" not in stats:
                continue
            kind = "uncorrected" if match.group(1) else "corrected"
            rate = stats[f"achieved_rps_at_{match.group(3)}"]
            lines.setdefault((match.group(2), kind), []).append((rate, value / 1e3))
        for (percentile, kind), points in lines.items():
            if len(points) > 1:
                curves.append((bench["implementation"], percentile, kind, sorted(points)))
    if not curves:
        return None
    figure, axes = plt.subplots(figsize=(7, 3.6))
    colors: dict[str, str] = {}
    for impl, percentile, kind, points in curves:
        if percentile != "p99":
            continue
        color = colors.setdefault(impl, f"C{len(colors)}")
        axes.plot([x for x, _ in points], [y for _, y in points], marker="o", color=color,
                  linestyle="-" if kind == "corrected" else "--", label=f"{impl} p99 ({kind})")
    axes.set_yscale("log")
    axes.set_xlabel("achieved requests per second")
    axes.set_ylabel("p99 latency (us)")
    axes.set_title(f"{benches[0]['workload']} / {benches[0]['case_name']}: latency against offered load")
    axes.legend(fontsize=7)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
