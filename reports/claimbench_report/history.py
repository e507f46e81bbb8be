"""./claimbench history RESULTS_DIR: each benchmark's primary metric across result files in commit order,
with change points marked, so a slowdown that crept in over many commits is visible.

Change points come from binary segmentation: the split of a series that best separates its runs' raw
samples (largest relative change of the median) is kept when the change exceeds the threshold and a
Mann-Whitney U test on the two sides' samples gives p < alpha; both sides are then searched again. Runs
are ordered by the position of their commit in `git rev-list --topo-order`, then by start time.

A series is one benchmark under one profile, variant and set of case parameters: runs that measured
different things never share a series. Every file is checked against results/schema.json first; a bad one
stops the history with one line naming the file and field (exit 2).
"""

import argparse
import math
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from scipy.stats import mannwhitneyu  # noqa: E402

from .load import ResultError, load_result  # noqa: E402
from .units import format_quantity  # noqa: E402


@dataclass
class Point:
    run_id: str
    commit: str
    started_at: str
    median: float
    ci95_low: float
    ci95_high: float
    samples: list[float]


@dataclass
class Series:
    benchmark: str
    metric: str
    unit: str
    points: list[Point] = field(default_factory=list)


@dataclass
class ChangePoint:
    index: int  # the first run after the change
    before_median: float
    after_median: float
    p_value: float

    @property
    def ratio(self) -> float:
        return self.after_median / self.before_median if self.before_median else math.inf


def load_results(directory: Path) -> list[dict]:
    results = []
    for path in sorted(directory.glob("run-*.json")):
        try:
            results.append(load_result(path))
        except ResultError as error:
            raise ResultError(f"{error} (or move the file out of {directory} to leave it out of the history)") \
                from error
    return results


