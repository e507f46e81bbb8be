"""results/schema.json against what the C++ writer really produces.

The C++ tool write_sample_result (harness/src/testing/write_sample_result.cc) writes a fully populated
result with this machine's fingerprint; this file validates it with the `jsonschema` package and checks
that the schema rejects typical mistakes. The build directory comes from CLAIMBENCH_BUILD_DIR (default
build/release, relative to the repository root); the tests skip with a reason when the tool is not built.
"""

import copy
import json
import math
import os
import subprocess
from pathlib import Path

import pytest

jsonschema = pytest.importorskip(
    "jsonschema", reason="the jsonschema package is not installed (pip install jsonschema)"
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = REPO_ROOT / "results" / "schema.json"


def _build_dir() -> Path:
    build_dir = Path(os.environ.get("CLAIMBENCH_BUILD_DIR", "build/release"))
    return build_dir if build_dir.is_absolute() else REPO_ROOT / build_dir


@pytest.fixture(scope="module")
def schema():
    with SCHEMA_PATH.open() as f:
        return json.load(f)


@pytest.fixture(scope="module")
def validator(schema):
    return jsonschema.Draft202012Validator(schema)


def _reject_non_finite(token):
    raise ValueError(f"non-standard JSON number {token} in a result file")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tool = _build_dir() / "harness" / "write_sample_result"
    if not tool.is_file():
        pytest.skip(
            f"{tool} is not built: run `cmake --build --preset release --target write_sample_result` "
            "or point CLAIMBENCH_BUILD_DIR at a build directory"
        )
    out = tmp_path_factory.mktemp("sample") / "result.json"
    completed = subprocess.run([str(tool), str(out)], check=False, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    with out.open() as f:
        # Strict parsing: NaN/Infinity tokens would be invalid JSON for most readers.
        return json.load(f, parse_constant=_reject_non_finite)


def _errors(validator, document):
    return sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))


def _assert_invalid(validator, document, expected_fragment):
    errors = _errors(validator, document)
    assert errors, "the schema accepted a broken result"
    messages = " | ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    assert expected_fragment in messages, messages


def test_schema_is_a_valid_draft_2020_12_schema(schema):
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"]
    assert schema["description"]


def test_written_sample_validates(validator, sample):
    errors = _errors(validator, sample)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def test_sample_exercises_the_interesting_cases(sample):
    statuses = {b["status"] for b in sample["benchmarks"]}
    sample_statuses = {s["status"] for b in sample["benchmarks"] for s in b["samples"]}
    assert statuses == {"ok", "failed", "unavailable", "interrupted"}
    assert "invalid" in sample_statuses
    ok = sample["benchmarks"][0]
    assert ok["statistics"][2]["cv"] is None, "NaN is written as null"
    assert ok["rss_timeline"] and ok["latency"] and ok["timeline"] and ok["extra"]
    assert sample["claimbench"]["seed"] == 18446744073709551557
    assert {b["kind"] for b in sample["benchmarks"]} == {"service", "batch", "build"}
    assert sample["claimbench"]["parameter_overrides"] == {"keys": "10000"}
    too_few = sample["claimbench"]["comparisons"][2]
    assert too_few["pairs"] < too_few["min_pairs"]
    assert too_few["ci95_low"] is None and too_few["ci95_high"] is None and too_few["wilcoxon_p"] is None
    assert too_few["ratio"] == 0.93 and too_few["higher_is_better"] is True


def test_google_benchmark_keys(sample):
    for key in (
        "date",
        "host_name",
        "executable",
        "num_cpus",
        "mhz_per_cpu",
        "cpu_scaling_enabled",
        "caches",
        "load_avg",
        "library_build_type",
    ):
        assert key in sample["context"], key
    ok = sample["benchmarks"][0]
    assert (ok["run_type"], ok["aggregate_name"], ok["time_unit"]) == ("aggregate", "median", "ns")
    assert math.isclose(ok["real_time"], 1.002e9)
    failed = sample["benchmarks"][1]
    assert failed["error_occurred"] is True and failed["real_time"] is None


