"""docker/entrypoint.sh and docker/build.sh without an engine: the entry point's routing of output into /out
(a stub ./claimbench in a scratch checkout stands in for the real one) and the scripts' set-up errors."""

import os
import subprocess
from pathlib import Path

import pytest

DOCKER = Path(__file__).resolve().parents[1]

# Records its arguments, writes where `run --out DIR` says, and leaves JUnit files like `test`.
STUB = """#!/bin/sh
echo "$@" > "$(dirname "$0")/args"
if [ "$1" = run ]; then
  while [ $# -gt 0 ]; do [ "$1" = --out ] && { mkdir -p "$2/results"; echo {} > "$2/results/run-x.json"; }; shift; done
fi
if [ "$1" = test ]; then mkdir -p build/test-reports; echo '<testsuites/>' > build/test-reports/pytest.xml; exit 1; fi
exit 0
"""


def entrypoint(tmp_path: Path, *args: str, out: Path | None = None) -> tuple[subprocess.CompletedProcess, Path]:
    checkout = tmp_path / "claimbench"
    checkout.mkdir(exist_ok=True)
    stub = checkout / "claimbench"
    stub.write_text(STUB)
    stub.chmod(0o755)
    env = dict(os.environ, CLAIMBENCH_CONTAINER_ROOT=str(checkout),
               CLAIMBENCH_CONTAINER_OUT=str(out or tmp_path / "no-out-mounted"))
    proc = subprocess.run([str(DOCKER / "entrypoint.sh"), *args], env=env, capture_output=True, text=True)
    return proc, checkout


def test_run_writes_into_the_mounted_out(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc, checkout = entrypoint(tmp_path, "run", "--workload", "null", out=out)
    assert proc.returncode == 0, proc.stderr
    assert (checkout / "args").read_text().split() == ["run", "--workload", "null", "--out", str(out)]
    assert (out / "results" / "run-x.json").exists()


def test_run_keeps_the_users_own_out_and_nothing_is_added_without_a_mount(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    _, checkout = entrypoint(tmp_path, "run", "--out=/elsewhere", out=out)
    assert (checkout / "args").read_text().split() == ["run", "--out=/elsewhere"]
    _, checkout = entrypoint(tmp_path, "run")  # no /out: the checkout's own results/
    assert (checkout / "args").read_text().split() == ["run"]


def test_test_copies_its_junit_files_and_keeps_its_exit_status(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc, _ = entrypoint(tmp_path, "test", out=out)
    assert proc.returncode == 1
    assert (out / "test-reports" / "pytest.xml").read_text().strip() == "<testsuites/>"


@pytest.mark.skipif(os.geteuid() != 0, reason="handing files to another owner needs root, as in the container")
def test_files_made_in_out_go_to_its_owner(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, 1000, 1000)
    entrypoint(tmp_path, "run", out=out)
    made = [out / "results", out / "results" / "run-x.json"]
    assert [(p.stat().st_uid, p.stat().st_gid) for p in made] == [(1000, 1000)] * 2


def test_a_command_that_is_not_claimbench_runs_as_it_is(tmp_path):
    proc, checkout = entrypoint(tmp_path, "sh", "-c", "echo hello")
    assert proc.stdout == "hello\n"
    assert not (checkout / "args").exists()


@pytest.mark.parametrize("script", ["build.sh", "run.sh"])
def test_a_missing_engine_is_one_line_and_exit_2(script):
    env = dict(os.environ, CLAIMBENCH_ENGINE="no-such-engine")
    proc = subprocess.run([str(DOCKER / script), "env"] if script == "run.sh" else [str(DOCKER / script)],
                          env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"docker/{script}: error: CLAIMBENCH_ENGINE=no-such-engine is not installed"]
