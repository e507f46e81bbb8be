"""The HTML report opens in headless Chromium with no console errors and every plot loaded.

The report itself carries no script; the test loads a copy with a small checker script appended, which
records how many images there are and which failed to load, and reads the result from the dumped DOM.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from claimbench_report import load_result
from claimbench_report.__main__ import write_report

FIXTURE = Path(__file__).parent / "fixtures" / "null_quick.json"
CHECKER = """<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src'));
  document.body.setAttribute('data-check', JSON.stringify({images: images.length, broken: broken}));
});
</script>
"""
# The flags a sandboxed root CI machine needs, and none that reach the network.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000"]


def test_report_opens_in_chromium_with_every_plot_and_no_console_error(tmp_path):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed; ./claimbench setup installs it (setup/debian-packages.txt)")
    write_report(load_result(FIXTURE), tmp_path)
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
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    assert console == [], console
