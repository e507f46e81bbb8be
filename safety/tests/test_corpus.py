"""The corpus check of ./claimbench test: every case's expectations (case.toml) hold on this machine's
toolchains, and every fix is clean under every tool. A failure names the case, the tool, what was expected
and what happened, so a toolchain upgrade that changes a detection is one readable line.

The whole corpus is compiled once per build kind (cached in build/safety/ across runs) and run once per
session; an unavailable tool (clang-19 not installed) is reported as skipped, never as passing."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from claimbench_safety.__main__ import main
from claimbench_safety.corpus import CASES_DIR, CorpusError, load_case, load_corpus
from claimbench_safety.matrix import build_matrix, validate_matrix
from claimbench_safety.outcome import UNAVAILABLE
from claimbench_safety.runner import check_corpus
from claimbench_safety.toolchain import REPO_ROOT, TOOL_LANGUAGES

CASE_IDS = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


@pytest.fixture(scope="session")
def matrix() -> dict:
    cases = load_corpus(TOOL_LANGUAGES)
    return build_matrix(cases, check_corpus(cases, jobs=2))


@pytest.mark.parametrize("case_id", CASE_IDS)
def test_case_expectations_hold(matrix: dict, case_id: str):
    case = next(c for c in matrix["cases"] if c["id"] == case_id)
    assert not case["changes"], "\n".join(case["changes"])
    unavailable = sorted({f"{tool}: {cell['detail']}" for tool, cell in case["outcomes"].items()
                          if cell["outcome"] == UNAVAILABLE})
    if unavailable:
        pytest.skip(f"{case_id}: the other tools hold; not checked here: {'; '.join(unavailable)}")


def test_the_matrix_matches_its_schema_and_records_the_toolchains(matrix: dict):
    validate_matrix(matrix)
    assert set(matrix["toolchains"]) == {"rustc", "g++", "clang++-19", "go"}
    assert matrix["toolchains"]["rustc"].startswith("rustc 1.95.0")


def test_the_corpus_covers_the_issue_s_cases_and_is_honest_about_rust():
    cases = {c.id: c for c in load_corpus(TOOL_LANGUAGES)}
    assert len(cases) >= 20
    # What Rust does not prevent is part of the corpus, not hidden from it.
    assert cases["out_of_bounds_index"].expect["rust"] == "caught"
    assert cases["unsafe_use_after_free"].rust_unsafe and cases["unsafe_use_after_free"].expect["rust"] == "silent"
    assert cases["deadlock"].expect["rust"] == "hung"
    assert cases["toctou"].expect["rust"] == "silent"
    for race in ("data_race_counter", "deadlock", "toctou"):
        assert "go" in cases[race].languages


def test_rust_is_pinned_like_the_ports():
    pinned = re.search(r"^rust\s+(\S+)", (REPO_ROOT / "setup" / "toolchains.txt").read_text(), re.M).group(1)
    toolchain = tomllib.loads((REPO_ROOT / "safety" / "rust-toolchain.toml").read_text())
    assert toolchain["toolchain"]["channel"] == pinned


def _copy_case(tmp_path: Path, name: str, manifest: str) -> Path:
    case = tmp_path / name
    case.mkdir()
    for source in (CASES_DIR / "signed_overflow").glob("*.rs"):
        (case / source.name).write_text(source.read_text())
    (case / "case.toml").write_text(manifest)
    return case


def test_a_broken_manifest_names_the_case_and_the_key(tmp_path: Path):
    good = 'title = "t"\nbug = "b"\nclasses = ["integer_overflow"]\n[expect]\nrust = "silent"\n'
    assert load_case(_copy_case(tmp_path, "good", good), TOOL_LANGUAGES).expect == {"rust": "silent"}
    with pytest.raises(CorpusError, match=r"cases/typo/case.toml: expect.rust = 'silnet' is not an outcome"):
        load_case(_copy_case(tmp_path, "typo", good.replace('"silent"', '"silnet"')), TOOL_LANGUAGES)
    with pytest.raises(CorpusError, match=r"cases/codes/case.toml: \[rust\] errors"):
        load_case(_copy_case(tmp_path, "codes", good.replace('"silent"', '"rejected"')), TOOL_LANGUAGES)
    with pytest.raises(CorpusError, match=r"cases/missing/case.toml: \[expect\] misses rust"):
        load_case(_copy_case(tmp_path, "missing", good.replace('rust = "silent"\n', "")), TOOL_LANGUAGES)


def test_a_changed_expectation_is_one_line_naming_case_tool_and_outcomes(tmp_path: Path):
    wrong = 'title = "t"\nbug = "b"\nclasses = ["integer_overflow"]\n[rust]\nerrors = ["E0308"]\n' \
            '[expect]\nrust = "rejected"\n'
    case = load_case(_copy_case(tmp_path, "wrong", wrong), TOOL_LANGUAGES)
    changes = build_matrix([case], check_corpus([case], jobs=1))["changes"]
    assert changes == ["wrong: rust expected rejected, got silent"]


def test_beside_a_quick_result_writes_nothing_and_beside_a_standard_one_writes_the_matrix(tmp_path: Path, capsys):
    quick = tmp_path / "run-1-quick.json"
    quick.write_text(json.dumps({"claimbench": {"profile": "quick"}}))
    assert main(["--beside", str(quick)]) == 0
    assert not (tmp_path / "safety-run-1-quick.json").exists()
    standard = tmp_path / "run-2-standard.json"
    standard.write_text(json.dumps({"claimbench": {"profile": "standard"}}))
    assert main(["--beside", str(standard), "--case", "signed_overflow", "--jobs", "1"]) == 0
    written = json.loads((tmp_path / "safety-run-2-standard.json").read_text())
    assert written["result"] == "run-2-standard.json" and [c["id"] for c in written["cases"]] == ["signed_overflow"]
    assert main(["--case", "no_such_case"]) == 2
    assert "no case 'no_such_case'" in capsys.readouterr().err


def test_a_missing_compiler_is_an_unavailable_cell_with_the_reason(tmp_path: Path):
    from claimbench_safety.runner import compile_program
    from claimbench_safety.toolchain import Build

    missing = Build("clang_elsewhere", "cpp", "clang++-99", ("-std=c++20",))
    compiled = compile_program(missing, CASES_DIR / "signed_overflow" / "bug.cc", cache_dir=tmp_path)
    assert compiled.outcome.outcome == UNAVAILABLE and compiled.binary is None
    assert compiled.outcome.detail == "clang++-99 not found on PATH"


def test_clang_compiles_share_one_precompiled_header(tmp_path: Path):
    from claimbench_safety.runner import precompiled_header
    from claimbench_safety.toolchain import BUILDS, compiler_version

    build = BUILDS["clang_libcxx_fast"]
    version, why = compiler_version(build.compiler)
    if version is None:
        pytest.skip(why)
    pch = precompiled_header(build, version, tmp_path)
    failed = sorted(tmp_path.glob("*.failed"))
    assert pch is not None and pch.exists(), failed[0].read_text() if failed else "no PCH and no failure"


def test_the_programs_are_formatted_the_way_their_ecosystems_format_them():
    import shutil
    import subprocess

    from claimbench_safety.toolchain import SAFETY_DIR, tool_environment

    env = tool_environment()
    rust = sorted(str(p) for p in CASES_DIR.glob("*/*.rs"))
    if shutil.which("rustfmt", path=env["PATH"]):
        proc = subprocess.run(["rustfmt", "--edition", "2021", "--check", *rust], capture_output=True, text=True,
                              env=env, cwd=SAFETY_DIR)
        assert proc.returncode == 0, f"run rustfmt --edition 2021 on safety/cases/*/*.rs:\n{proc.stdout[:2000]}"
    if shutil.which("gofmt", path=env["PATH"]):
        proc = subprocess.run(["gofmt", "-l", str(CASES_DIR)], capture_output=True, text=True, env=env)
        assert proc.stdout == "", f"run gofmt -w on: {proc.stdout}"
