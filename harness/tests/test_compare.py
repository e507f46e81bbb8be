"""`claimbench compare`: a rerun is within noise; a slowed implementation, a lost benchmark or a lost status
is a regression; runs that measured different things are refused; every bad file is named with its field."""

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from claimbench_testing import ROOT, bench, null_tree

SCHEMA = json.loads((ROOT / "results" / "schema.json").read_text())

# The reference, 40 ms slower: the same benchmark with the same parameters, slower code.
SLOWED_CPP = """language = "C++"
role = "reference"
label = "idiomatic"
command = ["sh", "-c", "exec \\"$0\\" \\"$@\\" --delay-ms 40", "{build_dir}/workloads/null/impls/cpp/null_cpp"]
"""


def run_compute(cb, *extra):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--case", "batch_compute",
                          "--param", "work_units=20000000", *extra)
    assert proc.returncode == 0, proc.stderr
    return result


def verdict_of(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if "null/batch_compute/cpp" in line and "timed_ns" in line)
    return line


def write(tmp_path: Path, name: str, result: dict) -> str:
    path = tmp_path / name
    path.write_text(json.dumps({k: v for k, v in result.items() if k != "_path"}))
    return str(path)


def test_a_rerun_is_no_regression_and_a_slowed_implementation_is(cb, tmp_path):
    base = run_compute(cb)
    rerun = run_compute(cb)
    slowed = run_compute(cb.with_root(null_tree(tmp_path, {"cpp": SLOWED_CPP})))
    assert bench(slowed, "null/batch_compute/cpp")["status"] == "ok"

    # Two runs minutes apart on a shared 2-core VM can differ by 10-20% (the machine's speed drifts), so a
    # rerun may honestly be called faster or slower; what must hold is that a 40 ms delay on ~20 ms of work
    # stands far outside that drift. Within one run, implementations are compared in interleaved pairs.
    same = cb("compare", base["_path"], rerun["_path"], "--threshold", "50")
    assert same.returncode == 0, same.stdout + same.stderr
    assert "REGRESSION" not in same.stdout

    markdown = tmp_path / "compare.md"
    worse = cb("compare", base["_path"], slowed["_path"], "--markdown", str(markdown))
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "slower" in worse.stdout and "REGRESSION" in worse.stdout
    assert "**regression**" in markdown.read_text()

    # The same pair judged with a threshold above the slowdown is no regression.
    lenient = cb("compare", base["_path"], slowed["_path"], "--threshold", "1000")
    assert lenient.returncode == 0, lenient.stdout
    assert "within noise" in verdict_of(lenient.stdout), "a threshold is also the smallest change that matters"


def test_compare_of_a_result_with_itself_is_within_noise(cb):
    base = run_compute(cb)
    same = cb("compare", base["_path"], base["_path"])
    assert same.returncode == 0
    assert "within noise" in verdict_of(same.stdout), same.stdout


def test_compare_directories_and_bad_paths(cb, tmp_path):
    base = run_compute(cb)
    results_dir = str(Path(base["_path"]).parent)
    assert cb("compare", results_dir, results_dir).returncode == 0
    missing = cb("compare", str(tmp_path / "nope.json"), results_dir)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    garbage = tmp_path / "run-garbage.json"
    garbage.write_text("{ not json")
    bad = cb("compare", str(garbage), results_dir)
    assert bad.returncode == 2 and "run-garbage.json" in bad.stderr


def test_runs_of_different_profiles_are_refused_unless_allowed(cb):
    quick = run_compute(cb, "--profile", "quick")
    standard = run_compute(cb, "--profile", "standard")
    refused = cb("compare", quick["_path"], standard["_path"])
    assert refused.returncode == 2, refused.stdout + refused.stderr
    lines = refused.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimbench: error:"), refused.stderr
    assert "profile: quick in BASE, standard in NEW" in lines[0] and "--allow-different" in lines[0]

    allowed = cb("compare", quick["_path"], standard["_path"], "--allow-different")
    assert allowed.stdout.startswith("WARNING: these runs measured different things"), allowed.stdout
    assert "profile: quick in BASE, standard in NEW" in allowed.stdout
    # Both runs override work_units alike, so the benchmark matches and is compared.
    assert allowed.returncode in (0, 1) and "null/batch_compute/cpp" in allowed.stdout


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda r: r["claimbench"].update(variant="asan"), "variant: release in BASE, asan in NEW"),
        (lambda r: r["claimbench"]["parameter_overrides"].update(work_units="5"),
         "parameter overrides: work_units=20000000 in BASE, work_units=5 in NEW"),
        (lambda r: r["context"]["cpu"].update(model="Imaginary CPU 9000"), "in NEW"),
        (lambda r: r["context"]["cpu"].update(logical_cores=r["context"]["cpu"]["logical_cores"] + 62),
         "logical cores"),
    ],
    ids=["variant", "parameter-overrides", "cpu-model", "logical-cores"],
)
def test_runs_that_measured_different_things_are_refused(cb, tmp_path, mutate, words):
    base = run_compute(cb)
    other = copy.deepcopy(base)
    mutate(other)
    path = write(tmp_path, "run-other.json", other)
    refused = cb("compare", base["_path"], path)
    assert refused.returncode == 2 and words in refused.stderr, refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    allowed = cb("compare", base["_path"], path, "--allow-different")
    assert allowed.returncode == 0 and "WARNING" in allowed.stdout and words in allowed.stdout, allowed.stdout


