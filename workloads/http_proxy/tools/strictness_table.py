"""The strictness table (claim L3's and the issue's "which proxy accepts what"): each row of SPEC.md's strict
parsing table sent as one request to every implementation, each started with `claimbench exec` in front of a
recording origin. A cell is the proxy's status code, "fwd" when the request's head reached the origin (the
proxy forwarded what the SPEC rejects), or "none" when no answer came. A cell agrees with the SPEC when the
status is the SPEC's and, for a fault in the head, nothing reached the origin (a fault in a chunked body is
found after a streaming proxy has forwarded the head: there only the status decides).

    strictness_table.py [--impl NAME]... [--harness PATH] [--json FILE] [--markdown FILE]
    strictness_table.py --probe PORT --origin-port PORT --json FILE

The second form is the harness's `strictness` case (driver/http_proxy_workload.cc, standard and full
profiles): the harness has started the proxy on 127.0.0.1:PORT with 127.0.0.1:ORIGIN_PORT as its only
upstream; this serves the recording origin there, sends every row and writes the proxy's answers as a JSON
array, one object per row: {"check", "expected", "in_body", "status", "forwarded", "agrees"} (the result's
`conformance`, docs/result_format.md).

With no --impl: every implementation whose manifest is under workloads/http_proxy/impls/ that `claimbench
exec` can start here within the start-up limit (a peer that is not built is started by exec, which builds it:
name the implementations to avoid a long build). Exit 0 when the table was made, 2 on bad usage or when no
implementation could be started.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HARNESS = ROOT / "build" / "release" / "bin" / "claimbench-harness"
START_LIMIT_S = 60.0
ANSWER_WAIT_S = 1.5
QUIET_S = 0.3  # the recording origin answers once the proxy has sent nothing for this long
HOST = b"Host: a\r\n"


@dataclass(frozen=True)
class Row:
    name: str
    spec: str  # the SPEC's answer: a status code, or "forward"
    request: bytes
    # A fault in the body: a proxy that streams bodies forwards the (valid) head before it reaches the fault,
    # so only the status decides; a fault in the head must never reach the origin.
    in_body: bool = False


def _post(headers: bytes, body: bytes, version: bytes = b"HTTP/1.1") -> bytes:
    return b"POST /r/1 " + version + b"\r\n" + HOST + headers + b"\r\n" + body


def _get(headers: bytes = b"", line: bytes = b"GET /r/1 HTTP/1.1", host: bytes = HOST) -> bytes:
    return line + b"\r\n" + host + headers + b"\r\n"


CHUNKED = b"Transfer-Encoding: chunked\r\n"

# SPEC.md, "Strict parsing (request smuggling)": one request per rule it names.
ROWS = [
    Row("Content-Length with Transfer-Encoding: chunked", "400",
        _post(b"Content-Length: 3\r\n" + CHUNKED, b"0\r\n\r\n")),
    Row("two equal Content-Length", "400", _post(b"Content-Length: 1\r\nContent-Length: 1\r\n", b"x")),
    Row("two different Content-Length", "400", _post(b"Content-Length: 1\r\nContent-Length: 2\r\n", b"xy")),
    Row("Content-Length list `1, 1`", "400", _post(b"Content-Length: 1, 1\r\n", b"x")),
    Row("Content-Length `+1`", "400", _post(b"Content-Length: +1\r\n", b"x")),
    Row("Content-Length `0x1`", "400", _post(b"Content-Length: 0x1\r\n", b"x")),
    Row("Content-Length of 20 digits", "400", _post(b"Content-Length: 99999999999999999999\r\n", b"x")),
    Row("Transfer-Encoding: gzip (final coding not chunked)", "400", _post(b"Transfer-Encoding: gzip\r\n", b"x")),
    Row("Transfer-Encoding: chunked, chunked", "400", _post(b"Transfer-Encoding: chunked, chunked\r\n", b"0\r\n\r\n")),
    Row("Transfer-Encoding in HTTP/1.0", "400", _post(CHUNKED, b"0\r\n\r\n", b"HTTP/1.0")),
    Row("unknown coding `xchunked`", "501", _post(b"Transfer-Encoding: xchunked\r\n", b"0\r\n\r\n")),
    Row("obs-fold", "400", _get(b"X-A: 1\r\n  2\r\n")),
    Row("whitespace before the colon", "400", _get(b"X-A : 1\r\n")),
    Row("empty field name", "400", _get(b": 1\r\n")),
    Row("non-token byte in a name `X(A)`", "400", _get(b"X(A): 1\r\n")),
    Row("field line without a colon", "400", _get(b"X-NoColon\r\n")),
    Row("NUL in a value", "400", _get(b"X-A: a\x00b\r\n")),
    Row("bare CR in a value", "400", _get(b"X-A: a\rb\r\n")),
    Row("bare LF line endings", "400", b"GET /r/1 HTTP/1.1\nHost: a\n\n"),
    Row("missing Host (HTTP/1.1)", "400", _get(host=b"")),
    Row("HTTP/1.0 without Host", "forward", _get(line=b"GET /r/1 HTTP/1.0", host=b"")),
    Row("duplicate Host", "400", _get(HOST)),
    Row("invalid Host `a/b`", "400", _get(host=b"Host: a/b\r\n")),
    Row("request line with two spaces", "400", _get(line=b"GET  /r/1 HTTP/1.1")),
    Row("target `r/1` (no valid form)", "400", _get(line=b"GET r/1 HTTP/1.1")),
    Row("invalid method byte `G(T`", "400", _get(line=b"G(T /r/1 HTTP/1.1")),
    Row("malformed version `HTTP/1.10`", "400", _get(line=b"GET /r/1 HTTP/1.10")),
    Row("`HTTP/2.0` request line", "505", _get(line=b"GET /r/1 HTTP/2.0")),
    Row("CONNECT", "501", _get(line=b"CONNECT a:443 HTTP/1.1", host=b"Host: a:443\r\n")),
    Row("chunk size `zz`", "400", _post(CHUNKED, b"zz\r\nx\r\n0\r\n\r\n"), in_body=True),
    Row("chunk size with a sign `+1`", "400", _post(CHUNKED, b"+1\r\nx\r\n0\r\n\r\n"), in_body=True),
    Row("chunk size then a space `1 `", "400", _post(CHUNKED, b"1 \r\nx\r\n0\r\n\r\n"), in_body=True),
    Row("chunk size of 16 hex digits", "400", _post(CHUNKED, b"0000000000000001\r\nx\r\n0\r\n\r\n"), in_body=True),
    Row("no CRLF after chunk data", "400", _post(CHUNKED, b"1\r\nxy0\r\n\r\n"), in_body=True),
    Row("invalid chunk extension `1;=`", "400", _post(CHUNKED, b"1;=\r\nx\r\n0\r\n\r\n"), in_body=True),
    Row("invalid trailer field `X : 1`", "400", _post(CHUNKED, b"1\r\nx\r\n0\r\nX : 1\r\n\r\n"), in_body=True),
    Row("head over 16 KiB", "431", _get(b"X-Big: " + b"a" * 17000 + b"\r\n")),
    Row("more than 128 fields", "431", _get(b"".join(b"X-%d: 1\r\n" % i for i in range(130)))),
    Row("target over 8 KiB", "414", _get(line=b"GET /r/" + b"a" * 8300 + b" HTTP/1.1")),
]


class RecordingOrigin:
    """An origin that counts the request heads it receives and answers each with a short 200."""

    def __init__(self, port: int = 0) -> None:
        self.heads = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", port), backlog=64)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(2)
        data = b""
        with conn:
            try:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                with self._lock:
                    self.heads += 1
                # Answer only once the proxy has sent all it will: an answer while it still streams a faulty
                # body would race its check of that body (a 502 or the origin's 200 instead of its 400,
                # depending on the machine's load). The body's framing may be the fault, so quiet decides.
                conn.settimeout(QUIET_S)
                try:
                    while conn.recv(65536):
                        pass
                except TimeoutError:
                    pass
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            except OSError:
                pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def probe(port: int, origin: RecordingOrigin, request: bytes) -> tuple[str, bool]:
    """Sends `request` on a new connection; returns the answer's status code ("none" without one) and whether
    a head reached the origin meanwhile."""
    before = origin.heads
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WAIT_S) as conn:
        try:
            conn.sendall(request)
            deadline = time.monotonic() + ANSWER_WAIT_S
            while b"\r\n" not in data and time.monotonic() < deadline:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except OSError:  # a reset or a timeout: whatever came before it is the answer
            pass
    time.sleep(0.05)  # a forwarded head reaches the origin's thread
    parts = data.split(b"\r\n", 1)[0].split(b" ")
    status = parts[1].decode() if len(parts) > 1 and parts[0].startswith(b"HTTP/") else "none"
    return status, origin.heads > before


def cell(status: str, forwarded: bool) -> str:
    return f"fwd {status}" if forwarded else status


def agrees(row: Row, status: str, forwarded: bool) -> bool:
    if row.spec == "forward":
        return forwarded
    return status == row.spec and (row.in_body or not forwarded)


def answers(port: int, origin: RecordingOrigin) -> list[dict]:
    """Every row sent to the proxy on `port` (whose upstream is `origin`), in ROWS' order: what it answered,
    whether the head reached the origin, and whether that agrees with the SPEC."""
    results = []
    for row in ROWS:
        status, forwarded = probe(port, origin, row.request)
        results.append({"status": status, "forwarded": forwarded, "agrees": agrees(row, status, forwarded)})
    return results


def conformance(port: int, origin: RecordingOrigin) -> list[dict]:
    """answers() with each row's name, the SPEC's answer and whether the fault is in the body: the
    self-describing list the harness records as a result's `conformance`."""
    return [{"check": row.name, "expected": row.spec, "in_body": row.in_body, **answer}
            for row, answer in zip(ROWS, answers(port, origin), strict=True)]


