"""A claim's evidence names the version of each packaged tool it compares (S5: grep 3.8 against ripgrep
13.0.0), read from the result's build record, and nothing for a port, whose toolchain version is its
compiler's."""

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