def test_context_accepts_future_keys(validator, sample):
    document = copy.deepcopy(sample)
    document["context"]["added_by_a_later_fingerprint"] = {"anything": [1, 2]}
    assert not _errors(validator, document)


def _mutated(sample, mutate):
    document = copy.deepcopy(sample)
    mutate(document)
    return document


def _set(*path_and_value):
    """A mutation that sets document[path...] = value."""
    *path, key, value = path_and_value

    def mutate(document):
        for step in path:
            document = document[step]
        document[key] = value

    return mutate


def _delete(*path):
    """A mutation that deletes document[path...]."""
    *path, key = path

    def mutate(document):
        for step in path:
            document = document[step]
        del document[key]

    return mutate


def _append_rss_triple(document):
    document["benchmarks"][0]["rss_timeline"].append([1, 2, 3])


MISTAKES = {
    "bad-benchmark-status": (_set("benchmarks", 0, "status", "okay"), "'okay' is not one of"),
    "bad-sample-status": (_set("benchmarks", 0, "samples", 1, "status", "OK"), "'OK' is not one of"),
    "missing-claimbench": (_delete("claimbench"), "'claimbench' is a required property"),
    "missing-samples": (_delete("benchmarks", 0, "samples"), "'samples' is a required property"),
    "missing-context-key": (_delete("context", "num_cpus"), "'num_cpus' is a required property"),
    "missing-median": (
        _delete("benchmarks", 0, "statistics", 0, "median"),
        "'median' is a required property",
    ),
    "newer-schema-version": (_set("schema_version", 3), "2 was expected"),
    "older-schema-version": (_set("schema_version", 1), "2 was expected"),
    "unknown-kind": (_set("benchmarks", 0, "kind", "daemon"), "'daemon' is not one of"),
    "missing-kind": (_delete("benchmarks", 0, "kind"), "'kind' is a required property"),
    "missing-min-pairs": (_delete("claimbench", "comparisons", 0, "min_pairs"), "'min_pairs' is a required"),
    "missing-direction": (
        _delete("claimbench", "comparisons", 0, "higher_is_better"),
        "'higher_is_better' is a required",
    ),
    "old-mann-whitney-key": (
        _set("claimbench", "comparisons", 0, "mann_whitney_p", 0.5),
        "Additional properties are not allowed ('mann_whitney_p'",
    ),
    "override-not-a-string": (
        _set("claimbench", "parameter_overrides", "keys", 10000),
        "10000 is not of type 'string'",
    ),
    "seed-as-string": (_set("claimbench", "seed", "42"), "'42' is not of type 'integer'"),
    "typo-in-sample-key": (_set("benchmarks", 0, "samples", 0, "sequnce", 3), "Additional properties"),
    "rss-triple": (_append_rss_triple, "'rss_timeline', 3]"),
    "unknown-unit": (
        _set("benchmarks", 0, "metrics", 0, "unit", "nanoseconds"),
        "'nanoseconds' is not one of",
    ),
    "failed-without-error-flag": (
        _delete("benchmarks", 1, "error_occurred"),
        "'error_occurred' is a required",
    ),
    "bad-timestamp": (_set("claimbench", "started_at", "yesterday"), "does not match"),
    "p-value-above-one": (
        _set("claimbench", "comparisons", 0, "wilcoxon_p", 1.5),
        "is not valid under any of the given schemas",
    ),
    "extra-not-a-number": (
        _set("benchmarks", 0, "extra", "achieved_rps", "fast"),
        "is not of type 'number', 'null'",
    ),
}


@pytest.mark.parametrize("mutate, expected", list(MISTAKES.values()), ids=list(MISTAKES))
def test_schema_rejects_mistakes(validator, sample, mutate, expected):
    _assert_invalid(validator, _mutated(sample, mutate), expected)
