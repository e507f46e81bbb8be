"""`claimbench compare`: a rerun is within noise; a deliberately slowed implementation is a regression."""

from pathlib import Path

from claimbench_testing import bench


def run_compute(cb, *extra):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--case", "batch_compute",
                          "--param", "work_units=20000000", *extra)
    assert proc.returncode == 0, proc.stderr
    return result


def verdict_of(stdout: str) -> str:
    line = next(line for line in stdout.splitlines() if "null/batch_compute/cpp" in line and "timed_ns" in line)
    return line


def test_a_rerun_is_no_regression_and_a_slowed_implementation_is(cb, tmp_path):
    base = run_compute(cb)
    rerun = run_compute(cb)
    slowed = run_compute(cb, "--param", "delay_ms=40")
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
