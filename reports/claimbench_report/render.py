"""Markdown and HTML reports of one run: environment, warnings, per-case tables and plots, methodology.

Both formats are rendered from the same intermediate sections, so they always say the same thing.
"""

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from .claims import DEFAULT_REGISTRY, evaluate, load_registry
from .eligibility import indicative_reasons
from .forest import plot_claims_forest
from .plots import plot_case, plot_latency_percentiles, plot_latency_timeline, plot_latency_vs_load, plot_rss_timeline
from .safety import safety_section
from .strictness import strictness_section
from .units import format_quantity

ENVIRONMENT_KEYS = [
    ("cpu.model", "CPU"),
    ("cpu.logical_cores", "logical cores"),
    ("cpu.physical_cores", "physical cores"),
    ("cpu.mhz", "MHz"),
    ("cpu.scaling_governors", "frequency governor"),
    ("memory.total_bytes", "memory"),
    ("kernel.release", "kernel"),
    ("virtualization.container", "in a container"),
    ("virtualization.container_engine", "container engine"),
    ("cpu.cgroup_quota_cores", "cgroup CPU quota (cores)"),
    ("memory.cgroup_limit_bytes", "cgroup memory limit"),
    ("virtualization.seccomp", "seccomp"),
    ("build.variant", "build variant"),
    ("build.compiler_id", "compiler"),
    ("build.compiler_version", "compiler version"),
    ("build.cxx_flags", "C++ flags"),
    ("load_avg", "load average at start (1, 5, 15 min)"),
    ("clock.read_cost_ns", "clock read cost (ns)"),
    ("git.commit", "git commit"),
    ("git.dirty", "uncommitted changes"),
]


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    level: int
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)


def _statistic(bench: dict, metric: str) -> dict | None:
    for stat in bench.get("statistics") or []:
        if stat.get("metric") == metric:
            return stat
    return None


def _reference(result: dict, bench: dict) -> str | None:
    for other in result.get("benchmarks") or []:
        if (other.get("workload"), other.get("case_name"), other.get("role")) == (
                bench.get("workload"), bench.get("case_name"), "reference"):
            return other.get("implementation")
    return None


def _comparison(result: dict, bench: dict) -> dict | None:
    """The ratio of `bench` to its case's reference on its primary metric, as the harness computed it."""
    reference = _reference(result, bench)
    wanted = (reference, bench.get("workload"), bench.get("case_name"), bench.get("implementation"),
              bench.get("primary_metric"))
    for comp in (result.get("claimbench") or {}).get("comparisons") or []:
        if (comp.get("baseline"), comp.get("workload"), comp.get("case_name"), comp.get("contender"),
                comp.get("metric")) == wanted:
            return comp
    return None


def _times(value) -> str:
    return f"{value:.2f}" if isinstance(value, int | float) else "-"


def _ratio_text(comp: dict) -> str:
    """'1.23x [1.10, 1.40]'; without an interval (too few pairs) '1.23x [no interval: N pairs]'."""
    ratio = f"{_times(comp.get('ratio'))}x"
    if comp.get("ci95_low") is None or comp.get("ci95_high") is None:
        return f"{ratio} [no interval: {comp.get('pairs', 0)} pairs]"
    return f"{ratio} [{_times(comp['ci95_low'])}, {_times(comp['ci95_high'])}]"


def _lookup(context: dict, dotted: str):
    value = context
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _environment_rows(context: dict) -> list[list[str]]:
    rows = []
    for key, label in ENVIRONMENT_KEYS:
        value = _lookup(context, key)
        if value is None:
            continue
        if key in ("memory.total_bytes", "memory.cgroup_limit_bytes"):
            value = format_quantity(value, "bytes")
        elif isinstance(value, dict):  # one entry per CPU: show the distinct values
            value = ", ".join(sorted({str(v) for v in value.values()}))
        elif isinstance(value, list):
            value = ", ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in value)
        rows.append([label, str(value) if value != "" else "(none)"])
    return rows


def _cases(result: dict) -> dict[tuple[str, str], list[dict]]:
    cases: dict[tuple[str, str], list[dict]] = {}
    for bench in result.get("benchmarks") or []:
        cases.setdefault((bench.get("workload", "?"), bench.get("case_name", "?")), []).append(bench)
    return cases


def _implementation_cell(bench: dict) -> str:
    """The implementation's name, with its label when it is not the idiomatic one claims are about."""
    name = str(bench.get("implementation", "?"))
    label = bench.get("label")
    return f"{name} ({label})" if label and label != "idiomatic" else name


def _tuned_notes(benches: list[dict]) -> list[str]:
    """One line per implementation of a case that goes beyond idiomatic: what impl.toml names as tuned."""
    notes = []
    for bench in benches:
        if bench.get("label") in ("tuned", "faithful") and bench.get("tuned"):
            notes.append(f"{bench.get('implementation', '?')} is {bench['label']}: {'; '.join(bench['tuned'])}")
    return notes


