"""End-to-end: the null workload's ports in Rust, Go and Java are built by their own toolchains, measured and
verified like the C++ and Python implementations, with their label and build recorded; and a port whose
toolchain is too old is recorded as unavailable with the manifest's hint, never a crash."""

import json
import os
import shutil
import subprocess

import jsonschema
import pytest

from claimbench_testing import ROOT, bench

SCHEMA = json.loads((ROOT / "results" / "schema.json").read_text())
PORTS = {"rust": ("rust", "release"), "go": ("go", "default"), "java": ("java", "javac --release 17")}


def test_the_null_ports_are_measured_and_verified_with_their_build_recorded(cb):
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--impl", "rust", "--impl", "go", "--impl", "java",
                          "--case", "batch_compute", "--case", "echo_service", "--param", "work_units=20000",
                          "--param", "duration_s=1", "--param", "warmup_s=0", "--param", "rate_per_s=300",
                          timeout=900)
    assert result is not None, proc.stderr
    jsonschema.Draft202012Validator(SCHEMA).validate({k: v for k, v in result.items() if k != "_path"})
    for impl, (toolchain, profile) in PORTS.items():
        for case in ("batch_compute", "echo_service"):
            entry = bench(result, f"null/{case}/{impl}")
            if entry["status"] == "unavailable":
                pytest.skip(f"{impl} is unavailable here: {entry['error']}")
            assert entry["status"] == "ok", entry["error"]
            assert entry["label"] == "idiomatic"
            assert entry["build"]["toolchain"] == toolchain and entry["build"]["profile"] == profile
            assert entry["build"]["toolchain_version"][0].isdigit(), entry["build"]
            stats = {s["metric"]: s for s in entry["statistics"]}
            assert stats["startup_ns"]["median"] > 0 and stats["peak_rss_bytes"]["median"] > 1_000_000
    assert proc.returncode == 0, proc.stderr
    cpp = bench(result, "null/batch_compute/cpp")
    assert cpp["build"]["toolchain"] == "cpp" and cpp["build"]["profile"] == "release"


def test_a_port_with_a_too_old_toolchain_is_unavailable_with_the_hint(harness, tmp_path):
    impls = tmp_path / "workloads" / "null" / "impls"
    shutil.copytree(ROOT / "workloads" / "null" / "impls" / "cpp", impls / "cpp")
    (impls / "oldc").mkdir()
    (impls / "oldc" / "impl.toml").write_text(
        'language = "Oldc"\nrole = "port"\nlabel = "idiomatic"\ncommand = ["{out_dir}/null"]\n'
        '[toolchain]\nname = "oldc"\nminimum = "2.0"\nversion_command = ["sh", "-c", "echo oldc version 0.9.1"]\n'
        'hint = "install oldc 2 with ./claimbench setup"\n'
        '[build]\ncommand = ["sh", "-c", "echo the build must not run; exit 1"]\n')
    env = dict(os.environ, CLAIMBENCH_ROOT=str(tmp_path))
    why = "oldc 0.9.1 is too old: this implementation needs oldc 2.0 or newer; install oldc 2 with ./claimbench setup"
    proc = subprocess.run([str(harness), "run", "--out", str(tmp_path / "out"), "--workload", "null", "--case",
                           "batch_empty"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(next((tmp_path / "out" / "results").glob("run-*.json")).read_text())
    entry = bench(result, "null/batch_empty/oldc")
    assert entry["status"] == "unavailable" and entry["error"] == why
    assert entry["build"]["toolchain"] == "oldc" and entry["build"]["toolchain_version"] == "0.9.1"
    assert bench(result, "null/batch_empty/cpp")["status"] == "ok"
    assert "null/oldc" in proc.stderr and why in proc.stderr, "the progress lines say why, too"
