"""The HTML report opens in headless Chromium with no console errors, every plot loaded, and the claims'
forest plot shown first, before any table.

The report itself carries no script; the test loads a copy with a small checker script appended, which
records how many images there are, which failed to load and where the forest plot is, and reads the result
from the dumped DOM.
"""

import json
import re
import shutil
import subprocess

import pytest

from claimbench_report.__main__ import write_report
from result_builder import add_case, add_comparison, fixture_result, make_result

CHECKER = """<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  const forest = document.querySelector('img[src="claims-forest.png"]');
  const table = document.querySelector('table');
  document.body.setAttribute('data-check', JSON.stringify({
    images: images.length, broken: broken, first: images.length ? images[0].getAttribute('src') : null,
    forest_width: forest ? forest.naturalWidth : 0, forest_shown: forest ? forest.getBoundingClientRect().height : 0,
    forest_before_tables:
      !!(forest && table && (forest.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING)),
  }));
});
</script>
"""
# The flags a sandboxed root CI machine needs, and none that reach the network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000"]


def with_rust_evidence() -> list[dict]:
    """The real quick run plus a made-up standard run with Rust evidence, so the forest plot has points."""
    result = make_result()
    add_case(result, "http_proxy", "proxy_1k", ["cpp", "rust"], kind="service", primary="max_rps")
    add_comparison(result, "http_proxy", "proxy_1k", "rust", "cpp", "max_rps", 1.3)
    add_case(result, "null", "batch_compute", ["rust", "python"])
    add_comparison(result, "null", "batch_compute", "python", "rust", "timed_ns", 60.0)
    return [result, fixture_result()]


def test_report_opens_in_chromium_with_every_plot_and_no_console_error(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed; ./claimbench setup installs it (setup/debian-packages.txt)")
    write_report(with_rust_evidence(), tmp_path)
    html = (tmp_path / "report.html").read_text()
    (tmp_path / "check.html").write_text(html.replace("</body>", CHECKER + "</body>"))
    proc = subprocess.run([chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom",
                           (tmp_path / "check.html").as_uri()], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    match = re.search(r'data-check="([^"]*)"', proc.stdout)
    assert match, "the page did not finish loading: " + proc.stdout[:500]
    check = json.loads(match.group(1).replace("&quot;", '"'))
    assert check["broken"] == []
    assert check["images"] == len(list(tmp_path.glob("*.png"))) > 0
    assert check["first"] == "claims-forest.png"
    assert check["forest_width"] > 0 and check["forest_shown"] > 0
    assert check["forest_before_tables"]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
