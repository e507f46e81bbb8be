"""End-to-end behaviour of the columnar_scan workload: the C++ reference's answers against TPC-H's
official answers (SF 1) and DuckDB's (SF 0.1), every layout and thread count, clear errors for broken
data, and a harness run that verifies and measures."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from claimbench_testing import BUILD_DIR, HARNESS, ROOT, bench

WORKLOAD = ROOT / "workloads" / "columnar_scan"
CPP = BUILD_DIR / "workloads" / "columnar_scan" / "impls" / "cpp" / "columnar_scan_cpp"
VENV = ROOT / ".venv" / "bin"
QUERIES = ["q1", "q6", "q3", "q18"]


def have_duckdb() -> bool:
    return subprocess.run([str(VENV / "python"), "-c", "import duckdb"], capture_output=True).returncode == 0


def generate(sf: str, out: Path) -> Path:
    if not CPP.exists():
        pytest.skip(f"{CPP} is not built; run ./claimbench build")
    if not (VENV / "tpchgen-cli").exists():
        pytest.skip("tpchgen-cli is not installed; run ./claimbench setup")
    subprocess.run([str(CPP), "generate", "--sf", sf, "--out", str(out), "--generator", str(VENV / "tpchgen-cli"),
                    "--parquet"], check=True, timeout=600)
    return out


def query(data: Path, name: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CPP), "query", "--data", str(data), "--query", name, *extra], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def sf01(tmp_path_factory) -> Path:
    return generate("0.1", tmp_path_factory.mktemp("columnar") / "sf0.1")


@pytest.fixture(scope="module")
def sf1(tmp_path_factory) -> Path:
    """SF 1 data, made once for the module: about 35 s on the 2-core development VM."""
    return generate("1", tmp_path_factory.mktemp("columnar") / "sf1")


def official(name: str) -> str:
    return (WORKLOAD / "data" / f"{name}_sf1.csv").read_text()


def same_exact_decimals(expected: str, got: str) -> bool:
    """The driver's rule for an implementation with exact money (driver/answer_check.h): the same text, but
    an average may differ by one unit of its last digit (an engine may average in binary floating point)."""
    want_lines, got_lines = expected.splitlines(), got.splitlines()
    if len(want_lines) != len(got_lines) or want_lines[:1] != got_lines[:1]:
        return False
    header = want_lines[0].split(",")
    for want_row, got_row in zip(want_lines[1:], got_lines[1:], strict=True):
        if want_row.count(",") != got_row.count(","):
            return False
        for column, want, have in zip(header, want_row.split(","), got_row.split(","), strict=True):
            if want != have and not (column.startswith("avg_") and abs(float(want) - float(have)) <= 0.0100001):
                return False
    return True


@pytest.mark.parametrize("name", QUERIES)
def test_sf1_every_query_equals_the_official_tpch_answer(sf1, name):
    """The C++ reference prints TPC-H's official answers (data/, from the TPC-H tools) digit for digit, in
    both layouts and on two threads."""
    for extra in [(), ("--threads", "2"), ("--layout", "rows")]:
        proc = query(sf1, name, *extra)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == official(name), (name, extra)


@pytest.mark.parametrize("name", QUERIES)
def test_sf1_duckdb_gives_the_official_tpch_answer(sf1, name):
    """DuckDB, whose answers are the expected ones at other scale factors, agrees with TPC-H's at SF 1."""
    if not have_duckdb():
        pytest.skip("DuckDB is not installed; run ./claimbench setup")
    duckdb = subprocess.run([str(VENV / "python"), str(WORKLOAD / "impls" / "duckdb" / "duckdb_impl.py"), "query",
                             "--data", str(sf1), "--query", name, "--threads", "2"],
                            capture_output=True, text=True, timeout=300)
    assert duckdb.returncode == 0, duckdb.stderr
    assert same_exact_decimals(official(name), duckdb.stdout), (name, duckdb.stdout)


@pytest.mark.parametrize("name", QUERIES)
def test_every_query_equals_duckdb_at_sf01(sf01, name):
    if not have_duckdb():
        pytest.skip("DuckDB is not installed; run ./claimbench setup")
    duckdb = subprocess.run([str(VENV / "python"), str(WORKLOAD / "impls" / "duckdb" / "duckdb_impl.py"), "query",
                             "--data", str(sf01), "--query", name],
                            capture_output=True, text=True, timeout=300, check=True)
    for extra in [(), ("--threads", "2"), ("--layout", "rows")]:
        proc = query(sf01, name, *extra)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout == duckdb.stdout, (name, extra)
        assert "bytes_touched" in proc.stderr