def start(harness: Path, impl: str, port: int, upstream: int, scratch: Path) -> subprocess.Popen | None:
    """The implementation serving on `port`, or None (after stopping it) when it does not listen in time."""
    log = open(scratch / f"{impl}.log", "w")  # noqa: SIM115 (the child writes it until it is stopped)
    proc = subprocess.Popen([str(harness), "exec", "http_proxy", "--impl", impl, "--", "serve", "--listen",
                             f"127.0.0.1:{port}", "--upstream", f"127.0.0.1:{upstream}"], cwd=scratch,
                            stdout=log, stderr=log, start_new_session=True)
    deadline = time.monotonic() + START_LIMIT_S
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    return None


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


def implementations() -> list[str]:
    impls = ROOT / "workloads" / "http_proxy" / "impls"
    return sorted(p.name for p in impls.iterdir() if (p / "impl.toml").exists())


def table(harness: Path, impls: list[str]) -> dict:
    origin = RecordingOrigin()
    columns: dict[str, list[dict]] = {}
    skipped: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="strictness-") as scratch:
        for impl in impls:
            port = free_port()
            proc = start(harness, impl, port, origin.port, Path(scratch))
            if proc is None:
                log = (Path(scratch) / f"{impl}.log").read_text(errors="replace").strip().splitlines()
                skipped[impl] = log[-1] if log else f"did not listen within {START_LIMIT_S:.0f} s"
                print(f"strictness: {impl}: not started: {skipped[impl]}", file=sys.stderr)
                continue
            try:
                columns[impl] = answers(port, origin)
            finally:
                stop(proc)
    return {"rows": [{"name": r.name, "spec": r.spec} for r in ROWS], "implementations": columns,
            "not_started": skipped}


