"""Shared fixtures and helpers for every end-to-end test (harness/tests/, workloads/*/tests/): they run the built
claimbench-harness the way the ./claimbench script does, in a temporary output directory. Loaded as a pytest
plugin by the root conftest.py, so a test anywhere gets the fixtures; import the helpers from this module."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD_DIR = Path(os.environ.get("CLAIMBENCH_BUILD_DIR", ROOT / "build" / "release"))
HARNESS = BUILD_DIR / "bin" / "claimbench-harness"


@pytest.fixture(scope="session")
def harness() -> Path:
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build (./claimbench test does it)")
    return HARNESS


class Harness:
    def __init__(self, binary: Path, out: Path, root: Path = ROOT):
        self.binary = binary
        self.out = out
        self.root = root

    def __call__(self, *args: str, timeout: float = 300, env: dict | None = None) -> subprocess.CompletedProcess:
        env = dict(os.environ if env is None else env, CLAIMBENCH_ROOT=str(self.root))
        return subprocess.run([str(self.binary), *args], capture_output=True, text=True, env=env, timeout=timeout)

    def with_root(self, root: Path) -> "Harness":
        """The same harness reading workloads/ (implementations' impl.toml) from another tree."""
        return Harness(self.binary, self.out, root)

    def run(self, *args: str, timeout: float = 300,
            env: dict | None = None) -> tuple[subprocess.CompletedProcess, dict | None]:
        """`run --out OUT ARGS` (in `env`, default this process's environment); returns the process and the
        parsed result file (None if none was written)."""
        before = set(self.out.glob("results/run-*.json"))
        proc = self("run", "--out", str(self.out), *args, timeout=timeout, env=env)
        written = sorted(set(self.out.glob("results/run-*.json")) - before)
        result = json.loads(written[-1].read_text()) if written else None
        if result is not None:
            result["_path"] = str(written[-1])
        return proc, result


@pytest.fixture
def cb(harness: Path, tmp_path: Path) -> Harness:
    return Harness(harness, tmp_path)


def null_tree(tmp_path: Path, manifests: dict[str, str] | None = None) -> Path:
    """A copy of the checkout's null workload in a temporary tree, with extra or replaced implementations:
    `manifests` maps an implementation folder name to its impl.toml text. For `Harness.with_root`."""
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "workloads" / "null", tree / "workloads" / "null")
    (tree / ".venv").symlink_to(ROOT / ".venv")
    for name, text in (manifests or {}).items():
        (tree / "workloads" / "null" / "impls" / name).mkdir(exist_ok=True)
        (tree / "workloads" / "null" / "impls" / name / "impl.toml").write_text(text)
    return tree


def bench(result: dict, name: str) -> dict:
    for entry in result["benchmarks"]:
        if entry["name"] == name:
            return entry
    raise AssertionError(f"{name} not in result: {[b['name'] for b in result['benchmarks']]}")
