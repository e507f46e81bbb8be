"""What a run records when part of it cannot be measured: a port that does not build is failed with its
build log, and implementations without an equivalent of a case stay in the JSON but out of the table."""

from claimbench_testing import bench, null_tree

BROKEN_RUST = """language = "Rust"
role = "port"
label = "idiomatic"
command = ["{impl_dir}/target/release/null"]
[build]
command = ["sh", "-c", "echo '   Compiling null v0.1.0'; echo 'error[E0308]: mismatched types' >&2; exit 101"]
"""

COMPUTE_ONLY = """language = "C++"
role = "peer"
label = "idiomatic"
command = ["{build_dir}/workloads/null/impls/cpp/null_cpp"]
cases = ["batch_compute"]
"""


def test_a_port_that_fails_to_build_is_failed_with_its_build_log_and_the_run_exits_1(cb, tmp_path):
    tree = null_tree(tmp_path, {"rust": BROKEN_RUST})
    proc, result = cb.with_root(tree).run("--workload", "null", "--case", "batch_empty")
    assert proc.returncode == 1, proc.stderr
    rust = bench(result, "null/batch_empty/rust")
    assert rust["status"] == "failed", rust
    assert "build failed: exited with status 101" in rust["error"], rust["error"]
    assert "error[E0308]: mismatched types" in rust["error"]
    assert bench(result, "null/batch_empty/cpp")["status"] == "ok"
    assert bench(result, "null/batch_empty/python")["status"] == "ok"
    row = next(line for line in proc.stdout.splitlines() if line.startswith("null/batch_empty/rust"))
    assert "failed" in row and "mismatched types" in row
    # `exec` says the same: the port failed to build (exit 1), it is not "unavailable" (a set-up error, 2).
    proc = cb.with_root(tree)("exec", "null", "--impl", "rust", "--", "batch", "--work-units", "3")
    assert proc.returncode == 1, proc.stderr
    assert "null/rust could not be built: build failed" in proc.stderr and "mismatched types" in proc.stderr


def test_the_table_leaves_out_implementations_without_an_equivalent_of_the_case(cb, tmp_path):
    tree = null_tree(tmp_path, {"compute_only": COMPUTE_ONLY})
    proc, result = cb.with_root(tree).run("--workload", "null", "--case", "batch_empty", "--impl", "cpp",
                                          "--impl", "compute_only")
    assert proc.returncode == 0, proc.stderr
    entry = bench(result, "null/batch_empty/compute_only")
    assert entry["status"] == "unavailable" and entry["error"].startswith("takes part only in batch_compute")
    assert "compute_only" not in proc.stdout, proc.stdout
    assert "null/batch_empty/cpp" in proc.stdout


def test_an_implementation_in_no_case_of_the_run_is_not_built(cb, tmp_path):
    """A port whose cases (`cases`, `quick_cases`) are none of the run's costs it no build: its build would
    fail here, and nothing fails."""
    tree = null_tree(tmp_path, {"rust": BROKEN_RUST.replace("[build]", "quick_cases = [\"batch_compute\"]\n[build]")})
    proc, result = cb.with_root(tree).run("--workload", "null", "--case", "batch_empty", "--impl", "cpp",
                                          "--impl", "rust")
    assert proc.returncode == 0, proc.stderr
    rust = bench(result, "null/batch_empty/rust")
    assert rust["status"] == "unavailable", rust
    assert rust["error"].startswith("takes part only in batch_compute in the quick profile"), rust["error"]
    assert "mismatched types" not in proc.stdout + proc.stderr
    # The standard profile builds it, and its failure shows.
    proc, result = cb.with_root(tree).run("--workload", "null", "--case", "batch_empty", "--impl", "cpp",
                                          "--impl", "rust", "--profile", "standard")
    assert proc.returncode == 1, proc.stderr
    assert "build failed" in bench(result, "null/batch_empty/rust")["error"]
