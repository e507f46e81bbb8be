"""Reading result files: each is checked against results/schema.json before anything reads it, so the rest
of the package can rely on the schema's required fields, and a bad file gives one error that names the file
and the field that is wrong.

The supported schema_version is the schema's own (`properties.schema_version.const`): the report reads what
the checkout's harness writes, and a file of another version is refused with what to do about it.
"""

import functools
import json
import re
from pathlib import Path

import jsonschema

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "results" / "schema.json"
_MESSAGE_CHARS = 160  # a schema message quotes the offending value, which can be a whole object


class ResultError(Exception):
    """A result file that cannot be read, is of another schema version, or does not match the schema."""


@functools.cache
def _validator(schema_path: Path) -> jsonschema.Draft202012Validator:
    try:
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ResultError(f"{schema_path}: cannot read the result schema ({error}); restore it from git") from error
    return jsonschema.Draft202012Validator(schema)


def supported_schema_version(schema_path: Path = SCHEMA_PATH) -> int | None:
    """The schema_version results/schema.json accepts (None when the schema does not pin one)."""
    return _validator(schema_path).schema.get("properties", {}).get("schema_version", {}).get("const")


def _order(part) -> tuple:
    return (0, part, "") if isinstance(part, int) else (1, 0, str(part))


def _field(path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    """'FIELD: what is wrong' for one schema error, naming a missing or unexpected key as the field."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = re.match(r"'([^']*)' is a required property", error.message)
        if missing:
            return f"{_field([*path, missing.group(1)])}: missing"
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']*)'", error.message)
        if extra:
            return f"{_field([*path, extra[0]])}: unexpected key"
    message = error.message if len(error.message) <= _MESSAGE_CHARS else error.message[:_MESSAGE_CHARS] + "..."
    return f"{_field(path)}: {message}"


def validate_result(result, path: Path, schema_path: Path = SCHEMA_PATH) -> None:
    """Raises ResultError naming `path` and the first wrong field (in document order) when `result` does not
    match the schema; returns nothing otherwise. Not thread-safe on first use (caches the schema)."""
    validator = _validator(schema_path)
    version = result.get("schema_version") if isinstance(result, dict) else None
    expected = supported_schema_version(schema_path)
    if expected is not None and version != expected:
        raise ResultError(
            f"{path}: schema_version {version!r} is not {expected}, the version this checkout reads; "
            "regenerate the file with this checkout's `./claimbench run`, or report it with the checkout that "
            "wrote it"
        )
    errors = sorted(validator.iter_errors(result), key=lambda e: [_order(p) for p in e.absolute_path])
    if errors:
        # The first wrong place in the file; of the errors there, the one deepest inside it (a bad `status`
        # rather than the fields a valid status would have required).
        first = list(errors[0].absolute_path)
        inside = [e for e in errors if list(e.absolute_path)[: len(first)] == first]
        chosen = max(inside, key=lambda e: len(e.absolute_path))
        more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
        raise ResultError(
            f"{path}: {_describe(chosen)}{more}; the file does not match {schema_path.name} "
            f"(schema_version {expected}): regenerate it with `./claimbench run`, never edit results by hand"
        )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON (the harness writes non-finite numbers as null)")


def load_result(path: str | Path, schema_path: Path = SCHEMA_PATH) -> dict:
    """The parsed result file at `path`, checked against the schema. Raises ResultError (naming the file and
    saying what to do) for an unreadable file, invalid JSON, another schema version or a schema violation."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as handle:
            result = json.load(handle, parse_constant=_refuse_constant)
    except OSError as error:
        raise ResultError(f"{path}: cannot read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise ResultError(f"{path}: not valid JSON: not UTF-8 text ({error.reason})") from error
    except json.JSONDecodeError as error:
        raise ResultError(f"{path}: not valid JSON (line {error.lineno}): {error.msg}") from error
    except ValueError as error:
        raise ResultError(f"{path}: not valid JSON: {error}") from error
    validate_result(result, path, schema_path)
    return result
