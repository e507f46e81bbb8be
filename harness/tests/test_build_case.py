"""End to end: the build case on the null workload, with the C++ reference (a fresh CMake build tree), the
Java port (Maven, offline) and the Python port (no build of ours), one repetition each to stay short; the
result validates against the schema, the report's Builds table shows it, and every edited source is given
back."""

import json
import shutil
import sys

import jsonschema
import pytest

from claimbench_testing import ROOT, bench

SCHEMA = json.loads((ROOT / "results" / "schema.json").read_text())
IMPLS = ROOT / "workloads" / "null" / "impls"


def sources() -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in IMPLS.rglob("*") if p.is_file() and p.suffix in (".cc", ".java", ".py")}


def test_the_build_case_times_verifies_and_describes_each_build(cb):
    if shutil.which("mvn") is None or shutil.which("java") is None:
        pytest.skip("Maven or Java is missing: ./claimbench setup installs them")
    if not (ROOT / "build" / "impls" / "null" / "java" / "target" / "null.jar").exists():
        pytest.skip("the Java port has not been built here yet (./claimbench setup fetches its plugins, run builds it)")
    before = sources()
    proc, result = cb.run("--workload", "null", "--case", "build", "--profile", "standard", "--impl", "cpp",
                          "--impl", "java", "--impl", "python", "--param", "repetitions=1",
                          "--param", "warmup_repetitions=0", timeout=240)
    assert proc.returncode == 0, proc.stderr
    jsonschema.Draft202012Validator(SCHEMA).validate({k: v for k, v in result.items() if k != "_path"})
    assert sources() == before, "an edited source was not given back"

    for impl, program in (("cpp", "workloads/null/impls/cpp/null_cpp"), ("java", "target/null.jar")):
        entry = bench(result, f"null/build/{impl}")
        assert entry["status"] == "ok", entry["error"]
        assert entry["kind"] == "build" and entry["primary_metric"] == "clean_build_ns"
        [sample] = entry["samples"]
        assert sample["metrics"]["clean_build_ns"] > 0 and sample["metrics"]["clean_build_cpu_ns"] > 0
        assert sample["metrics"]["incremental_build_ns"] > 0
        assert sample["metrics"]["artifact_files"] == 1 and sample["metrics"]["artifact_bytes"] > 1000
        assert sample["metrics"]["source_lines"] > 50
        assert entry["artifact"]["files"] == [program]
    cpp = bench(result, "null/build/cpp")
    assert "configure_ns" in cpp["samples"][0]["metrics"]
    assert "libc.so.6" in cpp["artifact"]["libraries"] and cpp["artifact"]["elf_interpreter"].startswith("/lib")
    assert cpp["artifact"]["incremental_edit"] == "workloads/null/impls/cpp/null_main.cc"
    java = bench(result, "null/build/java")
    assert java["artifact"]["libraries"] == [] and java["artifact"]["runtimes"][0].startswith("java 17")
    assert java["artifact"]["beyond_libc"] == java["artifact"]["runtimes"]
    python = bench(result, "null/build/python")
    assert python["status"] == "ok" and python["artifact"]["build"].startswith("none: python runs from its sources")
    assert python["artifact"]["files"] == ["workloads/null/impls/python/null_impl.py"]
    assert "clean_build_ns" not in python["samples"][0]["metrics"]

    sys.path.insert(0, str(ROOT / "reports"))
    from claimbench_report import render_markdown

    builds = render_markdown(result).split("## Builds\n", 1)[1].split("\n## ", 1)[0]
    assert "| null | cpp |" in builds and "beyond the C library: libstdc++.so.6" in builds
    assert "| null | python |" in builds and "none: python runs from its sources" in builds
