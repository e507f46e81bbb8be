"""The strictness table tool (tools/strictness_table.py) and the harness's `strictness` case that runs it: the
C++ reference, which implements SPEC.md's strict parsing table, agrees with every row; the judging rule lets a
streaming proxy forward a head whose body is faulty but never a faulty head; a run records every row's answer
in the result's `conformance` (a peer's deviations included, as `ok`); bad usage is exit 2 with one line."""

import importlib.util
import json
import shutil

import jsonschema
import pytest

from claimbench_testing import BUILD_DIR, ROOT, bench

TOOL = ROOT / "workloads" / "http_proxy" / "tools" / "strictness_table.py"
HARNESS = BUILD_DIR / "bin" / "claimbench-harness"
CPP = BUILD_DIR / "workloads" / "http_proxy" / "impls" / "cpp" / "http_proxy_cpp"


def load_tool():
    spec = importlib.util.spec_from_file_location("strictness_table", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_faulty_head_must_not_reach_the_origin_but_a_faulty_body_may_follow_its_head():
    tool = load_tool()
    head = next(row for row in tool.ROWS if row.name == "obs-fold")
    body = next(row for row in tool.ROWS if row.name == "chunk size `zz`")
    forward = next(row for row in tool.ROWS if row.spec == "forward")
    assert tool.agrees(head, "400", forwarded=False)
    assert not tool.agrees(head, "400", forwarded=True)
    assert not tool.agrees(head, "501", forwarded=False)
    assert tool.agrees(body, "400", forwarded=True)
    assert not tool.agrees(body, "200", forwarded=True)
    assert tool.agrees(forward, "200", forwarded=True) and not tool.agrees(forward, "400", forwarded=False)
    assert tool.cell("502", True) == "fwd 502" and tool.cell("none", False) == "none"


def test_the_reference_agrees_with_every_row_of_the_spec(tmp_path):
    if not HARNESS.exists() or not CPP.exists():
        pytest.skip(f"{HARNESS} or {CPP} is not built; run ./claimbench build")
    tool = load_tool()
    out = tmp_path / "strictness.json"
    assert tool.main(["--impl", "cpp", "--harness", str(HARNESS), "--json", str(out),
                      "--markdown", str(tmp_path / "strictness.md")]) == 0
    table = json.loads(out.read_text())
    answers = table["implementations"]["cpp"]
    disagreeing = [(row["name"], answer) for row, answer in zip(table["rows"], answers, strict=True)
                   if not answer["agrees"]]
    assert not disagreeing
    assert len(answers) == len(tool.ROWS) and table["not_started"] == {}
    total = f"| agrees with the SPEC | of {len(tool.ROWS)} | {len(tool.ROWS)} |"
    assert total in (tmp_path / "strictness.md").read_text()


def test_an_unknown_implementation_is_one_line_and_exit_2(capsys):
    tool = load_tool()
    with pytest.raises(SystemExit) as exit_info:
        tool.main(["--impl", "nosuchproxy", "--harness", str(TOOL)])
    assert exit_info.value.code == 2
    assert "no http_proxy implementation named nosuchproxy" in capsys.readouterr().err


def test_a_standard_run_of_the_strictness_case_records_every_row_per_proxy_in_the_result(cb):
    if not CPP.exists():
        pytest.skip(f"{CPP} is not built; run ./claimbench build")
    impls = ["cpp", *(["nginx"] if shutil.which("nginx") else [])]
    proc, result = cb.run("--workload", "http_proxy", "--profile", "standard", "--case", "strictness",
                          *(arg for impl in impls for arg in ("--impl", impl)))
    assert result is not None, proc.stderr
    written = {k: v for k, v in result.items() if k != "_path"}  # _path: the test helper's note
    jsonschema.validate(written, json.loads((ROOT / "results" / "schema.json").read_text()))
    rows = load_tool().ROWS
    cpp = bench(result, "http_proxy/strictness/cpp")
    assert cpp["status"] == "ok", cpp["error"]
    assert [c["check"] for c in cpp["conformance"]] == [row.name for row in rows]
    assert all(c["agrees"] for c in cpp["conformance"]), [c for c in cpp["conformance"] if not c["agrees"]]
    assert cpp["samples"][0]["metrics"]["strictness_agreeing_rows"] == len(rows)
    assert not any("strictness/cpp: only 1 repetitions" in w for w in result["claimbench"]["warnings"])
    # No ratios: one repetition would give every claim naming http_proxy/* an inconclusive one (L4).
    assert not [c for c in result["claimbench"]["comparisons"] if c["case_name"] == "strictness"]
    if "nginx" in impls:  # a peer that forwards what the SPEC rejects is recorded as it is, not failed
        nginx = bench(result, "http_proxy/strictness/nginx")
        assert nginx["status"] == "ok", nginx["error"]
        assert any(c["forwarded"] and not c["agrees"] for c in nginx["conformance"])
    assert proc.returncode == 0, proc.stderr


def test_probe_mode_needs_its_origin_port_and_a_json_file(capsys):
    with pytest.raises(SystemExit) as exit_info:
        load_tool().main(["--probe", "1"])
    assert exit_info.value.code == 2
    assert "--probe PORT needs --origin-port PORT and --json FILE" in capsys.readouterr().err