def _case_table(result: dict, benches: list[dict]) -> Table:
    rows = []
    for bench in benches:
        primary = bench.get("primary_metric", "")
        stat = _statistic(bench, primary)
        rss = _statistic(bench, "peak_rss_bytes")
        if stat is None:
            median = "-"
            n = "0"
        else:
            unit = stat.get("unit", "")
            median = (
                f"{format_quantity(stat.get('median'), unit)} "
                f"[{format_quantity(stat.get('ci95_low'), unit)}, {format_quantity(stat.get('ci95_high'), unit)}]"
            )
            n = str(stat.get("n", 0))
        comp = _comparison(result, bench)
        if bench.get("role") == "reference":
            ratio = "reference"
        elif comp is not None:
            ratio = _ratio_text(comp)
        else:
            ratio = "-"
        status = str(bench.get("status", "?"))
        if status != "ok" and bench.get("error"):
            status = f"{status}: {bench['error']}"
        rows.append(
            [
                _implementation_cell(bench),
                str(bench.get("language", "")),
                status,
                n,
                median,
                ratio,
                format_quantity(rss.get("median"), "bytes") if rss else "-",
            ]
        )
    primary = benches[0].get("primary_metric") or "primary metric"
    return Table(
        ["implementation", "language", "status", "n", f"{primary} median [95% CI]", "vs reference [95% CI]",
         "peak RSS"],
        rows,
    )


BUILD_HEADER = ["workload", "implementation", "language", "status", "n", "clean build [95% CI]",
                "incremental build [95% CI]", "artifact", "runtime dependencies", "source lines"]


def _is_build(bench: dict) -> bool:
    return bench.get("kind") == "build" or (bench.get("kind") is None and bench.get("case_name") == "build")


def _median_with_interval(bench: dict, metric: str) -> str:
    stat = _statistic(bench, metric)
    if stat is None or stat.get("median") is None:
        return "-"
    unit = stat.get("unit", "")
    return (f"{format_quantity(stat['median'], unit)} "
            f"[{format_quantity(stat.get('ci95_low'), unit)}, {format_quantity(stat.get('ci95_high'), unit)}]")


def _count(bench: dict, metric: str) -> int | None:
    stat = _statistic(bench, metric)
    return int(stat["median"]) if stat and isinstance(stat.get("median"), int | float) else None


def _runtime_dependencies(artifact: dict) -> str:
    """What the artifact needs at run time: beyond the C library first (what a person must install), then
    the shared libraries its ELF headers name."""
    beyond = artifact.get("beyond_libc") or []
    libraries = artifact.get("libraries") or []
    text = f"beyond the C library: {', '.join(beyond)}" if beyond else "nothing beyond the C library"
    if libraries:
        text += f"; loads {', '.join(libraries)}"
    elif not artifact.get("elf_interpreter") and not artifact.get("runtimes"):
        text += " (statically linked)"
    return text


def _build_row(bench: dict) -> list[str]:
    status = str(bench.get("status", "?"))
    artifact = bench.get("artifact") or {}
    if status != "ok":
        status = f"{status}: {bench.get('error', '')}" if bench.get("error") else status
    no_build = str(artifact.get("build", "")).startswith("none:")
    clean = artifact["build"] if no_build else _median_with_interval(bench, "clean_build_ns")
    incremental = "-" if no_build else _median_with_interval(bench, "incremental_build_ns")
    stat = _statistic(bench, "artifact_bytes")
    size = format_quantity(stat.get("median"), "bytes") if stat else "-"
    files = _count(bench, "artifact_files")
    if files is not None and stat:
        size += f" in {files} file{'' if files == 1 else 's'}"
    lines, tests = _count(bench, "source_lines"), _count(bench, "test_lines")
    source = "-" if lines is None else f"{lines}" + (f" (+{tests} in tests)" if tests else "")
    n = _statistic(bench, "clean_build_ns")
    return [str(bench.get("workload", "?")), str(bench.get("implementation", "?")), str(bench.get("language", "")),
            status, str(n.get("n", 0)) if n else "-", clean, incremental, size,
            _runtime_dependencies(artifact) if artifact else "-", source]


def _builds_section(result: dict, level: int) -> Section | None:
    """'Builds': per workload and implementation, the clean and incremental build times (median and 95%
    interval), the artifact's size, what it needs at run time and the source lines; None without a build
    case."""
    benches = [b for b in result.get("benchmarks") or [] if _is_build(b)]
    if not benches:
        return None
    return Section("Builds", level, paragraphs=[
        "The build case: a clean build from a fresh output folder (a new CMake build tree for the C++ references; "
        "dependencies already downloaded, compiler caches off, Go's cache holding only its compiled standard "
        "library), then an incremental build after one source file is edited, in interleaved rounds. The artifact "
        "is what the implementation's command needs from the build; its runtime dependencies are read from its ELF "
        "headers (the shared libraries and loader it names) and its command (an interpreter or runtime). Source "
        "lines count code lines, not blank or comment-only ones."],
        tables=[Table(BUILD_HEADER, [_build_row(b) for b in benches])])


