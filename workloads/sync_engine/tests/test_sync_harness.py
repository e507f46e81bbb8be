"""The sync_engine harness side end to end: the driver verifies every sync by restoring the store and
hashing the tree itself (a wrong restore is invalid, never timed), the impl.toml `cases` list keeps a peer
out of cases it has no equivalent of, and the restic, rustic, rsync and borg wrappers map the SPEC command line."""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from claimbench_testing import BUILD_DIR, HARNESS, ROOT, bench

WORKLOAD = ROOT / "workloads" / "sync_engine"
SYNC_CORPUS = BUILD_DIR / "workloads" / "sync_engine" / "driver" / "corpus" / "sync_corpus"
SYNC_CPP = BUILD_DIR / "workloads" / "sync_engine" / "impls" / "cpp" / "sync_engine_cpp"
# rustic is built from crates.io by its impl.toml's [build] (many minutes on 2 cores), only in a standard run
# or one that names it; where it is not built, its wrapper tests are skipped.
RUSTIC = ROOT / "build" / "impls" / "sync_engine" / "rustic" / "bin" / "rustic"

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


def test_an_implementation_cannot_remove_the_expected_answer(tmp_path):
    """The harness keeps each case's answers in its prepared case, not in files an implementation can reach:
    deleting the cached hash changes nothing, the wrong answer is still judged wrong and the run goes on."""
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
    assert hashed["error"].startswith("wrong answer: hash '0000"), hashed["error"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict]:
    if not SYNC_CORPUS.exists():
        pytest.skip(f"{SYNC_CORPUS} is not built; run ./claimbench build")
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([str(SYNC_CORPUS), "--out", str(out), "--size", "3M", "--seed", "4"], check=True,
                   capture_output=True)
    return out, json.loads((out / "manifest.json").read_text())


def wrapper_env(peer: str) -> dict[str, str]:
    """The environment impl.toml's command gives the wrapper: rustic's is told where its build put the program."""
    return dict(os.environ, RUSTIC_BIN=str(RUSTIC)) if peer == "rustic" else dict(os.environ)


def peer_installed(peer: str) -> bool:
    return RUSTIC.exists() if peer == "rustic" else shutil.which(peer) is not None