def markdown(result: dict) -> str:
    impls = list(result["implementations"])
    lines = ["| request | SPEC | " + " | ".join(impls) + " |", "| --- | --- |" + " --- |" * len(impls)]
    for i, row in enumerate(result["rows"]):
        cells = []
        for impl in impls:
            answer = result["implementations"][impl][i]
            text = cell(answer["status"], answer["forwarded"])
            cells.append(text if answer["agrees"] else f"**{text}**")
        lines.append(f"| {row['name']} | {row['spec']} | " + " | ".join(cells) + " |")
    totals = [sum(a["agrees"] for a in result["implementations"][impl]) for impl in impls]
    lines.append(f"| agrees with the SPEC | of {len(result['rows'])} | " + " | ".join(map(str, totals)) + " |")
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text)
    os.replace(temporary, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--impl", action="append", default=[], help="implementation (repeatable; default all)")
    parser.add_argument("--harness", type=Path, default=HARNESS, help="claimbench-harness binary")
    parser.add_argument("--json", type=Path, help="write the table as JSON here")
    parser.add_argument("--markdown", type=Path, help="write the table as Markdown here (default: stdout)")
    parser.add_argument("--probe", type=int, metavar="PORT",
                        help="probe the proxy already listening on 127.0.0.1:PORT (needs --origin-port and --json)")
    parser.add_argument("--origin-port", type=int, metavar="PORT",
                        help="with --probe: serve the recording origin on 127.0.0.1:PORT, the proxy's upstream")
    args = parser.parse_args(argv)
    if args.probe is not None:
        if args.origin_port is None or args.json is None or args.impl:
            parser.error("--probe PORT needs --origin-port PORT and --json FILE, and no --impl")
        try:
            origin = RecordingOrigin(args.origin_port)
        except OSError as error:
            print(f"strictness: error: cannot listen on 127.0.0.1:{args.origin_port}: {error}", file=sys.stderr)
            return 2
        try:
            checks = conformance(args.probe, origin)
        except OSError as error:  # the proxy stopped accepting connections: no table for it
            print(f"strictness: error: 127.0.0.1:{args.probe}: {error}", file=sys.stderr)
            return 1
        write_atomically(args.json, json.dumps(checks, indent=1) + "\n")
        return 0
    if not args.harness.exists():
        parser.error(f"{args.harness} does not exist; build it with ./claimbench build")
    known = implementations()
    unknown = [impl for impl in args.impl if impl not in known]
    if unknown:
        parser.error(f"no http_proxy implementation named {', '.join(unknown)}; known: {', '.join(known)}")
    result = table(args.harness, args.impl or known)
    if not result["implementations"]:
        print("strictness: error: no implementation could be started (above)", file=sys.stderr)
        return 2
    text = markdown(result)
    if args.json:
        write_atomically(args.json, json.dumps(result, indent=1) + "\n")
    if args.markdown:
        write_atomically(args.markdown, text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
