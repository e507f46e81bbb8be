"""The devtools workload end to end: the driver verifies each tool's answer itself before its time counts (a
search that drops a match, a lint run that hides a finding and an install that loses a package are invalid,
never timed, while the honest tools beside them are ok, and every result matches results/schema.json), the
wrappers refuse bad command lines with exit 2 and one line, and the pins the workload records are the ones
the set-up installs."""

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from claimbench_report.load import load_result
from claimbench_testing import HARNESS, ROOT, bench

WORKLOAD = ROOT / "workloads" / "devtools"
RUFF = ROOT / ".venv" / "bin" / "ruff"
UV = ROOT / ".venv" / "devtools" / "bin" / "uv"
WHEELS = ROOT / ".cache" / "devtools" / "wheels"

# Liars: each runs an honest wrapper, then spoils its answer after `done` (the harness must catch it).
LIARS = {
    "liar_search": ('"$(dirname "$0")/../grep/run.sh" "$@" | sed \'$d\'', "search_literal", "/usr/bin/grep"),
    "liar_lint": ('"$(dirname "$0")/../ruff/run.sh" "$@" | grep -v F821', "lint_shared", "{root}/.venv/bin/ruff"),
    "liar_install": ('"$(dirname "$0")/../uv/run.sh" "$@" && rm -rf "$4"/lib/python3*/site-packages/idna-*.dist-info',
                     "install_cold", "{root}/.venv/devtools/bin/uv"),
}


def need(*paths: Path) -> None:
    if not HARNESS.exists():
        pytest.skip(f"{HARNESS} is not built; run ./claimbench build")
    for path in paths:
        if not path.exists():
            pytest.skip(f"{path} is missing; ./claimbench setup installs it (setup/install-devtools.sh)")


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    """A checkout whose devtools workload has the real grep, ruff and uv wrappers and one liar per family; its
    .venv and wheel folder are the real ones (links), its generated inputs its own."""
    root = tmp_path / "root"
    workload = root / "workloads" / "devtools"
    impls = workload / "impls"
    impls.mkdir(parents=True)
    (root / ".venv").symlink_to(ROOT / ".venv")
    (root / ".cache" / "devtools").mkdir(parents=True)
    (root / ".cache" / "devtools" / "wheels").symlink_to(WHEELS)
    (workload / "peer_support").symlink_to(WORKLOAD / "peer_support")
    (workload / "data").symlink_to(WORKLOAD / "data")
    for name in ("grep", "ruff", "uv"):
        (impls / name).symlink_to(WORKLOAD / "impls" / name)
    for name, (body, case, tool) in LIARS.items():
        (impls / name).mkdir()
        script = impls / name / "liar.sh"
        script.write_text(f"#!/usr/bin/env bash\nset -o pipefail\n{body}\n")
        script.chmod(0o755)
        (impls / name / "impl.toml").write_text(
            f'language = "C"\nrole = "peer"\nlabel = "idiomatic"\ncommand = ["{{impl_dir}}/liar.sh", "{tool}"]\n'
            f'cases = ["{case}"]\n')
    return root


def run_case(root: Path, out: Path, case: str, *params: str) -> dict:
    args = [str(HARNESS), "run", "--out", str(out), "--workload", "devtools", "--profile", "quick", "--case", case]
    for param in params:
        args += ["--param", param]
    proc = subprocess.run(args, capture_output=True, text=True, env=dict(os.environ, CLAIMBENCH_ROOT=str(root)),
                          timeout=300)
    assert proc.returncode == 1, proc.stderr  # the liar answered wrongly; nothing else failed
    return load_result(next((out / "results").glob("run-*.json")))  # checked against results/schema.json


def test_a_search_that_drops_a_match_is_invalid_and_grep_is_ok(fake_root, tmp_path):
    need(Path("/usr/bin/grep"))
    result = run_case(fake_root, tmp_path / "out", "search_literal", "tree_bytes=65536")
    honest = bench(result, "devtools/search_literal/grep")
    assert honest["status"] == "ok", honest.get("error")
    assert set(honest["calibration"]) >= {"tree_files", "tree_bytes", "matching_lines"}
    liar = bench(result, "devtools/search_literal/liar_search")
    assert liar["status"] == "invalid" and "1 missing" in liar["error"], liar["error"]


def test_a_lint_run_that_hides_a_finding_is_invalid_and_ruff_is_ok(fake_root, tmp_path):
    need(RUFF)
    result = run_case(fake_root, tmp_path / "out", "lint_shared", "tree_bytes=65536")
    assert bench(result, "devtools/lint_shared/ruff")["status"] == "ok"
    liar = bench(result, "devtools/lint_shared/liar_lint")
    assert liar["status"] == "invalid" and "F821" in liar["error"], liar["error"]


def test_an_install_that_loses_a_package_is_invalid_and_uv_is_ok(fake_root, tmp_path):
    need(UV, WHEELS)
    result = run_case(fake_root, tmp_path / "out", "install_cold")
    honest = bench(result, "devtools/install_cold/uv")
    assert honest["status"] == "ok", honest.get("error")
    assert honest["build"]["toolchain_version"] == pins("setup/devtools-requirements.txt")["uv"]
    liar = bench(result, "devtools/install_cold/liar_install")
    assert liar["status"] == "invalid" and "idna==" in liar["error"], liar["error"]


@pytest.mark.parametrize("args, message", [
    (["/usr/bin/grep", "lint", "--root", "/tmp", "--rules", "shared"], "no equivalent in grep"),
    (["/usr/bin/grep", "search", "--root", "/tmp", "--mode", "fuzzy", "--pattern", "x"], "--mode must be"),
    (["/usr/bin/grep", "search", "--root", "/nonexistent", "--mode", "literal", "--pattern", "x"], "not a directory"),
    (["/usr/bin/grep", "search", "--bogus", "1"], "unknown option"),
    (["/nonexistent/grep", "search"], "not an executable"),
])
def test_the_wrappers_refuse_a_bad_command_line_with_one_line(args, message):
    proc = subprocess.run([str(WORKLOAD / "impls" / "grep" / "run.sh"), *args], capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def pins(relative: str) -> dict[str, str]:
    text = (ROOT / relative).read_text()
    return {name.lower(): version for name, version in re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", text, re.M)}


def test_recorded_pins_are_the_installed_ones():
    tools = pins("setup/devtools-requirements.txt")
    assert pins("workloads/devtools/data/venv-pip.txt")["pip"] == tools["pip"]
    assert "ruff" not in tools, "ruff is measured from .venv: one pin, in python-requirements.txt"
    assert pins("setup/python-requirements.txt")["ruff"]
    for manifest in sorted((WORKLOAD / "impls").glob("*/impl.toml")):
        impl = tomllib.loads(manifest.read_text())
        for library in impl.get("libraries", []):
            name, version = library.split()
            assert tools.get(name) == version, f"{manifest}: {library} is not what devtools-requirements.txt pins"
    assert {"ripgrep", "grep"} <= set((ROOT / "setup" / "debian-packages.txt").read_text().split())
