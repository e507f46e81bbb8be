"""F1 and F4 judged on the bug corpus' detection matrix (safety.py's corpus_rejects rule), F2's context, and
the matrix's section, figure and loading in the report. Matrices here are made up, in the schema's shape."""

import json
from pathlib import Path

import jsonschema
import pytest

from claimbench_report.__main__ import main, write_report
from claimbench_report.claims import DOES_NOT_HOLD, HOLDS, INCONCLUSIVE, NOT_MEASURABLE, evaluate, load_registry
from claimbench_report.load import ResultError
from claimbench_report.safety import SCHEMA_PATH, judge_corpus_test, load_matrix_beside, matrix_path_for
from result_builder import fixture_result, write

TOOLS = ("rust", "cpp_asan_ubsan", "cpp_tsan")


def case(case_id: str, classes: list[str], rust: str, codes: tuple[str, ...] = (), unsafe: bool = False,
         asan: str = "caught", tsan: str = "silent") -> dict:
    rust_cell = {"outcome": rust, "detail": ", ".join(codes) if codes else ""}
    if codes:
        rust_cell["codes"] = list(codes)
    outcomes = {"rust": rust_cell, "cpp_asan_ubsan": {"outcome": asan, "detail": ""},
                "cpp_tsan": {"outcome": tsan, "detail": ""}}
    return {"id": case_id, "title": case_id, "bug": "b", "classes": classes,
            "memory_safety": bool({"use_after_free", "out_of_bounds"} & set(classes)),
            "concurrency": bool({"data_race", "deadlock"} & set(classes)), "rust_unsafe": unsafe,
            "languages": ["rust", "cpp"], "outcomes": outcomes,
            "fix_outcomes": {t: {"outcome": "silent", "detail": ""} for t in TOOLS},
            "expected": {t: c["outcome"] for t, c in outcomes.items()}, "expected_rust_errors": list(codes),
            "changes": []}


def matrix(*cases: dict) -> dict:
    document = {
        "schema_version": 1, "kind": "claimbench-safety-matrix", "generated_at": "2026-12-07T18:00:00Z",
        "result": "run-x.json",
        "toolchains": {"rustc": "rustc 1.95.0", "g++": "g++ 12.2.0", "clang++-19": None, "go": "go1.26.8"},
        "tools": [{"id": t, "label": t, "language": "rust" if t == "rust" else "cpp", "reads": "run",
                   "available": True, "unavailable_reason": None, "command": ["x"]} for t in TOOLS],
        "cases": list(cases), "expectations_hold": True, "changes": []}
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text()))  # the made-up matrix is a real one
    return document


CORPUS = [case("uaf", ["use_after_free"], "rejected", ("E0502",)),
          case("race", ["data_race"], "rejected", ("E0499",), asan="silent", tsan="caught"),
          case("oob", ["out_of_bounds"], "caught"),
          case("unsafe_uaf", ["use_after_free"], "silent", unsafe=True),
          case("deadlock", ["deadlock"], "hung", asan="hung", tsan="hung")]
F1_TEST = {"rule": "corpus_rejects", "tool": "rust", "classes": ["use_after_free", "data_race"]}


def test_holds_when_every_safe_rust_case_of_the_classes_is_rejected_and_lists_what_rust_lets_through():
    outcome, reasons = judge_corpus_test(F1_TEST, [matrix(*CORPUS)])
    assert outcome == HOLDS
    assert reasons[0].startswith("safety matrix of 2026-12-07T18:00:00Z, rustc 1.95.0: 2 of 2 cases rejected")
    through = next(r for r in reasons if r.startswith("what rust lets through"))
    assert "oob: caught at run time" in through and "unsafe_uaf (unsafe): silent" in through
    assert "deadlock: hung (no report)" in through


