"""Reading result files, with errors that name the file and say what is wrong."""

import json
from pathlib import Path

SUPPORTED_SCHEMA_VERSION = 2


class ResultError(Exception):
    """A result file that cannot be read or is of an unknown schema version."""


def load_result(path: str | Path) -> dict:
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            result = json.load(handle)
    except OSError as error:
        raise ResultError(f"{path}: cannot read: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise ResultError(f"{path}: not valid JSON (line {error.lineno}): {error.msg}") from error
    version = result.get("schema_version") if isinstance(result, dict) else None
    if version != SUPPORTED_SCHEMA_VERSION:
        raise ResultError(
            f"{path}: schema_version {version!r} is not {SUPPORTED_SCHEMA_VERSION}; "
            "regenerate it with this claimbench or update claimbench"
        )
    return result
