"""The report is a pure function of a result file: tested on a fixture made from a real null run, with an
invalid and an unavailable implementation added, and on made-up files (result_builder)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from claimbench_report import load_result, render_html, render_markdown, validate
from claimbench_report.__main__ import main, write_report
from claimbench_report.load import ResultError
from claimbench_report.units import format_quantity
from result_builder import add_build_case, add_case, add_comparison, fixture_result, make_result, write


@pytest.fixture
def result() -> dict:
    return fixture_result()


@pytest.fixture
def fixture_file(tmp_path) -> Path:
    """The fixture as a file of the schema_version this checkout reads."""
    return write(fixture_result(), tmp_path / "run-fixture.json")


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
    comp.update(ci95_low=None, ci95_high=None)
    assert f"{comp['ratio']:.2f}x [no interval: {comp['pairs']} pairs]" in render_markdown(result)


def test_write_report_makes_markdown_html_and_one_plot_per_measured_case(result, tmp_path):
    path = write_report(result, tmp_path)
    assert path == tmp_path / "report.md"
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and html.count("<table>") == html.count("</table>")
    pngs = sorted(p.name for p in tmp_path.glob("*.png"))
    # Python's batch_empty lives ~60 ms, several 10 ms RSS samples: it has a memory timeline to plot too.
    assert pngs == ["claims-forest.png", "null-batch_compute-rss.png", "null-batch_compute.png",
                    "null-batch_empty-rss.png", "null-batch_empty.png", "null-echo_service-latency.png",
                    "null-echo_service-rss.png", "null-echo_service-tail.png", "null-echo_service.png"]
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
    nan = tmp_path / "nan.json"
    nan.write_text('{"schema_version": NaN}')
    assert main([str(nan)]) == 2
    assert "nan.json: not valid JSON: NaN is not JSON" in capsys.readouterr().err


@pytest.mark.parametrize("breakage, field", [
    (lambda r: r["benchmarks"][1].update(status="great"), "benchmarks[1].status: 'great' is not one of"),
    (lambda r: r["benchmarks"][0].pop("workload"), "benchmarks[0].workload: missing"),
    (lambda r: r["claimbench"]["comparisons"][0].update(ratio="fast"), "claimbench.comparisons[0].ratio: 'fast'"),
    (lambda r: r["claimbench"].update(surprise=1), "claimbench.surprise: unexpected key"),
    (lambda r: r.update(benchmarks={}), "benchmarks: {} is not of type 'array'"),
])
def test_a_file_that_breaks_the_schema_is_named_with_its_field(tmp_path, capsys, breakage, field):
    result = add_case(make_result(), "tokenizer", "encode_gpt2", ["cpp", "rust"])
    add_comparison(result, "tokenizer", "encode_gpt2", "rust", "cpp", "timed_ns", 1.0)
    path = tmp_path / "run-bad.json"
    valid = write(result, path)
    load_result(valid)  # the made-up file itself is valid
    broken = json.loads(path.read_text())
    breakage(broken)
    path.write_text(json.dumps(broken))
    assert main([str(path), "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"claimbench: error: {path}: {field}"), err
    assert "Traceback" not in err and len(err.splitlines()) == 1


def test_command_line_writes_into_out(tmp_path, fixture_file):
    proc = subprocess.run([sys.executable, "-m", "claimbench_report", str(fixture_file), "--out",
                           str(tmp_path / "r")], capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "r" / "report.md").exists()


def test_a_broken_registry_is_one_line_and_exit_2(tmp_path, fixture_file, capsys):
    registry = tmp_path / "claims.toml"
    registry.write_text("[[claim]\n")
    assert main([str(fixture_file), "--out", str(tmp_path / "r"), "--claims", str(registry)]) == 2
    assert capsys.readouterr().err.startswith(f"claimbench: error: {registry}:")


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


def test_several_runs_share_one_report_and_one_claims_table(result, tmp_path, fixture_file):
    hardened = json.loads(json.dumps(result))
    hardened["claimbench"]["run_id"] = "run-hardened"
    hardened["claimbench"]["variant"] = "hardened"
    assert main([str(fixture_file), str(fixture_file), "--out", str(tmp_path)]) == 0
    text = render_markdown([result, hardened], tmp_path)
    assert text.count("## Claims\n") == 1 and "## Run run-hardened" in text and "variant **hardened**" in text
    assert any(p.name.startswith("run-hardened-") for p in tmp_path.glob("*.png"))


def test_the_report_opens_with_the_claims_forest_plot(tmp_path):
    result = make_result()
    add_case(result, "http_proxy", "proxy_1k", ["cpp", "rust"], kind="service", primary="max_rps")
    add_comparison(result, "http_proxy", "proxy_1k", "rust", "cpp", "max_rps", 0.5)
    add_case(result, "tokenizer", "encode_gpt2", ["cpp", "rust"])
    add_comparison(result, "tokenizer", "encode_gpt2", "rust", "cpp", "timed_ns", 1.02, pairs=2)
    write_report(result, tmp_path)
    text = (tmp_path / "report.md").read_text()
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert sections[:2] == ["## Claims at a glance", "## Claims"]
    first_image = text.split("![", 1)[1].split(")", 1)[0]
    assert first_image == "Claims at a glance](claims-forest.png"
    html = (tmp_path / "report.html").read_text()
    assert html.index('src="claims-forest.png"') < html.index("<table>")
    assert (tmp_path / "claims-forest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "S1 | Rust runs as fast as C/C++ | does not hold |" in text


def test_the_forest_plot_draws_every_kind_of_row(tmp_path):
    from claimbench_report.claims import evaluate, load_registry
    from claimbench_report.forest import plot_claims_forest

    release, quick = make_result(run_id="run-a"), make_result(profile="quick", run_id="run-b")
    for result, ratio in ((release, 0.5), (quick, 1.3)):
        add_case(result, "http_proxy", "proxy_1k", ["cpp", "rust"], kind="service", primary="max_rps")
        add_comparison(result, "http_proxy", "proxy_1k", "rust", "cpp", "max_rps", ratio)
        add_case(result, "null", "batch_compute", ["rust", "python"])
        add_comparison(result, "null", "batch_compute", "python", "rust", "timed_ns", 40 * ratio, pairs=1)
        add_comparison(result, "null", "batch_compute", "python", "rust", "peak_rss_bytes", None)
    verdicts = evaluate(load_registry(), [release, quick])
    path = plot_claims_forest(verdicts, tmp_path / "forest.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
    assert plot_claims_forest([], tmp_path / "empty.png").exists()


def odd_result(odd: str) -> dict:
    result = make_result()
    add_case(result, "null", "batch_compute", ["cpp", "rust"])
    add_comparison(result, "null", "batch_compute", "rust", "cpp", "timed_ns", 1.0)
    comps, benches = result["claimbench"]["comparisons"], result["benchmarks"]
    if odd == "null ratio":
        comps[0].update(ratio=None, ci95_low=None, ci95_high=None)
    elif odd == "null interval":
        comps[0].update(ci95_low=None, ci95_high=None)
    elif odd == "empty benchmarks":
        result["benchmarks"] = []
    elif odd == "comparison without its benchmarks":
        add_comparison(result, "ghost", "case", "rust", "cpp", "timed_ns", 2.0)
    elif odd == "nulls for NaN":
        for stat in benches[0]["statistics"]:
            for key in ("median", "mean", "ci95_low", "ci95_high", "cv"):
                stat[key] = None
        benches[1]["statistics"][0].update(ci95_low=None)
        benches[1]["samples"] = [{"sequence": 0, "repetition": 0, "warmup": False, "status": "ok", "error": "",
                                  "metrics": {"timed_ns": None}}]
        benches[1]["extra"] = {"x": None}
    elif odd == "a sweep with null steps":
        benches[0]["statistics"] += [
            {**benches[0]["statistics"][0], "metric": "achieved_rps_at_50pct", "median": None},
            {**benches[0]["statistics"][0], "metric": "p99_at_50pct_ns", "median": None}]
    elif odd == "odd names":
        benches[0]["case_name"] = benches[1]["case_name"] = "../../escape/<b>"
    return result


ODD = ["null ratio", "null interval", "empty benchmarks", "comparison without its benchmarks", "nulls for NaN",
       "a sweep with null steps", "odd names"]


@pytest.mark.parametrize("odd", ODD)
def test_schema_valid_but_odd_results_render(tmp_path, odd):
    path = write(odd_result(odd), tmp_path / "run-odd.json")
    load_result(path)  # schema-valid
    out = tmp_path / "r"
    assert main([str(path), "--out", str(out)]) == 0
    assert (out / "report.md").read_text().startswith("# claimbench report: ")
    assert {p.parent for p in tmp_path.rglob("*.png")} <= {out}, "plots stay inside --out"


def test_the_builds_section_has_times_size_dependencies_and_source_lines(tmp_path):
    result = make_result()
    add_case(result, "null", "batch_empty", ["cpp", "rust"])
    add_build_case(result, "null", {
        "cpp": {"clean_build_ns": 7.2e9, "incremental_build_ns": 6.1e9, "artifact_bytes": 5.5e5, "artifact_files": 1,
                "source_lines": 140, "test_lines": 0},
        "java": {"clean_build_ns": 9e9, "incremental_build_ns": 8e9, "artifact_bytes": 2e4, "artifact_files": 1,
                 "source_lines": 300, "test_lines": 120},
        "python": {"artifact_bytes": 4096, "artifact_files": 1, "source_lines": 90},
        "nginx": {},
    }, artifacts={
        "cpp": {"libraries": ["libstdc++.so.6", "libm.so.6", "libgcc_s.so.1", "libc.so.6"],
                "beyond_libc": ["libstdc++.so.6"]},
        "java": {"elf_interpreter": "", "libraries": [], "runtimes": ["java 17.0.15 (/usr/lib/jvm/bin/java)"],
                 "beyond_libc": ["java 17.0.15 (/usr/lib/jvm/bin/java)"]},
        "python": {"build": "none: python runs from its sources (its impl.toml has no [build])", "elf_interpreter": "",
                   "libraries": [], "runtimes": ["python 3.11.2 (/usr/bin/python3.11)"],
                   "beyond_libc": ["python 3.11.2 (/usr/bin/python3.11)"]},
    }, status={"nginx": ("unavailable", "no build of ours: nginx is a peer shipped as a package")})
    write_report(result, tmp_path)
    text = (tmp_path / "report.md").read_text()
    builds = text.split("## Builds\n", 1)[1].split("\n## ", 1)[0]
    rows = {line.split(" | ")[1]: line for line in builds.splitlines() if line.startswith("| null |")}
    assert set(rows) == {"cpp", "java", "python", "nginx"}
    assert "7.2 s [7.06 s, 7.34 s] | 6.1 s [5.98 s, 6.22 s] | 537 KiB in 1 file" in rows["cpp"]
    assert ("beyond the C library: libstdc++.so.6; loads libstdc++.so.6, libm.so.6, libgcc_s.so.1, libc.so.6"
            in rows["cpp"])
    assert rows["cpp"].endswith("| 140 |")
    assert "beyond the C library: java 17.0.15 (/usr/lib/jvm/bin/java)" in rows["java"]
    assert rows["java"].endswith("| 300 (+120 in tests) |")
    assert ("| none: python runs from its sources (its impl.toml has no [build]) | - | 4 KiB in 1 file |"
            in rows["python"])
    assert "unavailable: no build of ours: nginx is a peer shipped as a package" in rows["nginx"]
    # The build case is also a case like any other, with its own table; the batch case is untouched.
    assert "## null / build" in text and "## null / batch_empty" in text
    assert "<h2>Builds</h2>" in (tmp_path / "report.html").read_text()


def test_a_static_artifact_says_so_and_a_run_without_a_build_case_has_no_builds_section():
    result = make_result()
    add_build_case(result, "null", {"go": {"clean_build_ns": 2e9}},
                   artifacts={"go": {"elf_interpreter": "", "libraries": []}})
    assert "nothing beyond the C library (statically linked)" in render_markdown(result)
    assert "## Builds" not in render_markdown(add_case(make_result(), "null", "batch_empty", ["cpp"]))


def test_compare_checks_each_file_against_the_schema_first(tmp_path, capsys):
    """./claimbench compare runs claimbench_report.validate on its arguments before the harness reads them."""
    good = tmp_path / "run-good.json"
    good.write_text(json.dumps(fixture_result()))
    assert validate.main([str(good), str(tmp_path)]) == 0
    broken = fixture_result()
    broken["benchmarks"][0]["status"] = "great"
    bad_dir = tmp_path / "results"
    bad_dir.mkdir()
    (bad_dir / "run-bad.json").write_text(json.dumps(broken))
    assert validate.main([str(good), str(bad_dir)]) == 2
    error = capsys.readouterr().err
    assert "run-bad.json: benchmarks[0].status" in error and "Traceback" not in error


def test_a_tuned_implementation_is_named_beside_its_figures_and_in_claim_evidence(tmp_path):
    """docs/implementation_rules.md: a reference with tuned parts says so wherever a ratio against it is shown."""
    result = add_case(make_result(), "tokenizer", "encode_gpt2", ["cpp", "rust"])
    cpp = next(b for b in result["benchmarks"] if b["implementation"] == "cpp")
    cpp.update(label="tuned", tuned=["hand-written GPT-2 scanners", "jemalloc"])
    next(b for b in result["benchmarks"] if b["implementation"] == "rust")["label"] = "idiomatic"
    add_comparison(result, "tokenizer", "encode_gpt2", "rust", "cpp", "timed_ns", 1.05, 1.0, 1.08)
    markdown = render_markdown(result, tmp_path)
    assert "| cpp (tuned) |" in markdown
    assert "cpp is tuned: hand-written GPT-2 scanners; jemalloc" in markdown
    assert "rust/cpp = 1.05 [1, 1.08] (10 pairs) (cpp is tuned)" in markdown


def test_a_service_gets_its_tail_latency_over_time_and_the_place_of_its_kept_log(tmp_path):
    """Claim L1's picture: each service's per-interval p99.9 over the run, and where its stderr (Go's GC
    trace) was kept, so a spike can be matched to a collection."""
    result = add_case(make_result(), "sync_engine", "read_states", ["cpp", "go_discord"], kind="service",
                      primary="latency_p999_ns")
    for bench in result["benchmarks"]:
        bench["timeline"] = [{"t_ns": s * 1_000_000_000, "values": {"p99.9_ns": 2e6 if s % 120 else 9e7}}
                             for s in range(240)]
    go = next(b for b in result["benchmarks"] if b["implementation"] == "go_discord")
    go["service_logs"] = [{"repetition": 1, "path": "logs/run-x/sync_engine/read_states/go_discord.1.stderr",
                           "bytes": 900, "truncated": False}]
    loaded = load_result(write(result, tmp_path / "run-tail.json"))  # the schema accepts service_logs
    markdown = render_markdown(loaded, tmp_path)
    assert (tmp_path / "sync_engine-read_states-tail.png").stat().st_size > 0
    assert "sync_engine-read_states-tail.png" in markdown
    assert ("go_discord: its stderr of 1 repetition(s) is kept beside the result file, e.g. "
            "`logs/run-x/sync_engine/read_states/go_discord.1.stderr`") in markdown
    assert "cpp: its stderr" not in markdown
