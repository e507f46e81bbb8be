"""Fetches a Go toolchain from the Go module proxy without a go command, the way `go` itself does for
GOTOOLCHAIN: the module golang.org/toolchain@v0.0.1-go<VERSION>.<os>-<arch>. Checks the zip against the
module hash pinned in setup/toolchains.txt (go.sum's "h1:" form: dirhash Hash1) before unpacking it into
DEST, and marks its programs executable (module zips keep no file modes).

usage: fetch_go_toolchain.py VERSION H1 DEST      (GOPROXY's first URL is used, default proxy.golang.org)
Exit status 0 when DEST/bin/go is ready, 1 with one line on stderr saying why not."""

import base64
import hashlib
import io
import os
import platform
import shutil
import sys
import urllib.request
import zipfile

ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}


def module_hash(archive: zipfile.ZipFile) -> str:
    """Go's dirhash.Hash1 over a module zip: sha256 of the sorted 'sha256hex  name' lines."""
    summary = hashlib.sha256()
    for name in sorted(archive.namelist()):
        digest = hashlib.sha256(archive.read(name)).hexdigest()
        summary.update(f"{digest}  {name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode()


def proxy_url() -> str:
    for entry in os.environ.get("GOPROXY", "https://proxy.golang.org").replace("|", ",").split(","):
        if entry.startswith("https://") or entry.startswith("http://"):
            return entry.rstrip("/")
    return "https://proxy.golang.org"


def main(version: str, pinned_hash: str, dest: str) -> int:
    arch = ARCHES.get(platform.machine())
    if arch is None:
        print(f"no Go toolchain is pinned for this machine ({platform.machine()})", file=sys.stderr)
        return 1
    module = f"golang.org/toolchain@v0.0.1-go{version}.linux-{arch}"
    url = f"{proxy_url()}/golang.org/toolchain/@v/v0.0.1-go{version}.linux-{arch}.zip"
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            data = response.read()
    except OSError as error:
        print(f"cannot fetch {url}: {error}", file=sys.stderr)
        return 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    got = module_hash(archive)
    if got != pinned_hash:
        print(f"{module} has hash {got}, not the {pinned_hash} pinned in setup/toolchains.txt", file=sys.stderr)
        return 1
    partial = dest + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    prefix = module + "/"
    for info in archive.infolist():
        if not info.filename.startswith(prefix) or info.is_dir():
            continue
        target = os.path.join(partial, info.filename[len(prefix):])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with archive.open(info) as source, open(target, "wb") as out:
            shutil.copyfileobj(source, out)
        # As the go command does for a downloaded toolchain: its bin/ and pkg/tool/ hold the programs.
        relative = info.filename[len(prefix):]
        if relative.startswith("bin/") or relative.startswith("pkg/tool/"):
            os.chmod(target, 0o755)
    shutil.rmtree(dest, ignore_errors=True)
    os.rename(partial, dest)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(*sys.argv[1:]))
