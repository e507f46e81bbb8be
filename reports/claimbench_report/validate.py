"""./claimbench compare's first step: every result file it is given (or every run-*.json of a directory)
checked against results/schema.json, so `compare` refuses a bad file with the same one line as `report`
and `history` do (the file and the wrong field, exit 2) before the harness reads any of it."""

import sys
from pathlib import Path

from .load import ResultError, load_result


def result_files(path: Path) -> list[Path]:
    """`path` itself, or the run-*.json files of a directory (what `compare` reads from it)."""
    return sorted(path.glob("run-*.json")) if path.is_dir() else [path]


def main(argv: list[str]) -> int:
    for argument in argv:
        for path in result_files(Path(argument)):
            try:
                load_result(path)
            except ResultError as error:
                print(f"claimbench: error: {error}", file=sys.stderr)
                return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