METHODOLOGY = [
    "Every repetition's output is verified before its numbers count; failed and invalid repetitions are kept "
    "in the result file and never enter a statistic.",
    "Implementations of a case run interleaved in rotating order (A B, B A, ...), so ratios come from pairs "
    "measured moments apart; a ratio is the median of per-pair ratios with a bootstrap 95% interval.",
    "Medians carry bootstrap 95% intervals; repetitions stop when the interval is within the target width of "
    "the median, or a time budget or maximum count is reached (the result says which).",
    "Batch timings come from marks the implementation writes when its start-up is over and its work is done; "
    "the harness timestamps them on a monotonic clock. Memory is the resident set of the whole process tree, "
    "sampled every 10 ms, together with the kernel's own peak.",
    "Service latency comes from an open-loop load generator with a schedule fixed before the run: corrected "
    "latency counts from the intended send time, so a stalled server cannot hide its queue (no coordinated "
    "omission); uncorrected latency, from the actual send, is shown beside it.",
]


FOREST_IMAGE = "claims-forest.png"
COST_EXPLAINED = (
    "Rules read the **cost**: how many times worse the contender is than the baseline, contender/baseline for "
    "metrics where lower is better (time, latency, memory) and baseline/contender where higher is better "
    "(throughput), so a cost of 2 is always twice as bad and below 1 is better, whatever the metric."
)


def _claims_sections(results: list[dict], registry_path: Path, out_dir: Path | None,
                     matrices: list[dict] | None = None) -> list[Section]:
    """'Claims at a glance' (the forest plot, when there is a directory for it) and 'Claims' (the table)."""
    verdicts = evaluate(load_registry(registry_path), results, matrices=matrices)
    counts: dict[str, int] = {}
    for v in verdicts:
        counts[v.verdict] = counts.get(v.verdict, 0) + 1
    summary = ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items()))
    rows = []
    for v in verdicts:
        detail = [e.describe() for e in v.evidence] + v.reasons
        rows.append([v.id, v.title, v.verdict, "; ".join(v.rules) or "-", "; ".join(detail) or "-"])
    glance = Section("Claims at a glance", 2, paragraphs=[
        "Each claim's evidence: the paired cost of the contender against the baseline per case with its 95% "
        "interval (hollow: too few pairs for an interval), the claim's threshold as a black line, rows shaded by "
        "outcome and each claim's heading by its verdict. " + COST_EXPLAINED])
    if out_dir is not None:
        glance.images.append(plot_claims_forest(verdicts, out_dir / FOREST_IMAGE).name)
    claims = Section(
        "Claims",
        2,
        paragraphs=[f"Every claim of the registry (claims/claims.toml), judged from the paired ratios of "
                    f"{'this run' if len(results) == 1 else 'these runs'}: {summary}."],
        tables=[Table(["claim", "", "verdict", "rule", "evidence, or why there is none"], rows)],
    )
    for result in results:
        reasons = indicative_reasons(result)
        if reasons:
            claims.paragraphs.append(f"{(result.get('claimbench') or {}).get('run_id', '?')} gives no verdicts, its "
                                  f"evidence is indicative only: {'; '.join(reasons)}")
    return [glance, claims]


def _service_log_notes(benches: list[dict]) -> list[str]:
    """Where each service's stderr was kept (the result's service_logs, relative to the result file), so a
    spike in the tail-latency plot can be matched to what the service logged, e.g. a forced GC cycle."""
    notes = []
    for bench in benches:
        logs = bench.get("service_logs") or []
        if logs:
            truncated = sum(1 for log in logs if log.get("truncated"))
            notes.append(f"{bench['implementation']}: its stderr of {len(logs)} repetition(s) is kept beside the "
                         f"result file, e.g. `{logs[-1]['path']}`"
                         + (f" ({truncated} cut at 16 MiB)" if truncated else ""))
    return notes