def test_one_case_that_compiles_is_enough_to_not_hold():
    compiles = case("uaf2", ["use_after_free"], "silent")
    outcome, reasons = judge_corpus_test(F1_TEST, [matrix(*CORPUS, compiles)])
    assert outcome == DOES_NOT_HOLD
    assert "compiled although the rule says rejected: uaf2: silent" in reasons


def test_an_unavailable_rustc_is_inconclusive_and_no_matrix_is_no_evidence():
    missing = case("uaf2", ["use_after_free"], "unavailable")
    assert judge_corpus_test(F1_TEST, [matrix(*CORPUS, missing)])[0] == INCONCLUSIVE
    outcome, reasons = judge_corpus_test(F1_TEST, [])
    assert outcome is None and "no safety matrix" in reasons[0]


def test_f1_and_f4_get_verdicts_from_the_registry_rules_and_f2_its_context():
    verdicts = {v.id: v for v in evaluate(load_registry(), [fixture_result()], matrices=[matrix(*CORPUS)])}
    assert verdicts["F1"].verdict == HOLDS
    assert verdicts["F4"].verdict == HOLDS
    assert any("corpus_rejects" not in r and "safe Rust" in r for r in verdicts["F1"].rules)
    assert any(r.startswith("context: cited: about 70%") for r in verdicts["F2"].reasons)
    without = {v.id: v for v in evaluate(load_registry(), [fixture_result()])}
    assert without["F1"].verdict == NOT_MEASURABLE


def test_the_report_reads_the_matrix_beside_the_result_and_draws_it(tmp_path: Path, capsys):
    result = write(fixture_result(), tmp_path / "run-fixture.json")
    matrix_path_for(result).write_text(json.dumps(matrix(*CORPUS)))
    assert main([str(result), "--out", str(tmp_path / "report")]) == 0
    text = (tmp_path / "report" / "report.md").read_text()
    assert "## Safety: the bug corpus" in text and "| uaf | use_after_free | rejected E0502 |" in text
    assert "F2 context: cited: about 70%" in text
    assert (tmp_path / "report" / "safety-matrix.png").stat().st_size > 10_000


def test_a_broken_matrix_is_one_error_naming_the_file(tmp_path: Path, capsys):
    result = write(fixture_result(), tmp_path / "run-fixture.json")
    broken = matrix(*CORPUS)
    broken["cases"][0]["outcomes"]["rust"]["outcome"] = "maybe"
    matrix_path_for(result).write_text(json.dumps(broken))
    with pytest.raises(ResultError, match=r"safety-run-fixture.json: cases.0.outcomes.rust.outcome"):
        load_matrix_beside(result)
    assert main([str(result), "--out", str(tmp_path / "report")]) == 2
    assert "safety-run-fixture.json" in capsys.readouterr().err


def test_a_report_without_a_matrix_has_no_safety_section(tmp_path: Path):
    write_report(fixture_result(), tmp_path)
    assert "Safety: the bug corpus" not in (tmp_path / "report.md").read_text()


def test_the_registry_checks_a_corpus_rule_s_keys(tmp_path: Path):
    from claimbench_report.registry import RegistryError

    def registry_with(test: str) -> Path:
        path = tmp_path / "claims.toml"
        path.write_text('[sources]\nA = "a"\n[[claim]]\nid = "Z9"\ntitle = "t"\nquote = "q"\nsources = ["A"]\n'
                        f"[[claim.test]]\n{test}\n")
        return path

    good = 'rule = "corpus_rejects"\ntool = "rust"\nclasses = ["data_race"]\nexplain = "e"'
    assert load_registry(registry_with(good))["claim"][0]["test"][0]["tool"] == "rust"
    for broken in ('rule = "corpus_rejects"\ntool = "rust"',
                   'rule = "corpus_rejects"\ntool = "rust"\nclasses = "data_race"',
                   'rule = "corpus_rejects"\ntool = "rust"\nclasses = ["data_race"]\nmetric = "primary"'):
        with pytest.raises(RegistryError, match="rule 'corpus_rejects' needs 'tool'"):
            load_registry(registry_with(broken))
