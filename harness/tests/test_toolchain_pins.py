"""The ports' toolchains are pinned once (setup/toolchains.txt) and repeated the way each ecosystem pins them;
these tests keep the copies in step, and check setup/fetch_go_toolchain.py's checks on a local proxy."""

import base64
import hashlib
import http.server
import io
import os
import re
import sys
import threading
import tomllib
import zipfile
from pathlib import Path

import pytest

from claimbench_testing import ROOT

sys.path.insert(0, str(ROOT / "setup"))
import fetch_go_toolchain  # noqa: E402

NULL = ROOT / "workloads" / "null" / "impls"


def pins() -> dict[str, str]:
    out = {}
    for line in (ROOT / "setup" / "toolchains.txt").read_text().splitlines():
        fields = line.split("#")[0].split()
        if len(fields) >= 2:
            out[fields[0]] = fields[1]
    return out


def test_each_ecosystem_pins_the_same_toolchain():
    pinned = pins()
    rust = tomllib.loads((NULL / "rust" / "rust-toolchain.toml").read_text())
    assert rust["toolchain"]["channel"] == pinned["rust"]
    go_mod = (NULL / "go" / "go.mod").read_text()
    assert re.search(r"^toolchain go(\S+)$", go_mod, re.M).group(1) == pinned["go"]
    pom = (NULL / "java" / "pom.xml").read_text()
    assert f"<maven.compiler.release>{pinned['java']}</maven.compiler.release>" in pom
    assert f"<requireJavaVersion><version>[{pinned['java']},)</version></requireJavaVersion>" in pom
    assert f"<requireMavenVersion><version>[{pinned['maven']},)</version></requireMavenVersion>" in pom
    for port, name in (("rust", "Rust"), ("go", "Go")):
        hint = tomllib.loads((NULL / port / "impl.toml").read_text())["toolchain"]["hint"]
        assert f"{name} {pinned[port]}" in hint, hint


def test_every_manifest_has_a_label_and_python_libraries_match_the_requirements():
    requirements = dict(line.split("==") for line in (ROOT / "setup" / "python-requirements.txt").read_text().split()
                        if "==" in line)
    # A side package (its own folder under .venv/side/) pins a second version of a package .venv has.
    side = dict(line.split()[1].split("==") for line in (ROOT / "setup" / "python-side-packages.txt").read_text()
                .splitlines() if line.strip() and not line.startswith("#"))
    manifests = sorted(ROOT.glob("workloads/*/impls/*/impl.toml"))
    assert len(manifests) >= 17
    for manifest in manifests:
        impl = tomllib.loads(manifest.read_text())
        assert impl["label"] in ("idiomatic", "tuned", "faithful", "variant", "diagnostic"), manifest
        if impl.get("toolchain", {}).get("name") != "python":
            continue
        for library in impl.get("libraries", []):
            name, version = library.split()
            assert version in (requirements.get(name), side.get(name)), \
                f"{manifest}: {library} is not what python-requirements.txt or python-side-packages.txt pins"


@pytest.fixture
def proxy(tmp_path):
    """A local Go module proxy serving one toolchain zip; yields (url, zip bytes, module hash)."""
    module = "golang.org/toolchain@v0.0.1-go9.9.9.linux-amd64"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{module}/bin/go", "#!/bin/sh\necho go version go9.9.9 linux/amd64\n")
        archive.writestr(f"{module}/src/fmt/print.go", "package fmt\n")
    data = buffer.getvalue()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path.endswith("v0.0.1-go9.9.9.linux-amd64.zip"):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(data)
            else:
                self.send_error(404)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    module_hash = fetch_go_toolchain.module_hash(zipfile.ZipFile(io.BytesIO(data)))
    yield f"http://127.0.0.1:{server.server_port}", data, module_hash
    server.shutdown()


def test_a_go_toolchain_from_the_proxy_is_checked_then_unpacked_runnable(proxy, tmp_path, monkeypatch, capsys):
    url, data, good_hash = proxy
    monkeypatch.setattr(fetch_go_toolchain.platform, "machine", lambda: "x86_64")
    monkeypatch.setenv("GOPROXY", f"{url},direct")
    dest = tmp_path / "go9.9.9"
    assert fetch_go_toolchain.main("9.9.9", "h1:" + "A" * 43 + "=", str(dest)) == 1
    assert "not the h1:AAAA" in capsys.readouterr().err and not dest.exists()
    assert fetch_go_toolchain.main("9.9.9", good_hash, str(dest)) == 0
    assert (dest / "src" / "fmt" / "print.go").read_text() == "package fmt\n"
    assert os.access(dest / "bin" / "go", os.X_OK)
    assert fetch_go_toolchain.main("1.0.0", good_hash, str(tmp_path / "missing")) == 1
    assert "cannot fetch" in capsys.readouterr().err


def test_the_module_hash_is_gos_dirhash_hash1():
    # dirhash.Hash1: sha256 over "<sha256 hex>  <name>\n" lines of the sorted file names, base64, "h1:" prefix.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("m@v1/b", "2")
        archive.writestr("m@v1/a", "1")
    lines = "".join(f"{hashlib.sha256(c.encode()).hexdigest()}  m@v1/{n}\n" for n, c in (("a", "1"), ("b", "2")))
    want = "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()
    assert fetch_go_toolchain.module_hash(zipfile.ZipFile(io.BytesIO(buffer.getvalue()))) == want
    assert Path(fetch_go_toolchain.__file__).parent == ROOT / "setup"