def _run_sections(result: dict, out_dir: Path | None, level: int) -> list[Section]:
    """Environment and per-case sections of one run; file names carry the run id when several runs share
    one report directory."""
    meta = result.get("claimbench", {})
    env = Section("Environment", level, tables=[Table(["", ""], _environment_rows(result.get("context", {})))])
    env.paragraphs.append(
        f"Run {meta.get('run_id', '?')}: profile **{meta.get('profile', '?')}**, variant "
        f"**{meta.get('variant', '?')}**, started {meta.get('started_at', '?')}, finished "
        f"{meta.get('finished_at', '?')}.")
    if meta.get("warnings"):
        env.bullets = [f"warning: {w}" for w in meta["warnings"]]
    sections = [env]
    builds = _builds_section(result, level)
    if builds is not None:
        sections.append(builds)
    prefix = "" if level == 2 else f"{meta.get('run_id', 'run')}-"
    for (workload, case), benches in _cases(result).items():
        section = Section(f"{workload} / {case}", level, tables=[_case_table(result, benches)],
                          bullets=_tuned_notes(benches) + _service_log_notes(benches))
        if out_dir is not None:
            stem = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{prefix}{workload}-{case}").lstrip(".")
            for image in (plot_case(benches, out_dir / f"{stem}.png"),
                          plot_latency_percentiles(benches, out_dir / f"{stem}-latency.png"),
                          plot_latency_vs_load(benches, out_dir / f"{stem}-load.png"),
                          plot_latency_timeline(benches, out_dir / f"{stem}-tail.png"),
                          plot_rss_timeline(benches, out_dir / f"{stem}-rss.png")):
                if image is not None:
                    section.images.append(image.name)
        sections.append(section)
    return sections


def build_sections(results: dict | list[dict], out_dir: Path | None,
                   registry_path: Path = DEFAULT_REGISTRY, matrices: list[dict] | None = None) -> list[Section]:
    """One report of one run, or of several (e.g. the release and hardened variants): every run's tables
    and plots, and the claims judged on all of them together; with the bug corpus' detection `matrices`
    (safety.py), the newest one's section too."""
    runs = [results] if isinstance(results, dict) else list(results)
    ids = [r.get("claimbench", {}).get("run_id", "?") for r in runs]
    sections = [Section(f"claimbench report: {', '.join(ids)}", 1)]
    sections += _claims_sections(runs, registry_path, out_dir, matrices)
    if matrices:
        title, paragraphs, (header, rows), bullets, images = safety_section(matrices[-1], out_dir)
        sections.append(Section(title, 2, paragraphs, [Table(header, rows)], bullets, images))
    if (strictness := strictness_section(runs)) is not None:
        title, paragraphs, table, bullets = strictness
        sections.append(Section(title, 2, paragraphs, [Table(*table)] if table else [], bullets))
    for run in runs:
        if len(runs) > 1:
            sections.append(Section(f"Run {run.get('claimbench', {}).get('run_id', '?')}", 2))
        sections += _run_sections(run, out_dir, 2 if len(runs) == 1 else 3)
    sections.append(Section("Methodology", 2, bullets=METHODOLOGY))
    return sections


def _markdown(sections: list[Section]) -> str:
    lines: list[str] = []
    for section in sections:
        lines += ["#" * section.level + " " + section.title, ""]
        for paragraph in section.paragraphs:
            lines += [paragraph, ""]
        for table in section.tables:
            lines.append("| " + " | ".join(table.header) + " |")
            lines.append("|" + "---|" * len(table.header))
            for row in table.rows:
                lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
            lines.append("")
        for bullet in section.bullets:
            lines.append(f"- {bullet}")
        if section.bullets:
            lines.append("")
        for image in section.images:
            lines += [f"![{section.title}]({image})", ""]
    return "\n".join(lines)


def _inline_html(text: str) -> str:
    """`text` escaped, with Markdown's **bold** as <b> (paragraphs, and cells that mark a deviation)."""
    parts = html.escape(text).split("**")
    return "".join(f"<b>{p}</b>" if i % 2 else p for i, p in enumerate(parts))


def _html(sections: list[Section]) -> str:
    body: list[str] = []
    for section in sections:
        body.append(f"<h{section.level}>{html.escape(section.title)}</h{section.level}>")
        for paragraph in section.paragraphs:
            body.append(f"<p>{_inline_html(paragraph)}</p>")
        for table in section.tables:
            body.append("<table>")
            if any(table.header):
                body.append("<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in table.header) + "</tr>")
            for row in table.rows:
                body.append("<tr>" + "".join(f"<td>{_inline_html(c)}</td>" for c in row) + "</tr>")
            body.append("</table>")
        if section.bullets:
            body.append("<ul>" + "".join(f"<li>{html.escape(b)}</li>" for b in section.bullets) + "</ul>")
        for image in section.images:
            body.append(f'<img src="{html.escape(image)}" alt="{html.escape(section.title)}">')
    style = (
        "body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}"
        "img{max-width:100%}"
    )
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>claimbench report</title>"
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def render_markdown(results: dict | list[dict], out_dir: Path | None = None) -> str:
    return _markdown(build_sections(results, out_dir))


def render_html(results: dict | list[dict], out_dir: Path | None = None) -> str:
    return _html(build_sections(results, out_dir))
