"""The bug corpus' detection matrix in the report: loading it from beside a run's result, the claim rule
that reads it (corpus_rejects, for F1 and F4), the matrix figure and table, and F2's context.

The matrix is its own schema-validated file (results/safety-schema.json), `results/safety-<result file
name>`, written by `python -m claimbench_safety --beside RESULT` in the standard and full profiles: the run
result's schema, `compare` and `history` stay as they are, and a report finds the matrix by the result's
name. Pure functions apart from reading files and writing the figure.
"""

import json
from pathlib import Path

import jsonschema
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from .load import ResultError  # noqa: E402
from .rules import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE  # noqa: E402

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "results" / "safety-schema.json"
FIGURE = "safety-matrix.png"
OUTCOME_ORDER = ("rejected", "warned", "caught", "crashed", "hung", "silent", "unavailable")
OUTCOME_TEXT = {"rejected": "rejected at compile time", "warned": "warned at compile time",
                "caught": "caught at run time", "crashed": "crashed (no report)", "hung": "hung (no report)",
                "silent": "silent", "unavailable": "unavailable"}
OUTCOME_COLORS = {"rejected": "#1b5e20", "warned": "#9ccc65", "caught": "#1e88e5", "crashed": "#ffb74d",
                  "hung": "#8e24aa", "silent": "#c62828", "unavailable": "#bdbdbd"}
CITED_SHARE = 0.70  # F2: "roughly 70% of their security vulnerabilities stem from memory-safety bugs"


def matrix_path_for(result_path: Path) -> Path:
    """Where the matrix of the run in `result_path` is written: results/safety-<its file name>."""
    return result_path.parent / f"safety-{result_path.name}"


def load_matrix_beside(result_path: Path) -> dict | None:
    """The matrix written beside `result_path`, checked against results/safety-schema.json; None when there
    is none (a quick run, or a run before the corpus existed). Raises ResultError naming the file."""
    path = matrix_path_for(Path(result_path))
    if not path.exists():
        return None
    try:
        matrix = json.loads(path.read_text(encoding="utf-8"))
        schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
        jsonschema.validate(matrix, schema, cls=jsonschema.Draft202012Validator)
    except (OSError, ValueError) as error:
        raise ResultError(f"{path}: cannot read the safety matrix: {error}") from error
    except jsonschema.ValidationError as error:
        field = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        raise ResultError(f"{path}: {field}: {error.message[:160]}; the file does not match safety-schema.json: "
                          "regenerate it with python -m claimbench_safety --beside RESULT") from error
    return matrix


# ---------------------------------------------------------------- the claim rule


def describe_corpus_test(test: dict) -> str:
    """The rule in words, for the claims table."""
    text = (f"bug corpus (safety/), {', '.join(test['classes'])} cases written in safe Rust: {test['tool']} "
            "rejects every one at compile time")
    return text + (f" ({test['explain']})" if test.get("explain") else "")


def _cell_text(cell: dict) -> str:
    text = OUTCOME_TEXT.get(cell["outcome"], cell["outcome"])
    return f"{text} ({cell['detail']})" if cell.get("detail") else text


