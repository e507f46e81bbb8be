"""End-to-end behaviour of the abstractions workload: the C++ program's command line (one line and exit 2 for
bad input, the same answer in both styles), and a harness run that verifies both C++ styles and pairs them,
which is what claim S2 reads. The Rust styles have the same checks in their crate's tests (tests/cli.rs)."""

import subprocess

import pytest

from claimbench_testing import BUILD_DIR, bench

CPP = BUILD_DIR / "workloads" / "abstractions" / "impls" / "cpp" / "abstractions_cpp"
KERNELS = ["sum_even_squares", "dot_product", "filter_map_collect", "matvec", "word_lengths"]


def program(*args: str) -> subprocess.CompletedProcess:
    if not CPP.exists():
        pytest.skip(f"{CPP} is not built; run ./claimbench build")
    return subprocess.run([str(CPP), *args], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("kernel", KERNELS)
def test_every_style_prints_the_same_answer(kernel):
    args = [kernel, "--elements", "4096", "--passes", "3", "--seed", "7"]
    runs = [program("--style", style, *args) for style in ["loops", "ranges", "function"]]
    assert all(run.returncode == 0 for run in runs), [run.stderr for run in runs]
    assert len({run.stdout for run in runs}) == 1
    assert runs[0].stdout.startswith(f"{kernel} ") and runs[0].stdout.endswith("\n")


def test_the_last_style_given_wins():
    """The harness passes the manifest's --style first; `claimbench exec -- --style ranges` adds another."""
    args = ["dot_product", "--elements", "64", "--passes", "1", "--seed", "3"]
    twice = program("--style", "loops", "--style", "ranges", *args)
    assert twice.returncode == 0, twice.stderr
    assert twice.stdout == program("--style", "ranges", *args).stdout


@pytest.mark.parametrize("args, says", [
    (["sum_odd_cubes", "--elements", "8", "--passes", "1", "--seed", "1"], "kernel"),
    (["dot_product", "--elements", "0", "--passes", "1", "--seed", "1"], "--elements"),
    (["dot_product", "--elements", "8", "--passes", "1", "--seed", "x"], "--seed"),
    (["dot_product", "--elements", "8", "--passes", "1"], "--seed"),
    (["matvec", "--elements", "100", "--passes", "1", "--seed", "1"], "multiple of --columns"),
    (["dot_product", "--elements", "8", "--passes", "1", "--seed", "1", "--style", "iter"], "--style"),
])
def test_bad_input_is_one_line_and_exit_status_2(args, says):
    proc = program(*args)
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and says in proc.stderr, proc.stderr


def test_harness_run_verifies_both_cpp_styles_and_pairs_them(cb):
    proc, result = cb.run("--workload", "abstractions", "--impl", "cpp", "--impl", "cpp_ranges", "--profile", "quick",
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    for kernel in KERNELS:
        for impl in ["cpp", "cpp_ranges"]:
            entry = bench(result, f"abstractions/{kernel}/{impl}")
            assert entry["status"] == "ok", entry.get("error")
            assert entry["parameters"]["kernel"] == kernel
        pair = [c for c in result["claimbench"]["comparisons"]
                if c["case_name"] == kernel and c["metric"] == "timed_ns" and c["contender"] == "cpp_ranges"
                and c["baseline"] == "cpp"]
        assert len(pair) == 1 and pair[0]["pairs"] >= 5, pair
