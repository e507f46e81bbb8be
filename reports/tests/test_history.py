"""History across result files: commit order, and change points on series with and without a known step."""

import copy
import json
import random
from pathlib import Path

from claimbench_report.history import Point, build_series, change_points, main
from result_builder import fixture_result

NAME = "null/batch_compute/cpp"


def points(levels: list[float], noise: float = 0.01, seed: int = 3) -> list[Point]:
    rng = random.Random(seed)
    out = []
    for i, level in enumerate(levels):
        samples = [level * (1 + rng.gauss(0, noise)) for _ in range(10)]
        out.append(Point(f"run-{i}", f"c{i:06d}", f"2026-01-{i + 1:02d}", sorted(samples)[5], level * 0.99,
                         level * 1.01, samples))
    return out


def test_a_known_step_is_found_where_it_happened():
    changes = change_points(points([100.0] * 6 + [112.0] * 6))
    assert [c.index for c in changes] == [6]
    assert abs(changes[0].ratio - 1.12) < 0.02 and changes[0].p_value < 0.01


def test_a_flat_noisy_series_has_no_change_point():
    assert change_points(points([100.0] * 12, noise=0.02)) == []


def test_two_steps_are_both_found_and_small_ones_ignored():
    changes = change_points(points([100.0] * 4 + [130.0] * 4 + [100.0] * 4 + [102.0] * 4))
    assert [c.index for c in changes] == [4, 8]


def write_runs(directory: Path, levels: list[float], profile: str | None = None) -> None:
    base = fixture_result()
    rng = random.Random(7)
    for i, level in enumerate(levels):
        run = copy.deepcopy(base)
        run["claimbench"]["run_id"] = f"run-2026010{i}T000000Z-{i:04x}"
        run["claimbench"]["started_at"] = f"2026-01-0{i + 1}T00:00:00Z"
        run["context"]["git"]["commit"] = f"{i:040x}"
        if profile:
            run["claimbench"]["profile"] = profile
        bench = next(b for b in run["benchmarks"] if b["name"] == NAME)
        for sample in bench["samples"]:
            sample["metrics"]["timed_ns"] = level * (1 + rng.gauss(0, 0.01))
        stat = next(s for s in bench["statistics"] if s["metric"] == "timed_ns")
        stat.update(median=level, ci95_low=level * 0.99, ci95_high=level * 1.01)
        (directory / f"{run['claimbench']['run_id']}.json").write_text(json.dumps(run))


def test_history_command_marks_the_step_in_its_table_and_plot(tmp_path, capsys):
    write_runs(tmp_path, [200e3] * 4 + [260e3] * 4)
    assert main([str(tmp_path), "--out", str(tmp_path / "h")]) == 0
    text = (tmp_path / "h" / "history.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith(f"| `{NAME}`"))
    assert "(run-20260104T000000Z-0004): x1.29" in row or "(run-20260104T000000Z-0004): x1.30" in row, row
    assert (tmp_path / "h" / "null-batch_compute-cpp.png").read_bytes()[:4] == b"\x89PNG"
    assert main([str(tmp_path / "empty")]) == 2


def test_history_refuses_a_file_that_breaks_the_schema_with_its_name_and_field(tmp_path, capsys):
    write_runs(tmp_path, [200e3] * 3)
    bad = sorted(tmp_path.glob("run-*.json"))[1]
    run = json.loads(bad.read_text())
    run["benchmarks"][2]["samples"][0]["warmup"] = "no"
    bad.write_text(json.dumps(run))
    assert main([str(tmp_path), "--out", str(tmp_path / "h")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"claimbench: error: {bad}: benchmarks[2].samples[0].warmup: 'no' is not of type"), err
    assert "move the file out of" in err and len(err.splitlines()) == 1
    assert main([str(tmp_path / "nowhere")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_runs_of_different_profiles_never_share_a_series(tmp_path):
    write_runs(tmp_path, [200e3] * 2)
    other = tmp_path / "standard"
    other.mkdir()
    write_runs(other, [900e3] * 2, profile="standard")
    runs = [json.loads(p.read_text()) for p in [*tmp_path.glob("run-*.json"), *other.glob("run-*.json")]]
    names = {s.benchmark: len(s.points) for s in build_series(runs)}
    assert names[f"{NAME} (quick, release)"] == 2 and names[f"{NAME} (standard, release)"] == 2


def test_null_statistics_and_samples_are_left_out_not_a_crash(tmp_path):
    write_runs(tmp_path, [200e3] * 4)
    for path in tmp_path.glob("run-*.json"):
        run = json.loads(path.read_text())
        bench = next(b for b in run["benchmarks"] if b["name"] == NAME)
        bench["samples"][0]["metrics"]["timed_ns"] = None
        next(s for s in bench["statistics"] if s["metric"] == "timed_ns").update(ci95_low=None)
        other = next(b for b in run["benchmarks"] if b["name"] == "null/batch_compute/python")
        next(s for s in other["statistics"] if s["metric"] == "timed_ns").update(median=None)
        path.write_text(json.dumps(run))
    assert main([str(tmp_path), "--out", str(tmp_path / "h")]) == 0
    text = (tmp_path / "h" / "history.md").read_text()
    assert f"`{NAME}`" in text and "null/batch_compute/python" not in text