def broken_copy(sf01: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(sf01, copy, ignore=shutil.ignore_patterns("parquet"))
    return copy


@pytest.mark.parametrize("damage, message", [
    ("truncate", "truncated"),
    ("corrupt", "corrupt"),
    ("delete", "cannot open"),
    ("manifest_version", "version 7 is not supported"),
    ("manifest_column", "no column lineitem.l_tax"),
    ("manifest_garbage", "not valid JSON"),
    ("no_manifest", "generate --sf N --out DIR"),
])
def test_broken_data_is_a_clear_error_not_a_crash(sf01, tmp_path, damage, message):
    data = broken_copy(sf01, tmp_path)
    column = data / "lineitem" / "l_tax.bin"
    manifest_path = data / "manifest.json"
    if damage == "truncate":
        os.truncate(column, column.stat().st_size // 2)
    elif damage == "corrupt":
        raw = bytearray(column.read_bytes())
        raw[1000] ^= 1
        column.write_bytes(bytes(raw))
    elif damage == "delete":
        column.unlink()
    elif damage.startswith("manifest"):
        manifest = json.loads(manifest_path.read_text())
        if damage == "manifest_version":
            manifest["version"] = 7
        elif damage == "manifest_column":
            lineitem = next(t for t in manifest["tables"] if t["name"] == "lineitem")
            lineitem["columns"] = [c for c in lineitem["columns"] if c["name"] != "l_tax"]
        text = json.dumps(manifest)
        manifest_path.write_text(text[: len(text) // 2] if damage == "manifest_garbage" else text)
    elif damage == "no_manifest":
        manifest_path.unlink()
    proc = query(data, "q1")
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_unknown_query_and_bad_options_are_usage_errors(sf01):
    proc = query(sf01, "q99")
    assert proc.returncode == 2
    assert "unknown query 'q99'; choose one of q1, q6, q3, q18" in proc.stderr
    proc = query(sf01, "q1", "--threads", "0")
    assert proc.returncode == 2 and "--threads" in proc.stderr
    proc = subprocess.run([str(CPP), "generate", "--sf", "-1", "--out", "/nonexistent"], capture_output=True, text=True)
    assert proc.returncode == 2 and "--sf" in proc.stderr


def test_harness_run_verifies_and_reports_bandwidth(cb):
    if not have_duckdb():
        pytest.skip("DuckDB is not installed; run ./claimbench setup")
    proc, result = cb.run("--workload", "columnar_scan", "--case", "q6_t1", "--impl", "cpp", "--impl", "duckdb",
                          "--param", "sf=0.01", timeout=600)
    assert proc.returncode == 0, proc.stderr
    for impl in ["cpp", "duckdb"]:
        entry = bench(result, f"columnar_scan/q6_t1/{impl}")
        assert entry["status"] == "ok", entry["error"]
        sample = next(s for s in entry["samples"] if not s["warmup"])
        for metric in ["rows_per_s", "bytes_per_s", "read_bandwidth_pct", "probe_read_bytes_per_s", "peak_rss_bytes"]:
            assert sample["metrics"][metric] > 0, metric
        # The probe was measured once, when the case was prepared, and is recorded as its calibration.
        probe = entry["calibration"]["probe_read_bytes_per_s_t1"]
        assert sample["metrics"]["probe_read_bytes_per_s"] == pytest.approx(probe["value"]) and probe["value"] > 0
    # The expected answer is the one DuckDB and a second engine (DataFusion, else Polars or pandas) agreed
    # on, kept outside the dataset every implementation reads.
    cache = ROOT / ".cache" / "columnar_scan"
    assert (cache / "answers-sf0.01" / "q6.duckdb.csv").exists()
    seconds = {"q6.datafusion.csv", "q6.polars.csv", "q6.pandas.csv"}
    assert {p.name for p in (cache / "answers-sf0.01").glob("q6.*.csv")} & seconds
    assert_no_answer_inside(cache / "data-sf0.01")


def assert_no_answer_inside(data: Path) -> None:
    """Fails if an answer key (a query's CSV answer, an engine's cached output) sits in the directory an
    implementation reads with --data."""
    assert data.is_dir()
    answers = [p for p in data.rglob("*") if p.suffix in {".csv", ".tmp", ".log"} or "answer" in p.name]
    assert not answers, f"an answer key sits in the data directory: {answers}"


# A peer that answers Q6 with DuckDB's answer plus one cent: within TPC-H's $100 for sums, but not exact.
CENT_OFF = r"""import subprocess, sys
from decimal import Decimal
proc = subprocess.run([sys.executable, {duckdb!r}, *sys.argv[1:]], capture_output=True, text=True, close_fds=False)
header, value = proc.stdout.split()
sys.stdout.write(f"{{header}}\n{{Decimal(value) + Decimal('0.01')}}\n")
sys.exit(proc.returncode)
"""

# A "polars" whose Q6 answer is a dollar: the second engine disagrees with DuckDB.
WRONG_ENGINE = r"""import os
fd = int(os.environ.get("CLAIMBENCH_MARK_FD", "-1"))
if fd >= 0:
    os.write(fd, b"ready\ndone\n")
print("revenue\n1.00")
"""


def fake_root(tmp_path: Path, peers: dict[str, str | Path]) -> Path:
    """A checkout with the real C++ reference and DuckDB peer, and the given Python peers: name -> the
    program's source, or the path of a real peer's program."""
    if not CPP.exists():
        pytest.skip(f"{CPP} is not built; run ./claimbench build")
    if not have_duckdb():
        pytest.skip("DuckDB is not installed; run ./claimbench setup")
    root = tmp_path / "root"
    impls = root / "workloads" / "columnar_scan" / "impls"
    (root / ".venv").parent.mkdir(parents=True, exist_ok=True)
    (root / ".venv").symlink_to(ROOT / ".venv")
    for name, command in [("cpp", f'["{CPP}"]'),
                          ("duckdb", f'["{{python}}", "{WORKLOAD / "impls" / "duckdb" / "duckdb_impl.py"}"]')]:
        (impls / name).mkdir(parents=True)
        role = "reference" if name == "cpp" else "peer"
        (impls / name / "impl.toml").write_text(
            f'language = "x"\nrole = "{role}"\nlabel = "idiomatic"\ncommand = {command}\n')
    for name, program in peers.items():
        (impls / name).mkdir(parents=True)
        if isinstance(program, str):
            (impls / name / "peer.py").write_text(program)
            program = "{impl_dir}/peer.py"
        (impls / name / "impl.toml").write_text(
            f'language = "Python"\nrole = "peer"\nlabel = "idiomatic"\ncommand = ["{{python}}", "{program}"]\n')
    return root


def run_fake(root: Path, tmp_path: Path, *impls: str) -> tuple[subprocess.CompletedProcess, dict]:
    env = dict(os.environ, CLAIMBENCH_ROOT=str(root))
    impl_args = [arg for impl in impls for arg in ("--impl", impl)]
    proc = subprocess.run([str(HARNESS), "run", "--out", str(tmp_path / "out"), "--workload", "columnar_scan",
                           "--case", "q6_t1", "--param", "sf=0.01", *impl_args],
                          capture_output=True, text=True, env=env, timeout=600)
    return proc, json.loads(next((tmp_path / "out" / "results").glob("run-*.json")).read_text())


def test_expected_answers_need_two_engines_that_agree(tmp_path):
    """Away from SF 1 the expected answer is one DuckDB and a second engine agree on: a second engine that
    disagrees means the case has no answer (it cannot be prepared), rather than DuckDB's word alone."""
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    root = fake_root(tmp_path, {"polars": WRONG_ENGINE})
    proc, result = run_fake(root, tmp_path, "cpp")
    assert proc.returncode == 1, proc.stderr
    entry = bench(result, "columnar_scan/q6_t1/cpp")
    assert entry["status"] == "failed" and entry["samples"] == []
    assert "the case could not be prepared: duckdb and polars disagree on q6 at SF 0.01" in entry["error"], entry
    assert "row 1 revenue: got '1.00'" in entry["error"], entry["error"]


def test_datafusion_is_the_second_engine_before_polars_and_is_held_to_the_cent(tmp_path):
    """DataFusion keeps decimals exact, so it is asked before Polars and gets no Float64 tolerance: one a cent
    off DuckDB leaves the case without an expected answer, whatever Polars says."""
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    duckdb = str(WORKLOAD / "impls" / "duckdb" / "duckdb_impl.py")
    polars = WORKLOAD / "impls" / "polars" / "polars_impl.py"
    root = fake_root(tmp_path, {"polars": polars, "datafusion": CENT_OFF.format(duckdb=duckdb)})
    proc, result = run_fake(root, tmp_path, "cpp")
    assert proc.returncode == 1, proc.stderr
    error = bench(result, "columnar_scan/q6_t1/cpp")["error"]
    assert "duckdb and datafusion disagree on q6 at SF 0.01" in error, error
    assert "(exact decimals: to the cent)" in error, error


# A "datafusion" that dies before answering, as DataFusion's Q18 at SF 10 does when it outgrows the memory.
DIES = r"""import sys
sys.stderr.write("memory allocation of 8589934592 bytes failed\n")
sys.exit(134)
"""


def test_a_second_engine_that_cannot_finish_hands_over_to_the_next(tmp_path):
    """A second engine that cannot compute the answer (killed, out of memory) is no evidence either way: the
    next one (Polars) is asked, and the answer says which engine could not and why, where a wrong result
    quotes it."""
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    duckdb = str(WORKLOAD / "impls" / "duckdb" / "duckdb_impl.py")
    polars = WORKLOAD / "impls" / "polars" / "polars_impl.py"
    root = fake_root(tmp_path, {"datafusion": DIES, "polars": polars, "rust": CENT_OFF.format(duckdb=duckdb)})
    proc, result = run_fake(root, tmp_path, "cpp", "rust")
    assert proc.returncode == 1, proc.stderr  # the cent-off "rust" is invalid
    assert bench(result, "columnar_scan/q6_t1/cpp")["status"] == "ok", bench(result, "columnar_scan/q6_t1/cpp")
    error = bench(result, "columnar_scan/q6_t1/rust")["error"]
    handed_over = "the answer duckdb and polars agree on (datafusion could not compute the expected answer to q6"
    assert handed_over in error, error
    assert "memory allocation of 8589934592 bytes failed" in error, error
    answers = root / ".cache" / "columnar_scan" / "answers-sf0.01"
    assert (answers / "q6.polars.csv").exists() and not (answers / "q6.datafusion.csv").exists()


def test_exact_implementations_get_no_float64_tolerance(tmp_path):
    """TPC-H's tolerances ($100 on a sum) are for the engine with Float64 money (pandas) alone: an
    implementation a cent off the exact answer is wrong, while Polars, exact too, is right."""
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    duckdb = str(WORKLOAD / "impls" / "duckdb" / "duckdb_impl.py")
    polars = WORKLOAD / "impls" / "polars" / "polars_impl.py"
    root = fake_root(tmp_path, {"polars": polars, "rust": CENT_OFF.format(duckdb=duckdb)})
    proc, result = run_fake(root, tmp_path, "cpp", "polars", "rust")
    assert proc.returncode == 1, proc.stderr
    for ok in ("cpp", "polars"):
        assert bench(result, f"columnar_scan/q6_t1/{ok}")["status"] == "ok", bench(result, f"columnar_scan/q6_t1/{ok}")
    rust = bench(result, "columnar_scan/q6_t1/rust")
    assert rust["status"] == "invalid"
    assert "the answer duckdb and polars agree on" in rust["error"] and "(exact decimals: to the cent)" in rust["error"]
    assert_no_answer_inside(root / ".cache" / "columnar_scan" / "data-sf0.01")


def test_exec_gives_an_implementation_the_harness_s_environment(cb, tmp_path):
    """`claimbench exec` runs an implementation as the suite runner does: tools installed in the project's
    .venv (the TPC-H generator) are found by name."""
    if not (VENV / "tpchgen-cli").exists():
        pytest.skip("tpchgen-cli is not installed; run ./claimbench setup")
    proc = cb("exec", "columnar_scan", "--", "generate", "--sf", "0.01", "--out", str(tmp_path / "sf0.01"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "sf0.01" / "manifest.json").exists()


def test_a_thread_baseline_is_compared_with_its_own_implementation_only(cb):
    if not have_duckdb():
        pytest.skip("DuckDB is not installed; run ./claimbench setup")
    proc, result = cb.run("--workload", "columnar_scan", "--profile", "standard", "--case", "q6_t2", "--impl", "cpp",
                          "--impl", "duckdb", "--param", "sf=0.01", timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert bench(result, "columnar_scan/q6_t2/cpp@1t")["status"] == "ok"
    pairs = {(c["baseline"], c["contender"]) for c in result["claimbench"]["comparisons"] if c["case_name"] == "q6_t2"}
    assert pairs == {("cpp", "duckdb"), ("duckdb", "cpp"), ("cpp", "cpp@1t"), ("cpp@1t", "cpp")}, pairs
