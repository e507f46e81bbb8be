"""The SPEC's RFC-named conformance tests: the C++ reference's end-to-end suite (impls/cpp/proxy_test.cc,
14 tests, about 25 s) run against this port through run_proxy.sh. Skipped when CLAIMBENCH_BUILD_DIR (the
impl.toml [test] command sets it) holds no built http_proxy_test."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PORT_DIR = Path(__file__).resolve().parents[1]
BUILD_DIR = os.environ.get("CLAIMBENCH_BUILD_DIR", "")
SUITE = Path(BUILD_DIR) / "workloads/http_proxy/impls/cpp/http_proxy_test"


@pytest.mark.skipif(
    not BUILD_DIR or not SUITE.is_file(), reason=f"{SUITE} not built (cmake --build ... http_proxy_test)"
)
def test_passes_the_reference_conformance_suite():
    env = dict(os.environ, CLAIMBENCH_HTTP_PROXY_UNDER_TEST=str(PORT_DIR / "run_proxy.sh"), PYTHON=sys.executable)
    suite = subprocess.run([str(SUITE)], env=env, capture_output=True, text=True, timeout=180)
    failed = [line for line in suite.stdout.splitlines() if line.startswith("[  FAILED  ]")]
    assert suite.returncode == 0, "\n".join(failed) or suite.stdout[-2000:]