def _set_status(entry: dict, status: str, error: str) -> None:
    entry.update(status=status, error=error, error_occurred=True, error_message=error)


def _drop_compute(result: dict) -> None:
    result["benchmarks"] = [b for b in result["benchmarks"] if b["case_name"] != "batch_compute"]


def _null_metrics(result: dict) -> None:
    for sample in result["benchmarks"][0]["samples"]:
        sample["metrics"] = {name: None for name in sample["metrics"]}


def _no_samples(result: dict) -> None:
    result["benchmarks"][0]["samples"] = []


def _negative_and_zero(result: dict) -> None:
    for k, sample in enumerate(result["benchmarks"][0]["samples"]):
        sample["metrics"]["timed_ns"] = -1.0 if k % 2 else 0.0


def _null_comparisons(result: dict) -> None:
    result["claimbench"]["comparisons"] = [{
        "workload": "null", "case_name": "batch_compute", "metric": "timed_ns", "higher_is_better": False,
        "baseline": "cpp", "contender": "python", "ratio": None, "ci95_low": None, "ci95_high": None,
        "pairs": 0, "min_pairs": 6, "wilcoxon_p": None}]


def _empty(result: dict) -> None:
    result["benchmarks"] = []


@pytest.mark.parametrize(
    "mutate, code, words",
    [
        (lambda r: _set_status(r["benchmarks"][0], "failed", "killed by signal 11"), 1, "was ok, now failed"),
        (lambda r: _set_status(r["benchmarks"][0], "unavailable", "cargo is not installed"), 1,
         "was ok, now unavailable"),
        (lambda r: _set_status(r["benchmarks"][0], "interrupted", "interrupted by the user"), 1,
         "was ok, now interrupted"),
        (_drop_compute, 1, "null/batch_compute/cpp: was ok, missing in NEW"),
        (lambda r: r["benchmarks"][0]["parameters"].update(work_units="7"), 1,
         "missing in NEW (with other parameters in NEW: work_units: 20000000 in BASE, 7 in NEW)"),
        (_null_metrics, 0, "verdict: no significant regression"),
        (_no_samples, 0, "verdict: no significant regression"),
        (_negative_and_zero, None, "verdict:"),
        (_null_comparisons, 0, "verdict: no significant regression"),
        (_empty, 1, "was ok, missing in NEW"),
    ],
    ids=["now-failed", "now-unavailable", "now-interrupted", "missing", "other-parameters", "null-metrics",
         "no-samples", "negative-and-zero", "null-comparisons", "empty"],
)
def test_schema_valid_but_odd_files_are_compared_without_a_crash(cb, tmp_path, mutate, code, words):
    base = run_compute(cb)
    odd = copy.deepcopy(base)
    mutate(odd)
    data = {k: v for k, v in odd.items() if k != "_path"}
    jsonschema.Draft202012Validator(SCHEMA).validate(data)  # odd, but a file the schema accepts
    path = write(tmp_path, "run-odd.json", odd)
    proc = cb("compare", base["_path"], path)
    assert code is None or proc.returncode == code, proc.stdout + proc.stderr
    assert proc.returncode in (0, 1) and proc.stderr == "", proc.stderr
    assert words in proc.stdout, proc.stdout


def _duplicate(result: dict) -> None:
    result["benchmarks"].append(copy.deepcopy(result["benchmarks"][0]))


@pytest.mark.parametrize(
    "mutate, words",
    [
        (lambda r: r["benchmarks"][0]["samples"][0].update(warmup="no"),
         "benchmarks[0].samples[0].warmup: expected true or false, found string"),
        (lambda r: r["claimbench"]["comparisons"][0].pop("min_pairs") if r["claimbench"]["comparisons"]
         else r["claimbench"].pop("comparisons"), "missing required field"),
        (lambda r: r["benchmarks"][0].update(kind="daemon"), "benchmarks[0].kind: unknown case kind 'daemon'"),
        (lambda r: r.update(schema_version=1), "schema_version 1 was written by an older claimbench"),
        (lambda r: r.update(schema_version=3), "schema_version 3 is newer than this claimbench"),
        (lambda r: r["claimbench"].update(seed="42"), "claimbench.seed: expected a non-negative integer"),
        (_duplicate, "benchmarks[1] (null/batch_compute/cpp) repeats benchmarks[0]"),
    ],
    ids=["wrong-type", "missing-field", "unknown-kind", "older-version", "newer-version", "seed-as-string",
         "duplicate-benchmark"],
)
def test_malformed_files_are_named_with_the_field_that_is_wrong(cb, tmp_path, mutate, words):
    base = run_compute(cb)
    bad = copy.deepcopy(base)
    mutate(bad)
    path = write(tmp_path, "run-bad.json", bad)
    for args in ((base["_path"], path), (path, base["_path"])):
        proc = cb("compare", *args)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        lines = proc.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"claimbench: error: {path}: "), proc.stderr
        assert words in lines[0], lines[0]


def test_a_directory_mixing_profiles_is_refused_naming_the_file(cb, tmp_path):
    run_compute(cb, "--profile", "quick")
    standard = run_compute(cb, "--profile", "standard")
    results_dir = str(Path(standard["_path"]).parent)
    refused = cb("compare", results_dir, results_dir)
    assert refused.returncode == 2 and Path(standard["_path"]).name in refused.stderr, refused.stderr
    assert "cannot be merged" in refused.stderr
    assert cb("compare", results_dir, results_dir, "--allow-different").returncode == 0
