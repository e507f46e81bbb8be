"""The sync_engine harness side end to end: the driver verifies every sync by restoring the store and
hashing the tree itself (a wrong restore is invalid, never timed), the impl.toml `cases` list keeps a peer
out of cases it has no equivalent of, and the restic and rsync wrappers map the SPEC command line."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from claimbench_testing import BUILD_DIR, HARNESS, ROOT, bench

WORKLOAD = ROOT / "workloads" / "sync_engine"
SYNC_CORPUS = BUILD_DIR / "workloads" / "sync_engine" / "driver" / "corpus" / "sync_corpus"

LIAR = """#!/usr/bin/env bash
# A sync_engine implementation whose store loses a file: sync is right, restore leaves one out.
"$(dirname "$0")/../cpp/run_rsync.sh" "$@"
status=$?
if [ "$1" = restore ] && [ $status = 0 ]; then
  rm -f "$(find "$5" -type f | sort | head -n 1)"
fi
exit $status
"""


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A checkout with two sync_engine implementations built on the rsync wrapper: a correct reference and
    a liar whose restore drops a file (it takes part in initial_sync only)."""
    root = tmp_path / "root"
    workload = root / "workloads" / "sync_engine"
    impls = workload / "impls"
    (impls / "cpp").mkdir(parents=True)
    shutil.copy(WORKLOAD / "impls" / "rsync" / "run_rsync.sh", impls / "cpp")
    shutil.copytree(WORKLOAD / "peer_support", workload / "peer_support")
    (impls / "cpp" / "impl.toml").write_text(
        'language = "C"\nrole = "reference"\nlabel = "idiomatic"\ncommand = ["{impl_dir}/run_rsync.sh"]\n')
    (impls / "liar").mkdir()
    (impls / "liar" / "liar.sh").write_text(LIAR)
    (impls / "liar" / "liar.sh").chmod(0o755)
    (impls / "liar" / "impl.toml").write_text(
        'language = "C"\nrole = "peer"\nlabel = "idiomatic"\ncommand = ["{impl_dir}/liar.sh"]\n'
        'cases = ["initial_sync"]\n')
    return root


