"""The implementations that run a C++ reference built differently (cpp_hardened, cpp_libcxx, cpp_libcxx_hardened,
cpp_asan: claim F3) record their build in impl.toml by hand; these tests keep that record in step with the preset
that really builds them (CMakePresets.json) and with the reference they rebuild, so a result never names flags
the binary was not built with."""

import json
import subprocess
import tomllib

import pytest

from claimbench_testing import ROOT, bench

VARIANTS = sorted(p.parent for p in ROOT.glob("workloads/*/impls/cpp_*/impl.toml")
                  if tomllib.loads(p.read_text())["label"] in ("variant", "diagnostic"))
# What CMake adds to CMAKE_CXX_FLAGS for each build type (GCC and Clang alike).
BUILD_TYPE_FLAGS = {"Release": ["-O3", "-DNDEBUG"], "RelWithDebInfo": ["-O2", "-g", "-DNDEBUG"]}
SCRIPT = ROOT / "tools" / "build_reference_variant.sh"


def preset_cache(name: str) -> dict[str, str]:
    """The cache variables of a configure preset, its parents' first."""
    presets = {p["name"]: p for p in json.loads((ROOT / "CMakePresets.json").read_text())["configurePresets"]}
    assert name in presets, f"no configure preset '{name}' in CMakePresets.json"
    preset = presets[name]
    cache = preset_cache(preset["inherits"]) if "inherits" in preset else {}
    return cache | preset.get("cacheVariables", {})


def test_every_batch_workload_and_the_proxy_has_the_hardened_and_asan_builds():
    names = {(v.parent.parent.name, v.name) for v in VARIANTS}
    for workload in ("null", "tokenizer", "columnar_scan", "sync_engine", "http_proxy"):
        assert {(workload, "cpp_hardened"), (workload, "cpp_asan")} <= names, workload


@pytest.mark.parametrize("impl_dir", VARIANTS, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_a_reference_variant_records_the_build_its_preset_makes(impl_dir):
    impl = tomllib.loads((impl_dir / "impl.toml").read_text())
    reference = tomllib.loads((impl_dir.parent / "cpp" / "impl.toml").read_text())
    script, preset, target = impl["build"]["command"]
    assert script == "{root}/tools/build_reference_variant.sh"
    assert target == reference["build"]["cmake_target"], "it must rebuild the reference's own target"
    assert impl["build"]["profile"] == preset
    # The same program the reference runs, from the preset's tree instead of the release one.
    program = next(arg for arg in impl["command"] if arg.startswith("{root}/build/"))
    assert program == reference["command"][0].replace("{build_dir}", "{root}/build/" + preset)
    cache = preset_cache(preset)
    want = (cache.get("CMAKE_CXX_FLAGS", "").split() + BUILD_TYPE_FLAGS[cache["CMAKE_BUILD_TYPE"]]
            + reference["build"].get("flags", []) + cache.get("CMAKE_EXE_LINKER_FLAGS", "").split())
    assert impl["build"]["flags"] == want
    compiler = impl["toolchain"]["version_command"][0]
    assert compiler == cache["CMAKE_CXX_COMPILER"], "the version recorded must be the compiler's that built it"
    assert impl["profiles"] == ["standard", "full"], "a variant's build must not cost the quick run"
    assert impl["cases"], "it names the cases its price is measured on"
    assert impl.get("memory_limit", True) is (preset != "asan"), "only ASan's shadow memory needs the limit lifted"


def test_the_build_script_says_how_to_call_it():
    done = subprocess.run([SCRIPT], capture_output=True, text=True)
    assert done.returncode == 2
    assert "usage:" in done.stderr and "PRESET TARGET" in done.stderr


def test_the_hardened_null_reference_runs_beside_the_release_one_in_the_same_rounds(cb):
    # The one variant ./claimbench test builds (null_cpp in build/hardened: about 20 s on 2 cores): named with
    # --impl, it takes part in the quick profile too.
    proc, result = cb.run("--workload", "null", "--impl", "cpp", "--impl", "cpp_hardened", "--case", "batch_compute",
                          "--param", "work_units=20000", timeout=600)
    assert proc.returncode == 0, proc.stderr
    hardened = bench(result, "null/batch_compute/cpp_hardened")
    assert hardened["status"] == "ok", hardened["error"]
    assert hardened["label"] == "variant" and hardened["role"] == "port"
    assert hardened["build"]["profile"] == "hardened" and "-D_GLIBCXX_ASSERTIONS" in hardened["build"]["flags"]
    assert hardened["command"][0] == str(ROOT / "build/hardened/workloads/null/impls/cpp/null_cpp")
    paired = [c for c in result["claimbench"]["comparisons"]
              if (c["contender"], c["baseline"], c["metric"]) == ("cpp_hardened", "cpp", "timed_ns")]
    assert len(paired) == 1 and paired[0]["pairs"] >= 6, "a paired ratio from the same interleaved rounds"
