"""`claimbench compare`: a rerun is within noise; a deliberately slowed implementation is a regression."""

from pathlib import Path

from conftest import bench


def run_compute(cb, *extra):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--case", "batch_compute",
                          "--param", "work_units=20000000", *extra)
    assert proc.returncode == 0, proc.stderr
    return result


def test_rerun_is_within_noise_and_slowed_implementation_is_a_regression(cb, tmp_path):
    base = run_compute(cb)
    rerun = run_compute(cb)
    slowed = run_compute(cb, "--param", "delay_ms=40")
    assert bench(slowed, "null/batch_compute/cpp")["status"] == "ok"

    same = cb("compare", base["_path"], rerun["_path"])
    assert same.returncode == 0, same.stdout + same.stderr
    primary = [line for line in same.stdout.splitlines() if "null/batch_compute/cpp" in line and "timed_ns" in line]
    assert primary and "within noise" in primary[0], same.stdout

    markdown = tmp_path / "compare.md"
    worse = cb("compare", base["_path"], slowed["_path"], "--markdown", str(markdown))
    assert worse.returncode == 1, worse.stdout + worse.stderr
    assert "slower" in worse.stdout and "REGRESSION" in worse.stdout
    assert "**regression**" in markdown.read_text()

    # The same pair judged with a threshold above the slowdown is no regression.
    lenient = cb("compare", base["_path"], slowed["_path"], "--threshold", "1000")
    assert lenient.returncode == 0, lenient.stdout


def test_compare_of_a_file_with_itself_is_within_noise(cb):
    base = run_compute(cb)
    same = cb("compare", base["_path"], base["_path"])
    assert same.returncode == 0
    assert "within noise" in same.stdout


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