def judge_corpus_test(test: dict, matrices: list[dict]) -> tuple[str | None, list[str]]:
    """(outcome, reasons) of a corpus_rejects test on the newest matrix: holds when the tool rejects at
    compile time every case of the test's classes whose Rust program is safe Rust, does not hold when one
    of them compiles (naming it and what its run did), inconclusive when one has no outcome for the tool
    here; None (no evidence) without a matrix or without such a case. The reasons always list what the tool
    lets through: every corpus case it compiles, `unsafe` ones included."""
    if not matrices:
        return None, ["no safety matrix: the bug corpus runs in the standard and full profiles "
                      "(./claimbench run --profile standard writes results/safety-<run>.json beside the result)"]
    matrix = matrices[-1]
    tool, classes = test["tool"], set(test["classes"])
    scope = [c for c in matrix["cases"] if classes & set(c["classes"]) and not c["rust_unsafe"]
             and tool in c["outcomes"]]
    toolchain = matrix["toolchains"].get("rustc") if tool == "rust" else None
    where = f"safety matrix of {matrix['generated_at']}" + (f", {toolchain}" if toolchain else "")
    if not scope:
        return None, [f"{where}: no safe-Rust case of the classes {', '.join(sorted(classes))}"]
    rejected = [c for c in scope if c["outcomes"][tool]["outcome"] == "rejected"]
    unavailable = [c for c in scope if c["outcomes"][tool]["outcome"] == "unavailable"]
    compiled = [c for c in scope if c not in rejected and c not in unavailable]
    reasons = [f"{where}: {len(rejected)} of {len(scope)} cases rejected at compile time: "
               + ", ".join(f"{c['id']} ({', '.join(c['outcomes'][tool].get('codes', []))})" for c in rejected)]
    if compiled:
        reasons.append("compiled although the rule says rejected: "
                       + "; ".join(f"{c['id']}: {_cell_text(c['outcomes'][tool])}" for c in compiled))
    if unavailable:
        reasons.append("no outcome here: " + "; ".join(f"{c['id']}: {c['outcomes'][tool]['detail']}"
                                                        for c in unavailable))
    through = [c for c in matrix["cases"] if tool in c["outcomes"] and c not in scope
               and c["outcomes"][tool]["outcome"] not in ("rejected", "unavailable")]
    if through:
        reasons.append(f"what {tool} lets through (outside the rule: other classes or `unsafe`): "
                       + "; ".join(f"{c['id']}{' (unsafe)' if c['rust_unsafe'] else ''}: "
                                   f"{_cell_text(c['outcomes'][tool])}" for c in through))
    if not matrix["expectations_hold"]:
        reasons.append(f"the corpus' expectations changed on this toolchain ({len(matrix['changes'])}): "
                       + "; ".join(matrix["changes"][:5]))
    outcome = DOES_NOT_HOLD if compiled else INCONCLUSIVE if unavailable else HOLDS
    return outcome, reasons


# ---------------------------------------------------------------- F2's context


def corpus_shares(matrix: dict) -> list[str]:
    """Lines that put the corpus' own shares beside the cited 70%: how many of its cases are memory-safety
    bugs, and what share of those each tool stops (at compile time or at run time)."""
    cases = matrix["cases"]
    memory = [c for c in cases if c["memory_safety"]]
    lines = [f"cited: about {CITED_SHARE:.0%} of Microsoft's and Google's security vulnerabilities are memory-safety "
             f"bugs; claimbench's own bug corpus: {len(memory)} of its {len(cases)} cases "
             f"({len(memory) / len(cases):.0%}) are memory-safety bugs (the corpus was chosen to test the "
             "claims, so this share says nothing about real code)"]
    for tool in matrix["tools"]:
        applicable = [c for c in memory if tool["id"] in c["outcomes"]]
        if not applicable or not tool["available"]:
            continue
        counts = {}
        for c in applicable:
            outcome = c["outcomes"][tool["id"]]["outcome"]
            when = {"rejected": "stopped at compile time", "warned": "stopped at compile time",
                    "caught": "caught at run time", "crashed": "crashed or hung without a report",
                    "hung": "crashed or hung without a report"}.get(outcome, "silent")
            counts[when] = counts.get(when, 0) + 1
        order = ("stopped at compile time", "caught at run time", "crashed or hung without a report", "silent")
        parts = [f"{counts[w]} {w}" for w in order if w in counts]
        lines.append(f"{tool['label']}: of {len(applicable)} memory-safety cases, {', '.join(parts)}")
    return lines


# ---------------------------------------------------------------- figure and table