def test_driver_verifies_syncs_by_restoring_and_marks_a_lossy_store_invalid(fake_root, tmp_path):
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    if shutil.which("rsync") is None:
        pytest.skip("rsync is not installed (./claimbench setup installs it)")
    env = dict(os.environ, CLAIMBENCH_ROOT=str(fake_root))
    proc = subprocess.run([str(HARNESS), "run", "--out", str(tmp_path / "out"), "--workload", "sync_engine",
                           "--case", "initial_sync", "--case", "incremental_sync", "--param", "corpus_bytes=2M"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr  # the liar answered wrongly
    result = json.loads(next((tmp_path / "out" / "results").glob("run-*.json")).read_text())
    for case in ("initial_sync", "incremental_sync"):
        entry = bench(result, f"sync_engine/{case}/cpp")
        assert entry["status"] == "ok", entry.get("error")
        medians = {s["metric"]: s["median"] for s in entry["statistics"]}
        assert medians["bytes_per_s"] > 0 and medians["bytes_uploaded"] > 0
        assert medians["dedup_ratio"] <= 1.0001, "rsync copies whole files (renamed ones again): no dedup"
    liar = bench(result, "sync_engine/initial_sync/liar")
    assert liar["status"] == "invalid"
    assert "restored tree has tree hash" in liar["error"], liar["error"]
    skipped = bench(result, "sync_engine/incremental_sync/liar")
    assert skipped["status"] == "unavailable" and "takes part only in initial_sync" in skipped["error"]


VANDAL = """#!/usr/bin/env bash
# A chunk implementation that deletes the harness's expected answer before it answers.
[ "$1" = chunk ] && rm -f "$3.sha256"
if [ -n "$CLAIMBENCH_MARK_FD" ]; then printf 'ready\ndone\n' >&"$CLAIMBENCH_MARK_FD"; fi
echo 0000
"""


def test_a_check_that_cannot_run_makes_the_repetition_invalid_and_the_run_goes_on(tmp_path):
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    impl = tmp_path / "root" / "workloads" / "sync_engine" / "impls" / "cpp"
    impl.mkdir(parents=True)
    (impl / "vandal.sh").write_text(VANDAL)
    (impl / "vandal.sh").chmod(0o755)
    (impl / "impl.toml").write_text(
        'language = "C"\nrole = "reference"\nlabel = "idiomatic"\ncommand = ["{impl_dir}/vandal.sh"]\n')
    env = dict(os.environ, CLAIMBENCH_ROOT=str(tmp_path / "root"))
    proc = subprocess.run([str(HARNESS), "run", "--out", str(tmp_path / "out"), "--workload", "sync_engine",
                           "--case", "hash", "--param", "file_bytes=1M"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr  # a wrong answer, not an aborted run
    result = json.loads(next((tmp_path / "out" / "results").glob("run-*.json")).read_text())
    hashed = bench(result, "sync_engine/hash/cpp")
    assert hashed["status"] == "invalid"
    assert "could not be verified" in hashed["error"] and ".sha256" in hashed["error"], hashed["error"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    if not SYNC_CORPUS.exists():
        pytest.skip(f"{SYNC_CORPUS} is not built; run ./claimbench build")
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([str(SYNC_CORPUS), "--out", str(out), "--size", "3M", "--seed", "4"], check=True,
                   capture_output=True)
    return out, json.loads((out / "manifest.json").read_text())


def run_wrapper(peer: str, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    read_end, write_end = os.pipe()
    env = dict(os.environ, CLAIMBENCH_MARK_FD=str(write_end))
    proc = subprocess.run([str(WORKLOAD / "impls" / peer / f"run_{peer}.sh"), *args], capture_output=True, text=True,
                          env=env, pass_fds=(write_end,), timeout=120)
    os.close(write_end)
    with os.fdopen(read_end) as marks:
        return proc, marks.read().split()


@pytest.mark.parametrize("peer", ["rsync", "restic"])
def test_peer_wrapper_syncs_restores_and_marks(peer, corpus, tmp_path):
    if shutil.which(peer) is None:
        pytest.skip(f"{peer} is not installed (./claimbench setup installs it)")
    corpus_dir, manifest = corpus
    local = tmp_path / "local"
    shutil.copytree(corpus_dir / "v0", local)
    proc, marks = run_wrapper(peer, "sync", "--local", str(local), "--remote", str(tmp_path / "store"),
                              "--min", "16K", "--avg", "64K", "--max", "256K")
    assert proc.returncode == 0, proc.stderr
    assert marks == ["ready", "done"]
    stats = json.loads(proc.stdout.splitlines()[-1])
    assert stats["tree_hash"] == manifest["v0"]["tree_hash"]
    assert stats["bytes_scanned"] == manifest["v0"]["logical_bytes"]
    assert stats["bytes_uploaded"] >= manifest["v0"]["unique_bytes"]
    proc, marks = run_wrapper(peer, "restore", "--remote", str(tmp_path / "store"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert marks == ["ready", "done"]
    peer_stats = WORKLOAD / "peer_support" / "peer_stats.py"
    hashed = subprocess.run(["python3", str(peer_stats), "rsync", "/dev/null", str(tmp_path / "out")],
                            capture_output=True, text=True)
    assert hashed.returncode == 1  # /dev/null has no rsync statistics: a clear error, not a crash
    assert "cannot read the rsync statistics" in hashed.stderr


@pytest.mark.parametrize("peer", ["rsync", "restic"])
@pytest.mark.parametrize(
    "args, words",
    [
        (["chunk", "--input", "x"], "'chunk' has no equivalent"),
        (["sync", "--remote", "/tmp/x"], "--local DIR is required"),
        (["sync", "--local", "/nonexistent/claimbench", "--remote", "/tmp/x"], "is not a directory"),
        (["sync", "--local", "/tmp", "--remote", "/tmp/x", "--frobnicate", "1"], "unknown option '--frobnicate'"),
    ],
)
def test_peer_wrapper_usage_errors_exit_2_with_one_line(peer, args, words):
    proc = subprocess.run([str(WORKLOAD / "impls" / peer / f"run_{peer}.sh"), *args], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.startswith("sync_engine: error: ") and words in proc.stderr, proc.stderr
