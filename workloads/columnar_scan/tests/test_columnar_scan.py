"""End-to-end behaviour of the columnar_scan workload: the C++ reference's answers against TPC-H's
official answers (SF 1) and DuckDB's (SF 0.1), every layout and thread count, clear errors for broken
data, and a harness run that verifies and measures."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from claimbench_testing import BUILD_DIR, ROOT, bench

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


def test_sf1_q1_and_q6_equal_the_official_tpch_answers(tmp_path):
    data = generate("1", tmp_path / "sf1")
    for name in ["q1", "q6"]:
        for extra in [(), ("--threads", "2"), ("--layout", "rows")]:
            proc = query(data, name, *extra)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout == (WORKLOAD / "data" / f"{name}_sf1.csv").read_text(), (name, extra)


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
    # The answers the harness compares with sit outside the dataset every implementation reads.
    data = ROOT / ".cache" / "columnar_scan" / "data-sf0.01"
    assert not list(data.rglob("*.csv")), "an answer key sits in the data directory"


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
