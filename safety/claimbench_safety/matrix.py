"""The detection matrix: every case's outcome under every tool, the fixes' outcomes, the toolchains'
versions, and how the outcomes compare with what each case.toml expects. Written as one JSON file checked
against results/safety-schema.json (documented in safety/README.md), atomically.
"""

import datetime
import json
import os
import tempfile
from pathlib import Path

import jsonschema

from .corpus import Case
from .outcome import REJECTED, SILENT, UNAVAILABLE, Outcome
from .toolchain import BUILDS, REPO_ROOT, TOOLS, compiler_version, toolchains

SCHEMA_PATH = REPO_ROOT / "results" / "safety-schema.json"
SCHEMA_VERSION = 1


def _changes(case: Case, bug: dict[str, Outcome], fix: dict[str, Outcome]) -> list[str]:
    """What differs from the case's expectations, one line each, naming the case, the tool, what was expected
    and what happened. An unavailable tool is not a change (the matrix says so in its cell)."""
    changes = []
    for tool in TOOLS:
        if tool.id not in bug:
            continue
        got, wanted = bug[tool.id], case.expect[tool.id]
        if got.outcome == UNAVAILABLE:
            continue
        if got.outcome != wanted:
            changes.append(f"{case.id}: {tool.id} expected {wanted}, got {got.outcome}"
                           + (f" ({got.detail})" if got.detail else ""))
        elif tool.id == "rust" and got.outcome == REJECTED and got.codes != case.rust_errors:
            changes.append(f"{case.id}: rustc error codes expected {list(case.rust_errors)}, got {list(got.codes)}")
        fixed = fix[tool.id]
        if fixed.outcome not in (SILENT, UNAVAILABLE):
            changes.append(f"{case.id}: the fix under {tool.id} is {fixed.outcome}, not silent"
                           + (f" ({fixed.detail})" if fixed.detail else ""))
    return changes


def build_matrix(cases: list[Case], outcomes: dict[tuple[str, str, str], Outcome],
                 result_name: str | None = None) -> dict:
    """The matrix document for `cases` and the runner's `outcomes`. Pure apart from reading the compilers'
    (cached) versions."""
    entries, all_changes = [], []
    for case in cases:
        bug = {t.id: outcomes[(case.id, "bug", t.id)] for t in TOOLS if (case.id, "bug", t.id) in outcomes}
        fix = {t.id: outcomes[(case.id, "fix", t.id)] for t in TOOLS if (case.id, "fix", t.id) in outcomes}
        changes = _changes(case, bug, fix)
        all_changes += changes
        entries.append({
            "id": case.id, "title": case.title, "bug": case.bug, "classes": list(case.classes),
            "memory_safety": case.memory_safety, "concurrency": case.concurrency, "rust_unsafe": case.rust_unsafe,
            "languages": list(case.languages),
            "outcomes": {tool: cell.as_json() for tool, cell in bug.items()},
            "fix_outcomes": {tool: cell.as_json() for tool, cell in fix.items()},
            "expected": dict(case.expect), "expected_rust_errors": list(case.rust_errors), "changes": changes,
        })
    tools = []
    for tool in TOOLS:
        version, why = compiler_version(BUILDS[tool.build].compiler)
        tools.append({"id": tool.id, "label": tool.label, "language": tool.language, "reads": tool.reads,
                      "available": version is not None, "unavailable_reason": why or None,
                      "command": BUILDS[tool.build].argv(Path("PROGRAM"), Path("OUT"))})
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "claimbench-safety-matrix",
        "generated_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "result": result_name,
        "toolchains": toolchains(),
        "tools": tools,
        "cases": entries,
        "expectations_hold": not all_changes,
        "changes": all_changes,
    }


def validate_matrix(matrix: dict, schema_path: Path = SCHEMA_PATH) -> None:
    """Raises jsonschema.ValidationError when `matrix` does not match the schema."""
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(matrix, schema, cls=jsonschema.Draft202012Validator)


def write_matrix(matrix: dict, path: Path) -> None:
    """Validates `matrix` and writes it to `path` atomically (a temporary file renamed over it)."""
    validate_matrix(matrix)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(matrix, out, indent=1)
            out.write("\n")
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


SHORT = {"rejected": "REJECTED", "warned": "warned", "caught": "CAUGHT", "crashed": "crashed", "hung": "hung",
         "silent": "-", "unavailable": "n/a"}


def format_matrix(matrix: dict) -> str:
    """The matrix as a plain-text table (case rows, tool columns), with the toolchains under it."""
    tools = [t["id"] for t in matrix["tools"]]
    width = max(len(c["id"]) for c in matrix["cases"]) if matrix["cases"] else 4
    lines = [" ".join([f"{'case':{width}}", *(f"{t:>15}" for t in tools)])]
    for case in matrix["cases"]:
        cells = [SHORT[case["outcomes"][t]["outcome"]] if t in case["outcomes"] else "" for t in tools]
        lines.append(" ".join([f"{case['id']:{width}}", *(f"{c:>15}" for c in cells)]))
    lines.append("toolchains: " + "; ".join(f"{k}: {v or 'unavailable'}" for k, v in matrix["toolchains"].items()))
    return "\n".join(lines)
