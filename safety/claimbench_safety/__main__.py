"""python -m claimbench_safety: check the bug corpus and write its detection matrix.

    python -m claimbench_safety [--case ID]... [--jobs N] [--out FILE | --beside RESULT] [--check]

--beside RESULT writes results/safety-<RESULT's name> next to a run's result, and does nothing for a quick
profile's result (the corpus is part of the standard and full profiles). --check exits 1 when an expectation
of a case.toml did not hold (./claimbench test's corpus check); without it the changes are printed and
recorded in the matrix, and the exit status is 0. Exit 2: a broken case, result file or usage.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from .corpus import CorpusError, load_corpus
from .matrix import build_matrix, format_matrix, write_matrix
from .runner import check_corpus
from .toolchain import TOOL_LANGUAGES


def _profile(result: Path) -> str:
    try:
        return json.loads(result.read_text(encoding="utf-8"))["claimbench"]["profile"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"{result}: cannot read the run's profile ({error})") from error


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m claimbench_safety", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", action="append", help="only this case (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="compiles at a time")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--out", type=Path, help="write the matrix here")
    where.add_argument("--beside", type=Path, metavar="RESULT", help="write results/safety-<name> beside a result")
    parser.add_argument("--check", action="store_true", help="exit 1 when an expectation did not hold")
    args = parser.parse_args(argv)
    try:
        out, result_name = args.out, None
        if args.beside is not None:
            profile = _profile(args.beside)
            if profile == "quick":
                print("safety corpus: skipped in the quick profile (run --profile standard for the matrix)")
                return 0
            out, result_name = args.beside.parent / f"safety-{args.beside.name}", args.beside.name
        cases = load_corpus(TOOL_LANGUAGES, only=args.case)
        matrix = build_matrix(cases, check_corpus(cases, jobs=args.jobs), result_name)
    except CorpusError as error:
        print(f"claimbench: error: {error}", file=sys.stderr)
        return 2
    print(format_matrix(matrix))
    for change in matrix["changes"]:
        print(f"safety corpus: changed: {change}", file=sys.stderr)
    if out is not None:
        try:
            write_matrix(matrix, out)
        except OSError as error:
            print(f"claimbench: error: cannot write {out}: {error}", file=sys.stderr)
            return 2
        print(f"safety matrix: {out}")
    return 1 if args.check and matrix["changes"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
