"""The report is a pure function of a result file: tested on a fixture made from a real null run, with an
invalid and an unavailable implementation added."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimbench_report import load_result, render_html, render_markdown
from claimbench_report.__main__ import main, write_report
from claimbench_report.load import ResultError
from claimbench_report.units import format_quantity

FIXTURE = Path(__file__).parent / "fixtures" / "null_quick.json"


@pytest.fixture
def result() -> dict:
    return load_result(FIXTURE)


def test_markdown_has_environment_every_benchmark_and_methodology(result):
    text = render_markdown(result)
    assert text.startswith("# claimbench report: run-")
    assert "| CPU |" in text and "| build variant | release |" in text
    for bench in result["benchmarks"]:
        assert f"| {bench['implementation']} |" in text
    assert "reference" in text
    assert "invalid: wrong answer" in text
    assert "unavailable: cargo is not installed" in text
    assert "## Methodology" in text and "coordinated" in text


def test_ratios_in_the_report_are_the_result_files_own(result):
    text = render_markdown(result)
    comp = next(c for c in result["claimbench"]["comparisons"]
                if c["case_name"] == "batch_compute" and c["metric"] == "timed_ns")
    assert f"{comp['ratio']:.2f}x [{comp['ci95_low']:.2f}, {comp['ci95_high']:.2f}]" in text


def test_write_report_makes_markdown_html_and_one_plot_per_measured_case(result, tmp_path):
    path = write_report(result, tmp_path)
    assert path == tmp_path / "report.md"
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<table>") == html.count("</table>")
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    # Python's batch_empty lives ~60 ms, several 10 ms RSS samples: it has a memory timeline to plot too.
    assert pngs == ["null-batch_compute-rss.png", "null-batch_compute.png", "null-batch_empty-rss.png",
                    "null-batch_empty.png", "null-echo_service-latency.png", "null-echo_service-rss.png",
                    "null-echo_service.png"]
    for png in pngs:
        assert (tmp_path / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f'src="{png}"' in html
    assert not list(tmp_path.glob(".*")), "no temporary files left"


def test_html_escapes_text_from_the_result(result):
    result["benchmarks"][0]["implementation"] = "<script>alert(1)</script>"
    assert "<script>" not in render_html(result)


def test_bad_result_files_give_one_clear_error(tmp_path, capsys):
    broken = tmp_path / "broken.json"
    broken.write_text("{ nope")
    assert main([str(broken)]) == 2
    assert "broken.json: not valid JSON" in capsys.readouterr().err
    future = tmp_path / "future.json"
    future.write_text(json.dumps({"schema_version": 99}))
    with pytest.raises(ResultError, match="schema_version 99"):
        load_result(future)
    assert main([str(tmp_path / "missing.json")]) == 2


def test_command_line_writes_into_out(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "claimbench_report", str(FIXTURE), "--out", str(tmp_path / "r")],
                          capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "r" / "report.md").exists()


@pytest.mark.parametrize(
    "value, unit, text",
    [(1.5e9, "ns", "1.5 s"), (2.5e6, "ns", "2.5 ms"), (999, "ns", "999 ns"), (3 * 2**20, "bytes", "3 MiB"),
     (2e6, "requests_per_s", "2e+06/s"), (7, "count", "7")],
)
def test_units(value, unit, text):
    assert format_quantity(value, unit) == text


def test_sweeps_get_a_latency_against_load_plot(result, tmp_path):
    from claimbench_report.plots import plot_latency_vs_load

    bench = dict(result["benchmarks"][4], implementation="cpp")
    stats = []
    for step, rate, p99 in (("50", 1000.0, 1e5), ("80", 1600.0, 2e5), ("95", 1900.0, 9e5)):
        stats += [{"metric": f"achieved_rps_at_{step}", "median": rate, "unit": "requests_per_s"},
                  {"metric": f"p99_at_{step}_ns", "median": p99, "unit": "ns"},
                  {"metric": f"uncorrected_p99_at_{step}_ns", "median": p99 / 2, "unit": "ns"}]
    bench["statistics"] = stats
    assert plot_latency_vs_load([bench], tmp_path / "load.png").read_bytes()[:4] == b"\x89PNG"
    assert plot_latency_vs_load(result["benchmarks"][:2], tmp_path / "none.png") is None


def test_several_runs_share_one_report_and_one_claims_table(result, tmp_path):
    hardened = json.loads(json.dumps(result))
    hardened["claimbench"]["run_id"] = "run-hardened"
    hardened["claimbench"]["variant"] = "hardened"
    assert main([str(FIXTURE), str(FIXTURE), "--out", str(tmp_path)]) == 0
    text = render_markdown([result, hardened], tmp_path)
    assert text.count("## Claims") == 1 and "## Run run-hardened" in text and "variant **hardened**" in text
    assert any(p.name.startswith("run-hardened-") for p in tmp_path.glob("*.png"))