def _git_order(repo_root: Path) -> dict[str, int]:
    try:
        out = subprocess.run(["git", "-C", str(repo_root), "rev-list", "--topo-order", "--reverse", "HEAD"],
                             capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    return {commit: i for i, commit in enumerate(out.split())}


def commit_order(results: list[dict], repo_root: Path) -> list[dict]:
    order = _git_order(repo_root)

    def key(result: dict):
        commit = result.get("context", {}).get("git", {}).get("commit", "")
        return (order.get(commit, math.inf), result["claimbench"].get("started_at", ""))

    return sorted(results, key=key)


def _finite(value) -> bool:
    return isinstance(value, int | float) and math.isfinite(value)


def _conditions(meta: dict, bench: dict) -> tuple:
    """What must be equal for two runs of a benchmark to be one series."""
    return (meta.get("profile"), meta.get("variant"), tuple(sorted((bench.get("parameters") or {}).items())))


def build_series(results: list[dict]) -> list[Series]:
    """One series per benchmark name and conditions (_conditions); a name measured under several conditions
    gets them in its series' name, e.g. 'null/batch_compute/cpp (quick, asan)'."""
    by_key: dict[tuple, Series] = {}
    for result in results:
        meta = result.get("claimbench") or {}
        commit = (result.get("context") or {}).get("git", {}).get("commit", "unknown")
        for bench in result.get("benchmarks") or []:
            metric = bench.get("primary_metric")
            stat = next((s for s in bench.get("statistics") or [] if s.get("metric") == metric), None)
            if bench.get("status") != "ok" or stat is None or not _finite(stat.get("median")):
                continue
            samples = [s["metrics"][metric] for s in bench.get("samples") or []
                       if not s.get("warmup") and s.get("status") == "ok" and _finite(s["metrics"].get(metric))]
            median = stat["median"]
            low = stat["ci95_low"] if _finite(stat.get("ci95_low")) else median
            high = stat["ci95_high"] if _finite(stat.get("ci95_high")) else median
            key = (bench["name"], *_conditions(meta, bench))
            series = by_key.setdefault(key, Series(bench["name"], metric, stat.get("unit", "")))
            series.points.append(Point(meta.get("run_id", "?"), commit, meta.get("started_at", ""), median,
                                       low, high, samples))
    names = [key[0] for key in by_key]
    for key, series in by_key.items():
        if names.count(key[0]) > 1:
            name, profile, variant, parameters = key
            differing = [f"{k}={v}" for k, v in parameters
                         if any(dict(other[3]).get(k) != v for other in by_key if other[0] == name)]
            series.benchmark = f"{name} ({', '.join([str(profile), str(variant), *differing])})"
    return list(by_key.values())


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def change_points(points: list[Point], threshold: float = 0.05, alpha: float = 0.01,
                  min_segment: int = 2) -> list[ChangePoint]:
    found: list[ChangePoint] = []

    def search(lo: int, hi: int) -> None:
        best = None
        for k in range(lo + min_segment, hi - min_segment + 1):
            before = [v for p in points[lo:k] for v in (p.samples or [p.median])]
            after = [v for p in points[k:hi] for v in (p.samples or [p.median])]
            m_before, m_after = _median(before), _median(after)
            if m_before <= 0 or abs(m_after / m_before - 1) <= threshold:
                continue
            p_value = mannwhitneyu(before, after, alternative="two-sided").pvalue
            if p_value >= alpha:
                continue
            size = abs(math.log(m_after / m_before))
            if best is None or size > best[0]:
                best = (size, ChangePoint(k, m_before, m_after, float(p_value)))
        if best is None:
            return
        found.append(best[1])
        search(lo, best[1].index)
        search(best[1].index, hi)

    search(0, len(points))
    return sorted(found, key=lambda c: c.index)


def plot_series(series: Series, changes: list[ChangePoint], path: Path) -> Path:
    xs = list(range(len(series.points)))
    figure, axes = plt.subplots(figsize=(8, 3.2))
    medians = [p.median for p in series.points]
    low = [max(p.median - p.ci95_low, 0) for p in series.points]
    high = [max(p.ci95_high - p.median, 0) for p in series.points]
    axes.errorbar(xs, medians, yerr=[low, high], fmt="o-", capsize=3, color="#4878a8", label="median, 95% CI")
    for change in changes:
        axes.axvline(change.index - 0.5, color="#c44e52", linestyle="--")
        axes.annotate(f"x{change.ratio:.2f}", (change.index - 0.5, max(medians)), color="#c44e52", fontsize=8)
    axes.set_xticks(xs, [p.commit[:7] for p in series.points], rotation=45, fontsize=7)
    axes.set_ylabel(f"{series.metric} ({series.unit})")
    axes.set_title(series.benchmark)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def write_history(results_dir: Path, out_dir: Path, repo_root: Path, threshold: float) -> str:
    results = commit_order(load_results(results_dir), repo_root)
    if not results:
        raise ResultError(f"{results_dir}: no readable run-*.json result files")
    lines = [f"# claimbench history: {len(results)} runs from {results_dir}", "",
             "| benchmark | metric | runs | first | last | change points |", "|---|---|---:|---:|---:|---|"]
    for series in build_series(results):
        changes = change_points(series.points, threshold=threshold)
        stem = re.sub(r"[^A-Za-z0-9_.=-]+", "-", series.benchmark.replace("/", "-")).strip("-.")
        image = plot_series(series, changes, out_dir / f"{stem}.png")
        described = "; ".join(f"at {series.points[c.index].commit[:7]} ({series.points[c.index].run_id}): "
                              f"x{c.ratio:.3f}, p={c.p_value:.2g}" for c in changes) or "none"
        lines.append(f"| `{series.benchmark}` | {series.metric} | {len(series.points)} | "
                     f"{format_quantity(series.points[0].median, series.unit)} | "
                     f"{format_quantity(series.points[-1].median, series.unit)} | {described} |")
        lines.append(f"| ![{series.benchmark}]({image.name}) | | | | | |")
    text = "\n".join(lines) + "\n"
    (out_dir / "history.md").write_text(text, encoding="utf-8")
    return text


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="claimbench history", description=__doc__.splitlines()[0])
    parser.add_argument("results_dir", type=Path, help="a directory of run-*.json result files")
    parser.add_argument("--out", type=Path, help="output directory (default: RESULTS_DIR/history)")
    parser.add_argument("--threshold", type=float, default=5.0, help="smallest change to mark, in percent")
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[2],
                        help="git checkout that orders the commits")
    args = parser.parse_args(argv)
    if not args.results_dir.is_dir():
        print(f"claimbench: error: {args.results_dir}: not a directory; give the directory that holds the "
              "run-*.json result files (e.g. results/runs)", file=sys.stderr)
        return 2
    out_dir = args.out or args.results_dir / "history"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        text = write_history(args.results_dir, out_dir, args.repo, args.threshold / 100)
    except ResultError as error:
        print(f"claimbench: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"claimbench: error: cannot write the history: {error}", file=sys.stderr)
        return 2
    print(text, end="")
    print(f"history: {out_dir / 'history.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
