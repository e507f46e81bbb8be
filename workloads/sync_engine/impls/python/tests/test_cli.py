"""End-to-end tests of sync_engine.py's main (in process, so that dozens of commands stay fast; one test
runs it as the harness does, as a process writing marks): golden chunk boundaries from data/ (written
by SPEC.md's FastCDC, not by this port), marks, sync/restore/verify round trips, an incremental sync,
two replicas converging with a conflict, random convergence rounds, corrupt stores (exit 3) and usage
errors (exit 2, one line)."""

import io
import json
import os
import random
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest

HERE = Path(__file__).resolve().parent
PROGRAM = HERE.parent / "sync_engine.py"
DATA = HERE.parents[2] / "data"
MASK64 = (1 << 64) - 1
SMALL_SIZES = ("--min", "2K", "--avg", "8K", "--max", "64K")
sys.path.insert(0, str(PROGRAM.parent))
import sync_engine  # noqa: E402 (the program's folder is not a package)


def run(*args, check=False):
    """main(args) in this process: exit status, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = sync_engine.main([str(a) for a in args])
    if check:
        assert code == 0, f"{args}: {err.getvalue()}"
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def splitmix_bytes(seed: int, n: int) -> bytes:
    out, state = bytearray(), seed
    while len(out) < n:
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        out += (z ^ (z >> 31)).to_bytes(8, "little")
    return bytes(out[:n])


def golden_input() -> bytes:
    """data/README.md: 1 MiB of SplitMix64 (seed 1), 512 KiB of zeros, the next 512 KiB of the generator."""
    both = splitmix_bytes(1, (1 << 20) + (512 << 10))
    return both[: 1 << 20] + bytes(512 << 10) + both[1 << 20 :]


@pytest.mark.parametrize(
    "extra, golden",
    [
        ([], "chunks_default.txt"),
        (
            [
                *SMALL_SIZES,
            ],
            "chunks_min2k_avg8k_max64k.txt",
        ),
        (
            [*SMALL_SIZES, "--mode", "chunk+hash", "--threads", "2"],
            "chunks_min2k_avg8k_max64k_sha256.txt",
        ),
        (
            [*SMALL_SIZES, "--mode=chunk+hash", "--hash", "fast"],
            "chunks_min2k_avg8k_max64k_fast.txt",
        ),
    ],
)
def test_chunk_gives_the_golden_boundaries(golden_file, extra, golden):
    assert run("chunk", "--input", golden_file, *extra, check=True).stdout == (DATA / golden).read_text()


@pytest.fixture(scope="module")
def golden_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("golden") / "golden.bin"
    path.write_bytes(golden_input())
    return path


def test_the_program_writes_marks_around_the_kernel(golden_file):
    env = dict(os.environ, CLAIMBENCH_MARK_FD="2")
    args = [
        sys.executable,
        str(PROGRAM),
        "chunk",
        "--input",
        str(golden_file),
        *SMALL_SIZES,
    ]
    result = subprocess.run(args, capture_output=True, text=True, env=env)
    assert result.returncode == 0 and result.stdout == (DATA / "chunks_min2k_avg8k_max64k.txt").read_text()
    assert [line.split()[0] for line in result.stderr.splitlines()] == ["ready", "done"]


def snapshot(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.relative_to(folder).parts[0] != ".claimsync"
    }


def sync(local, store, *extra) -> dict:
    result = run("sync", "--local", local, "--remote", store, *SMALL_SIZES, *extra, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def restored(store, out) -> dict:
    run("restore", "--remote", store, "--out", out, check=True)
    return snapshot(Path(out))


def write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_round_trip_and_an_incremental_sync(tmp_path):
    local, store = tmp_path / "local", tmp_path / "store"
    big = splitmix_bytes(5, 300_000)
    write(local / "a/big.bin", big)
    write(local / "a/copy.bin", big)
    write(local / "b/c/small.txt", b"hello")
    write(local / "empty", b"")
    stats = sync(local, store, "--threads", "2", "--fsync")
    assert (stats["files_scanned"], stats["bytes_scanned"], stats["bytes_uploaded"]) == (4, 600_005, 300_005)
    assert restored(store, tmp_path / "out1") == snapshot(local)
    assert run("verify", "--remote", store, check=True).stdout.startswith('{"ok": true, "chunks": ')
    (local / "a/copy.bin").rename(local / "a/renamed.bin")
    (local / "b/c/small.txt").rename(local / "a/small.txt")
    write(local / "a/big.bin", big[:150_000] + b"inserted" + big[150_000:])
    (local / "empty").unlink()
    write(local / "new/file", b"new")
    stats = sync(local, store)
    assert stats["moved"] == 2 and stats["bytes_hashed"] == 300_011 and stats["bytes_uploaded"] < 3 * 65536
    assert restored(store, tmp_path / "out2") == snapshot(local)
    again = sync(local, store)
    assert (again["bytes_uploaded"], again["tree_hash"]) == (0, stats["tree_hash"])


def test_two_replicas_converge_and_a_conflict_keeps_both(tmp_path):
    one, two, store = tmp_path / "one", tmp_path / "two", tmp_path / "store"
    write(one / "docs/report.txt", b"first")
    write(one / "keep.txt", b"keep")
    sync(one, store)
    sync(two, store)
    write(one / "docs/report.txt", b"edited on one")
    write(two / "docs/report.txt", b"edited on two")
    (one / "keep.txt").unlink()
    (two / "keep.txt").rename(two / "kept.txt")
    (two / "docs").rename(two / "papers")
    sync(one, store)
    assert sync(two, store)["conflicts"] == 1
    sync(one, store)
    want = {
        "kept.txt": b"keep",
        "papers/report (conflicted copy two).txt": b"edited on two",
        "papers/report.txt": b"edited on one",
    }
    assert snapshot(one) == want == snapshot(two) == restored(store, tmp_path / "out")


def random_change(rng: random.Random, folder: Path, tag: bytes) -> None:
    files = [p for p in folder.rglob("*") if p.is_file() and ".claimsync" not in p.parts]
    dirs = [p for p in folder.rglob("*") if p.is_dir() and ".claimsync" not in p.parts]
    where = rng.choice(dirs) if dirs and rng.random() < 0.5 else folder
    content = tag + rng.randbytes(rng.choice([0, 100, 5000, 40_000]))
    op = rng.randrange(7)
    if op == 0:
        write(where / f"f{rng.randrange(1000)}.txt", content)
    elif op in (1, 2) and files:
        rng.choice(files).write_bytes(content)
    elif op == 3 and files:
        rng.choice(files).unlink()
    elif op == 4 and files:
        target = where / f"m{rng.randrange(1000)}.bin"
        if not target.exists():
            rng.choice(files).rename(target)
    elif op == 5:
        (where / f"d{rng.randrange(100)}").mkdir(exist_ok=True)
    elif op == 6 and dirs:
        victim = rng.choice(dirs)
        if rng.random() < 0.5:
            shutil.rmtree(victim)
        elif not (folder / f"moved{rng.randrange(100)}").exists():
            victim.rename(folder / f"moved{rng.randrange(100)}")


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_replicas_converge_and_lose_nothing(tmp_path, seed):
    rng = random.Random(seed)
    store = tmp_path / "store"
    hash_name = ["fast", "sha256"][seed % 2]
    replicas = [tmp_path / f"r{i}" for i in range(2 + rng.randrange(2))]
    for r in replicas:
        r.mkdir()
    for round_number in range(3):
        tag = f"seed {seed} round {round_number}\n".encode()
        for r in replicas:
            for _ in range(1 + rng.randrange(5)):
                random_change(rng, r, tag)
        written = set()
        for r in rng.sample(replicas, len(replicas)):
            written |= {v for v in snapshot(r).values() if v.startswith(tag)}
            sync(r, store, "--hash", hash_name, "--threads", rng.choice(["1", "2"]))
        for r in replicas:
            sync(r, store, "--hash", hash_name)
        first = snapshot(replicas[0])
        assert all(snapshot(r) == first for r in replicas[1:]), "replicas differ"
        out = tmp_path / f"out{round_number}"
        assert restored(store, out) == first
        run("verify", "--remote", store, check=True)
        assert written <= set(first.values()), "a version written in the round was lost"


def small_store(folder: Path):
    write(folder / "local/f.bin", splitmix_bytes(7, 40_000))
    sync(folder / "local", folder / "store")
    return folder / "store", next((folder / "store/packs").iterdir())


def assert_corrupt(result, obj: str) -> None:
    lines = [line for line in result.stderr.splitlines() if line.startswith("sync_engine: ")]
    assert result.returncode == 3 and lines[0].startswith(f"sync_engine: corrupt: {obj}"), result.stderr


def test_corrupt_stores_exit_3_naming_the_object(tmp_path):
    store, pack = small_store(tmp_path / "flip")
    data = bytearray(pack.read_bytes())
    data[100] ^= 1
    pack.write_bytes(data)
    assert_corrupt(run("verify", "--remote", store), f"packs/{pack.name}: chunk ")
    assert_corrupt(run("restore", "--remote", store, "--out", tmp_path / "out"), "packs/")
    assert list((tmp_path / "out").iterdir()) == []
    assert_corrupt(run("sync", "--local", tmp_path / "fresh", "--remote", store), "packs/")
    assert snapshot(tmp_path / "fresh") == {}
    store, pack = small_store(tmp_path / "truncate")
    os.truncate(pack, pack.stat().st_size - 10)
    assert_corrupt(run("verify", "--remote", store), "packs/")
    store, pack = small_store(tmp_path / "index")
    index = store / "index" / pack.name
    index.write_text(index.read_text().replace(" ", "  ", 1))
    assert_corrupt(run("verify", "--remote", store), "index/")
    store, _ = small_store(tmp_path / "head")
    (store / "HEAD").write_text("not a hash\n")
    assert_corrupt(run("verify", "--remote", store), "HEAD")
    store, _ = small_store(tmp_path / "base")  # corrupt local state: the base record is unreadable
    (tmp_path / "base/local/.claimsync/base.json").write_text("{not json")
    assert_corrupt(run("sync", "--local", tmp_path / "base/local", "--remote", store), ".claimsync/base.json")


def test_usage_errors_exit_2_with_one_line(tmp_path):
    f = tmp_path / "input"
    f.write_bytes(b"abc")
    old = tmp_path / "old"
    write(old / "format", b"claimbench-sync 3 sha256\n")
    store, _ = small_store(tmp_path / "s")
    full = tmp_path / "full"
    write(full / "x", b"x")
    local = tmp_path / "l"
    cases = [
        [],
        ["nosuch"],
        ["chunk"],
        ["chunk", "--input", f, "--frobnicate", "1"],
        ["chunk", "--input", f, "--mode", "md5"],
        ["chunk", "--input", f, "--hash", "md5"],
        ["chunk", "--input", f, "--avg", "3000"],
        ["chunk", "--input", f, "--min", "64K"],
        ["chunk", "--input", f, "--max", "1X"],
        ["chunk", "--input", f, "--threads", "0"],
        ["chunk", "--input", f, "--threads", "2", "--mode", "chunk"],
        ["chunk", "--input", f, "--input", f],
        ["chunk", "--input", f, "extra"],
        ["chunk", "--input", tmp_path / "missing"],
        ["sync", "--local", local, "--remote", old],
        ["sync", "--local", local, "--remote", store, "--hash", "fast"],
        ["sync", "--local", local, "--remote", full],
        ["sync", "--local", local, "--remote", local / "inside"],
        ["sync", "--local", local, "--remote", tmp_path / "s2", "--replica", "a/b"],
        ["sync", "--local", f, "--remote", tmp_path / "s3"],
        ["sync", "--remote", store],
        ["restore", "--remote", store, "--out", full],
        ["restore", "--remote", tmp_path / "nostore", "--out", tmp_path / "o"],
        ["verify", "--remote", old],
    ]
    for args in cases:
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("sync_engine: error: ") and result.stderr.count("\n") == 1, (
            args,
            result.stderr,
        )
        assert result.stdout == "", args


def test_a_file_changed_since_the_scan_is_not_replaced(tmp_path):
    """A file saved between the scan and its replacement stops the sync (exit 4) and keeps the user's bytes."""
    from syncpy.errors import LocalChangedError
    from syncpy.local import apply_local, record_of, tmp_dir
    from syncpy.tree import Node, Tree

    os.makedirs(tmp_dir(str(tmp_path)))
    path = tmp_path / "notes.txt"
    path.write_text("scanned")
    local = Tree(nodes={"f": Node("f", "", "notes.txt", False, 7, "scanned hash")})
    merged = Tree(nodes={"f": Node("f", "", "notes.txt", False, 6, "remote hash")})
    staged = Path(tmp_dir(str(tmp_path))) / "dl-f"
    staged.write_text("remote")
    scanned = {"f": record_of(os.lstat(path))}
    path.write_text("saved by the user after the scan")
    with pytest.raises(LocalChangedError):
        apply_local(str(tmp_path), local, scanned, merged, {"f": str(staged)}, {"deleted_local": 0})
    assert path.read_text() == "saved by the user after the scan"
