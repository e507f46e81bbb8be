"""./claimbench report RESULT... [--out DIR]: writes report.md, report.html and the plots into DIR.

A result's bug-corpus matrix (results/safety-<result file name>, written in the standard and full profiles)
is read with it when it exists.

Every result file is checked against results/schema.json first; a bad file or a broken claims registry is
one error line naming the file (and the field) and exit status 2, never a traceback."""

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from .load import ResultError, load_result
from .registry import DEFAULT_REGISTRY, RegistryError
from .render import _html, _markdown, build_sections
from .safety import load_matrix_beside


def write_atomically(path: Path, text: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def write_report(results: dict | list[dict], out_dir: Path, registry_path: Path = DEFAULT_REGISTRY,
                 matrices: list[dict] | None = None) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    sections = build_sections(results, out_dir, registry_path, matrices)
    write_atomically(out_dir / "report.md", _markdown(sections))
    write_atomically(out_dir / "report.html", _html(sections))
    return out_dir / "report.md"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="claimbench report", description=__doc__)
    parser.add_argument("results", type=Path, nargs="+", help="result files (results/run-*.json)")
    parser.add_argument("--out", type=Path, help="output directory (default: reports/<run id>)")
    parser.add_argument("--claims", type=Path, default=DEFAULT_REGISTRY,
                        help="the claims registry (default: claims/claims.toml)")
    args = parser.parse_args(argv)
    try:
        results = [load_result(path) for path in args.results]
        # The bug corpus' matrix, where a standard or full run wrote one beside its result (safety.py).
        matrices = [m for m in (load_matrix_beside(path) for path in args.results) if m is not None]
        run_id = re.sub(r"[^A-Za-z0-9_.-]", "_", results[-1]["claimbench"]["run_id"]).lstrip(".") or "run"
        out_dir = args.out or Path(__file__).resolve().parents[1] / run_id
        path = write_report(results if len(results) > 1 else results[0], out_dir, args.claims, matrices)
    except (ResultError, RegistryError) as error:
        print(f"claimbench: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"claimbench: error: cannot write the report: {error}", file=sys.stderr)
        return 2
    print(f"report: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