def run_wrapper(peer: str, *args: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    read_end, write_end = os.pipe()
    env = dict(wrapper_env(peer), CLAIMBENCH_MARK_FD=str(write_end))
    proc = subprocess.run([str(WORKLOAD / "impls" / peer / f"run_{peer}.sh"), *args], capture_output=True, text=True,
                          env=env, pass_fds=(write_end,), timeout=120)
    os.close(write_end)
    with os.fdopen(read_end) as marks:
        return proc, marks.read().split()


@pytest.mark.parametrize("peer", ["rsync", "restic", "rustic", "borg"])
def test_peer_wrapper_syncs_restores_and_marks(peer, corpus, tmp_path):
    if not peer_installed(peer):
        pytest.skip(f"{peer} is not installed (./claimbench setup installs it; rustic: "
                    "claimbench-harness run --workload sync_engine --impl rustic builds it)")
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
    tree = subprocess.run(["python3", "-c", "import sys; sys.path.insert(0, sys.argv[1]); import peer_stats; "
                           "print(peer_stats.tree_hash(sys.argv[2]))", str(peer_stats.parent), str(tmp_path / "out")],
                          capture_output=True, text=True, check=True)
    assert tree.stdout.strip() == manifest["v0"]["tree_hash"], f"{peer} restored another tree"
    hashed = subprocess.run(["python3", str(peer_stats), peer, "/dev/null", str(tmp_path / "out"),
                             *(["/dev/null", "/dev/null"] if peer == "borg" else [])],
                            capture_output=True, text=True)
    assert hashed.returncode == 1  # /dev/null has no statistics: a clear error, not a crash
    assert f"cannot read the {peer} statistics" in hashed.stderr


@pytest.mark.parametrize("peer", ["rsync", "restic", "rustic", "borg"])
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


def test_rustic_wrapper_without_its_build_says_how_to_build_it(tmp_path):
    env = dict(os.environ, RUSTIC_BIN=str(tmp_path / "not-built" / "rustic"))
    proc = subprocess.run([str(WORKLOAD / "impls" / "rustic" / "run_rustic.sh"), "sync", "--local", str(tmp_path),
                           "--remote", str(tmp_path / "store")], capture_output=True, text=True, env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("sync_engine: error: rustic: ") and "--impl rustic" in proc.stderr, proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert not (tmp_path / "store").exists()


def test_a_case_that_cannot_be_prepared_fails_alone_and_the_run_goes_on(fake_root, tmp_path):
    """A chunk case whose input cannot be made (a file stands where the cache's input/ folder goes) fails
    with the reason, and the next case still runs."""
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    if shutil.which("rsync") is None:
        pytest.skip("rsync is not installed (./claimbench setup installs it)")
    cache = fake_root / ".cache" / "sync_engine"
    cache.mkdir(parents=True)
    (cache / "input").write_text("a file where the inputs' folder should be")
    env = dict(os.environ, CLAIMBENCH_ROOT=str(fake_root))
    proc = subprocess.run([str(HARNESS), "run", "--out", str(tmp_path / "out"), "--workload", "sync_engine",
                           "--impl", "cpp", "--case", "chunk", "--case", "initial_sync", "--param", "file_bytes=1M",
                           "--param", "corpus_bytes=2M"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 1, proc.stderr
    result = json.loads(next((tmp_path / "out" / "results").glob("run-*.json")).read_text())
    chunk = bench(result, "sync_engine/chunk/cpp")
    assert chunk["status"] == "failed" and chunk["samples"] == []
    assert chunk["error"].startswith("the case could not be prepared: "), chunk["error"]
    assert str(cache / "input") in chunk["error"], chunk["error"]
    assert bench(result, "sync_engine/initial_sync/cpp")["status"] == "ok"


# A reference whose chunker misses its first boundary (the first two chunks come out as one, still a valid
# tiling), and which lists the folder its --input is in (to $SNOOP_LISTING) with each file's contents.
MISSES_A_CUT = """#!/usr/bin/env bash
if [ "$1" = chunk ]; then
  for f in "$(dirname "$3")"/* "$(dirname "$3")"/.*; do
    [ -f "$f" ] && { echo "== $f"; head -c 4096 "$f" | tr -c '[:print:]\\n' '?'; echo; } >> "$SNOOP_LISTING"
  done
fi
[ "$5" = hash ] && exec "CPP" "$@"
"CPP" "$@" | awk 'NR == 1 { offset = $1; first = $2; next }
                  NR == 2 { print offset, first + $2; next } { print }'
exit "${PIPESTATUS[0]}"
"""


def run_chunk_with(tmp_path: Path, script: str, *cases: str) -> tuple[dict, Path]:
    if not HARNESS.exists() or not SYNC_CPP.exists():
        pytest.skip("the harness or the C++ reference is not built; run ./claimbench build")
    root = tmp_path / "root"
    impl = root / "workloads" / "sync_engine" / "impls" / "cpp"
    impl.mkdir(parents=True)
    (impl / "wrapper.sh").write_text(script.replace('"CPP"', f'"{SYNC_CPP}"'))
    (impl / "wrapper.sh").chmod(0o755)
    (impl / "impl.toml").write_text(
        'language = "C++"\nrole = "reference"\nlabel = "idiomatic"\ncommand = ["{impl_dir}/wrapper.sh"]\n')
    listing = tmp_path / "listing.txt"
    env = dict(os.environ, CLAIMBENCH_ROOT=str(root), SNOOP_LISTING=str(listing))
    case_args = [arg for case in cases for arg in ("--case", case)]
    proc = subprocess.run([str(HARNESS), "run", "--out", str(tmp_path / "out"), "--workload", "sync_engine",
                           *case_args, "--param", "file_bytes=1M"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(next((tmp_path / "out" / "results").glob("run-*.json")).read_text()), listing


def test_chunk_boundaries_are_checked_against_the_harness_not_the_reference(tmp_path):
    """The expected boundaries come from the harness's own FastCDC (driver/spec_chunker.h), so a reference
    that misses a cut is a wrong answer, not the truth."""
    result, _ = run_chunk_with(tmp_path, MISSES_A_CUT, "chunk")
    entry = bench(result, "sync_engine/chunk/cpp")
    assert entry["status"] == "invalid", entry
    assert "chunk 1: 0 " in entry["error"] and "SPEC.md's FastCDC cuts 0 " in entry["error"], entry["error"]


def test_no_answer_sits_beside_the_chunk_input(tmp_path):
    """What the implementation reads (--input's folder) holds inputs only: neither the file's SHA-256 nor
    any chunk list the harness checks against."""
    result, listing = run_chunk_with(tmp_path, MISSES_A_CUT, "hash", "chunk")
    assert bench(result, "sync_engine/hash/cpp")["status"] == "ok"
    seen = listing.read_text()
    names = [line[3:] for line in seen.splitlines() if line.startswith("== ")]
    inputs = [Path(name) for name in names]
    assert inputs and all(p.suffix == ".bin" for p in inputs), names
    digest = hashlib.sha256(inputs[0].read_bytes()).hexdigest()
    assert digest not in seen, "the input's SHA-256 sits where the implementation reads"
    cache = tmp_path / "root" / ".cache" / "sync_engine"
    assert (cache / "answers" / f"{inputs[0].stem}.sha256").read_text() == digest + "\n"