def plot_matrix(matrix: dict, path: Path) -> Path:
    """The matrix as a grid of coloured cells (case rows, tool columns; blank: the case has no program in
    that tool's language). Not thread-safe (pyplot)."""
    tools = [t["id"] for t in matrix["tools"]]
    cases = matrix["cases"]
    index = {o: i for i, o in enumerate(OUTCOME_ORDER)}
    grid = [[index[c["outcomes"][t]["outcome"]] if t in c["outcomes"] else float("nan") for t in tools]
            for c in cases]
    figure, axes = plt.subplots(figsize=(1.0 + 0.75 * len(tools) + 2.6, 0.9 + 0.32 * len(cases)))
    axes.imshow(grid, cmap=ListedColormap([OUTCOME_COLORS[o] for o in OUTCOME_ORDER]), vmin=-0.5,
                vmax=len(OUTCOME_ORDER) - 0.5, aspect="auto")
    axes.set_xticks(range(len(tools)), tools, rotation=45, ha="right", fontsize=8)
    axes.set_yticks(range(len(cases)), [c["id"] + (" (unsafe)" if c["rust_unsafe"] else "") for c in cases],
                    fontsize=8)
    axes.set_xticks([x - 0.5 for x in range(1, len(tools))], minor=True)
    axes.set_yticks([y - 0.5 for y in range(1, len(cases))], minor=True)
    axes.grid(which="minor", color="white", linewidth=1)
    axes.tick_params(which="minor", length=0)
    axes.legend(handles=[Patch(color=OUTCOME_COLORS[o], label=OUTCOME_TEXT[o]) for o in OUTCOME_ORDER],
                loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)
    versions = "; ".join(f"{v}" for v in matrix["toolchains"].values() if v)
    axes.set_title(f"bug corpus: who stops each bug\n{versions}", fontsize=8)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


SHORT = {"rejected": "rejected", "warned": "warned", "caught": "caught", "crashed": "crashed", "hung": "hung",
         "silent": "silent", "unavailable": "n/a"}


def matrix_table(matrix: dict) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the matrix: one row per case, one column per tool; rustc's cell names its codes."""
    tools = [t["id"] for t in matrix["tools"]]
    rows = []
    for case in matrix["cases"]:
        row = [case["id"] + (" (unsafe)" if case["rust_unsafe"] else ""), ", ".join(case["classes"])]
        for tool in tools:
            cell = case["outcomes"].get(tool)
            text = "" if cell is None else SHORT[cell["outcome"]]
            if cell and cell.get("codes"):
                text += f" {' '.join(cell['codes'])}"
            row.append(text)
        rows.append(row)
    return ["case", "classes", *tools], rows


def safety_section(matrix: dict, out_dir: Path | None) -> tuple[str, list[str], tuple[list[str], list[list[str]]],
                                                                 list[str], list[str]]:
    """The report's 'Safety: the bug corpus' section as (title, paragraphs, (table header, rows), bullets,
    image file names): the matrix (figure, when there is a directory for it, and table), the toolchains it was
    checked with, what changed against the corpus' expectations, and the corpus' shares beside F2's 70%."""
    paragraphs = [
        "Each case of safety/cases/ is a small buggy program and its fix, in Rust and C++ (and Go for the race "
        "cases), checked by every tool: rejected or warned at compile time, caught at run time (a sanitizer's "
        "report, a hardened library's assertion or trap, glibc's allocator check, a panic, Go's race or deadlock "
        f"detector), crashed or hung without a report, or silent. Matrix of {matrix['generated_at']}"
        + (f", beside {matrix['result']}" if matrix.get("result") else "") + "; toolchains: "
        + "; ".join(f"{k}: {v or 'unavailable'}" for k, v in matrix["toolchains"].items()) + ".",
        "Every expectation of the corpus held on these toolchains, and every fix ran clean under every tool."
        if matrix["expectations_hold"] else
        f"{len(matrix['changes'])} expectations of the corpus did not hold on these toolchains (listed below)."]
    bullets = [*(f"changed: {c}" for c in matrix["changes"]),
               *(f"{t['id']} unavailable: {t['unavailable_reason']}" for t in matrix["tools"] if not t["available"]),
               *(f"F2 context: {line}" for line in corpus_shares(matrix))]
    images = [plot_matrix(matrix, out_dir / FIGURE).name] if out_dir is not None else []
    return "Safety: the bug corpus", paragraphs, matrix_table(matrix), bullets, images
