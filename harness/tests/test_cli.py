"""The small subcommands: list, exec, env, help, usage errors."""

import itertools


def test_list_shows_workloads_and_implementations(cb):
    proc = cb("list")
    assert proc.returncode == 0, proc.stderr
    assert "null" in proc.stdout and "cpp" in proc.stdout and "python" in proc.stdout
    assert "tokenizer" in proc.stdout and "sync_engine" in proc.stdout and "restic" in proc.stdout
    # Columns stay aligned past a long name: the null workload's rows have their language at one offset.
    lines = proc.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("null "))
    null_rows = list(itertools.takewhile(lambda row: row.startswith(" "), lines[start + 1:]))
    assert {row.index(" C++ ") for row in null_rows if " C++ " in row} == {18 + len("cpp_libcxx_hardened")}


def test_exec_runs_the_reference_and_passes_the_exit_status(cb):
    proc = cb("exec", "null", "--", "batch", "--work-units", "3")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "checksum 52b7c1282f0cb818\n"
    py = cb("exec", "null", "--impl", "python", "--", "batch", "--work-units", "3")
    assert py.stdout == proc.stdout
    usage = cb("exec", "null", "--", "batch", "--work-units", "minus-one")
    assert usage.returncode == 2 and "non-negative integer" in usage.stderr
    unknown = cb("exec", "null", "--impl", "fortran", "--", "batch")
    assert unknown.returncode == 2 and "no implementation 'fortran'" in unknown.stderr


def test_env_prints_a_fingerprint(cb):
    import json

    proc = cb("env", "--json")
    assert proc.returncode == 0, proc.stderr
    fingerprint = json.loads(proc.stdout)
    assert fingerprint["num_cpus"] >= 1


def test_help_and_usage_errors(cb):
    assert cb("--help").returncode == 0
    assert cb("run", "--help").returncode == 0
    nothing = cb()
    assert nothing.returncode == 2
    bogus = cb("frobnicate")
    assert bogus.returncode == 2 and bogus.stderr.startswith("claimbench: error:")


def test_latency_prints_hdrhistogram_percentile_text_from_a_result(cb):
    from claimbench_testing import ROOT

    fixture = str(ROOT / "reports" / "tests" / "fixtures" / "null_quick.json")
    proc = cb("latency", fixture, "--benchmark", "null/echo_service/python", "--which", "uncorrected")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "# null/echo_service/python uncorrected latency, values in us"
    assert lines[1].split() == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"]
    rows = [line.split() for line in lines[3:] if line and not line.startswith("#")]
    values = [float(r[0]) for r in rows]
    assert values == sorted(values) and len(values) > 10
    assert any(line.startswith("#[Mean") for line in lines)
    missing = cb("latency", fixture, "--benchmark", "null/batch_empty/cpp")
    assert missing.returncode == 2 and "no latency distribution" in missing.stderr
