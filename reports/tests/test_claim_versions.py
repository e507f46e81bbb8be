"""A claim's evidence names the version of each packaged tool it compares (S5: grep 3.8 against ripgrep
13.0.0), read from the result's build record, and nothing for a port, whose toolchain version is its
compiler's; a claim of several tests (S5's tool pairs) gives each test its own outcome."""

from claimbench_report.claims import evaluate, package_version
from result_builder import add_case, add_comparison, make_result


def tools_run() -> dict:
    result = add_case(make_result(), "devtools", "search_literal", ["grep", "ripgrep"])
    for bench, version in zip(result["benchmarks"], ("3.8", "13.0.0"), strict=True):
        bench["build"] = {"toolchain": "system", "toolchain_version": version, "profile": "", "flags": [],
                          "libraries": []}
    return add_comparison(result, "devtools", "search_literal", "grep", "ripgrep", "timed_ns", 1.5)


def registry() -> dict:
    test = {"cases": ["devtools/search_*"], "contender": "grep", "baseline": "ripgrep", "metric": "primary",
            "rule": "within", "range": [10.0, 100.0], "explain": "x"}
    return {"sources": {"A": "a source"},
            "claim": [{"id": "Z9", "title": "made up", "quote": "q", "sources": ["A"], "test": [test]}]}


def test_evidence_of_packaged_tools_names_their_versions():
    verdict = evaluate(registry(), [tools_run()])[0]
    text = verdict.evidence[0].describe()
    assert "(grep 3.8, ripgrep 13.0.0)" in text, text
    assert "below the range 10-100" in text, text


def test_a_port_or_an_unknown_build_has_no_package_version():
    assert package_version({"build": {"toolchain": "rust", "toolchain_version": "1.95.0"}}) == ""
    assert package_version({}) == "" and package_version(None) == ""
    assert package_version({"build": {"toolchain": "system", "toolchain_version": "0.13.8"}}) == "0.13.8"


def test_a_claim_of_several_tests_gives_each_its_outcome():
    result = add_case(tools_run(), "devtools", "lint_shared", ["flake8", "ruff"])
    add_comparison(result, "devtools", "lint_shared", "flake8", "ruff", "timed_ns", 35.0)
    two = registry()
    lint = dict(two["claim"][0]["test"][0], cases=["devtools/lint_*"], contender="flake8", baseline="ruff")
    two["claim"][0]["test"].append(lint)
    verdict = evaluate(two, [result])[0]
    assert verdict.verdict == "does not hold"
    assert verdict.rules[0].endswith("what ripgrep costs (x): does not hold"), verdict.rules
    assert verdict.rules[1].endswith("what ruff costs (x): holds"), verdict.rules
    assert evaluate(registry(), [tools_run()])[0].rules[0].endswith("(x)"), "one test: the claim's verdict is its"
