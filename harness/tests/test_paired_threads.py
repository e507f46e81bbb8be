"""tools/paired_threads.py: pairs 1- and N-thread runs and reads the window from the marks."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOL = ROOT / "tools" / "paired_threads.py"

# A stand-in implementation: its marked window is 40 ms divided by --threads, stamped with
# CLOCK_MONOTONIC as the protocol allows, so the tool's arithmetic is checked without timing anything.
FAKE = """
import os, sys, time
threads = int(sys.argv[sys.argv.index("--threads") + 1])
fd = int(os.environ["CLAIMBENCH_MARK_FD"])
start = time.clock_gettime_ns(time.CLOCK_MONOTONIC) - 1_000_000
os.write(fd, f"ready {start}\\n".encode())
os.write(fd, f"done {start + 40_000_000 // threads}\\n".encode())
"""


def run_tool(tmp_path: Path, source: str, *extra: str) -> subprocess.CompletedProcess:
    fake = tmp_path / "fake.py"
    fake.write_text(source)
    return subprocess.run(
        [sys.executable, str(TOOL), "--pairs", "3", *extra, "--", sys.executable, str(fake)],
        capture_output=True, text=True, timeout=60,
    )


def test_speedup_comes_from_the_marked_windows(tmp_path):
    result = run_tool(tmp_path, FAKE, "--threads", "4")
    assert result.returncode == 0, result.stderr
    assert "1 thread: median 40.0 ms; 4 threads: median 10.0 ms" in result.stdout
    assert "paired speed-up: median 4.00x [4.00, 4.00]" in result.stdout
    assert "n=3" in result.stdout


def test_a_command_without_marks_is_a_clear_error(tmp_path):
    result = run_tool(tmp_path, "pass\n")
    assert result.returncode != 0
    assert "wrote no timed 'ready' and 'done' marks" in result.stderr


def test_a_failing_command_is_named(tmp_path):
    result = run_tool(tmp_path, "raise SystemExit(3)\n")
    assert result.returncode != 0
    assert "exited 3 with --threads" in result.stderr


def test_baseline_pairs_two_programs_at_one_thread_count(tmp_path):
    # The baseline's window is twice the command's: a speed-up of 2.00x, both at --threads 1.
    programs = []
    for name, window_ms in (("old", 40), ("new", 20)):
        program = tmp_path / name
        program.write_text(f"#!{sys.executable}\n" + FAKE.replace("40_000_000", f"{window_ms}_000_000"))
        program.chmod(0o755)
        programs.append(program)
    result = subprocess.run(
        [sys.executable, str(TOOL), "--pairs", "3", "--threads", "1", "--baseline", str(programs[0]), "--",
         str(programs[1])],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "baseline: median 40.0 ms; command: median 20.0 ms" in result.stdout
    assert "paired speed-up: median 2.00x [2.00, 2.00]" in result.stdout
