"""The strictness table in the report (strictness.py): http_proxy's strictness case, recorded in each
benchmark's `conformance`, drawn as one column per proxy with its version, deviations from the SPEC in bold;
a quick run of http_proxy says the table is not in it. Results here are made up, in the schema's shape."""

from pathlib import Path

from claimbench_report.load import load_result
from claimbench_report.render import _html, _markdown, build_sections
from claimbench_report.strictness import TITLE, strictness_section, version_text
from result_builder import add_case, conform, make_result, write

HEAD_FAULT = {"check": "two equal Content-Length", "expected": "400", "in_body": False}
BODY_FAULT = {"check": "chunk size `zz`", "expected": "400", "in_body": True}


def answer(row: dict, status: str, forwarded: bool, agrees: bool) -> dict:
    return {**row, "status": status, "forwarded": forwarded, "agrees": agrees}


def strictness_run(profile: str = "standard") -> dict:
    result = add_case(make_result(profile), "http_proxy", "strictness", ["cpp", "nginx", "pingora", "cpp_asan"],
                      kind="service", primary="strictness_agreeing_rows", metrics=["strictness_rows"],
                      status={"pingora": ("failed", "the build failed: cargo exited with status 101"),
                              "cpp_asan": ("unavailable", "takes part only in proxy_1k (impl.toml 'cases'): it has "
                                                          "no equivalent of this case")})
    cpp, nginx, _, _ = result["benchmarks"]
    cpp["build"] = {"toolchain": "cpp", "toolchain_version": "GNU 12.2.0", "profile": "release", "flags": [],
                    "libraries": ["Boost.Asio 1.81"]}
    cpp["conformance"] = [answer(HEAD_FAULT, "400", False, True), answer(BODY_FAULT, "400", True, True)]
    nginx["build"] = {"toolchain": "system", "toolchain_version": "1.22.1", "profile": "", "flags": [],
                      "libraries": []}
    nginx["conformance"] = [answer(HEAD_FAULT, "200", True, False), answer(BODY_FAULT, "none", False, False)]
    return result


def test_the_table_has_a_column_per_proxy_with_its_version_and_marks_every_deviation():
    title, paragraphs, (header, rows), bullets = strictness_section([conform(strictness_run())])
    assert title == TITLE and header == ["request", "SPEC", "cpp", "nginx"]
    assert rows[0] == ["version", "", "cpp GNU 12.2.0", "nginx 1.22.1"]
    hyper = {"implementation": "rust_hyper", "build": {"toolchain": "rust", "toolchain_version": "1.95.0",
                                                       "libraries": ["hyper 1.13.0", "tokio 1.54.1"]}}
    assert version_text(hyper) == "hyper 1.13.0, rust 1.95.0"
    assert rows[1] == ["two equal Content-Length", "400", "400", "**fwd 200**"]
    assert rows[2] == ["chunk size `zz`", "400 (body)", "fwd 400", "**none**"]
    assert rows[3] == ["agrees with the SPEC", "of 2", "2", "0"]
    assert "cpp: Boost.Asio 1.81" in bullets
    assert any(b.startswith("pingora: no answers (failed: the build failed") for b in bullets)
    assert not any(b.startswith("cpp_asan") for b in bullets)  # not in the case at all, as in the summary


def test_the_report_renders_the_table_in_markdown_and_html_from_a_result_file(tmp_path: Path):
    # load_result checks the file against results/schema.json, `conformance` included; no plots (out_dir None).
    sections = build_sections(load_result(write(strictness_run(), tmp_path / "run-strict.json")), None)
    markdown = _markdown(sections)
    assert f"## {TITLE}" in markdown
    assert "| two equal Content-Length | 400 | 400 | **fwd 200** |" in markdown
    html = _html(sections)
    assert "<td><b>fwd 200</b></td>" in html and "<td>nginx 1.22.1</td>" in html


def test_a_quick_run_of_the_proxies_says_the_table_is_not_in_it_and_other_runs_have_no_section():
    quick = add_case(make_result("quick"), "http_proxy", "proxy_1k", ["cpp"], kind="service", primary="max_rps")
    title, paragraphs, table, _ = strictness_section([conform(quick)])
    assert table is None and "the quick profile skips it" in paragraphs[0]
    assert strictness_section([conform(add_case(make_result(), "null", "small", ["cpp"]))]) is None
    assert "the http_proxy `strictness` case runs in the standard and full profiles" in _markdown(
        build_sections(conform(quick), None))
