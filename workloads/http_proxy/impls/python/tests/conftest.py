"""Shared fixtures: the port's folder on sys.path, a tiny origin and a started proxy process."""

import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PORT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PORT_DIR))


class _Origin(BaseHTTPRequestHandler):
    """GET /<anything>?size=N[&chunked=1]: N bytes of 'a'..'z'; echoes X-Forwarded-For and Connection back."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def handle(self):
        try:
            super().handle()
        except ConnectionError:  # the proxy dropped this upstream connection (a refused request body)
            pass

    def do_GET(self):
        query = dict(p.split("=") for p in self.path.partition("?")[2].split("&") if "=" in p)
        body = bytes(97 + i % 26 for i in range(int(query.get("size", "2"))))
        self.send_response(200)
        self.send_header("X-Seen-Forwarded-For", self.headers.get("X-Forwarded-For", ""))
        self.send_header("X-Seen-Connection", self.headers.get("Connection", ""))
        if query.get("chunked"):
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for start in range(0, len(body), 1000):
                piece = body[start : start + 1000]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="session")
def origin():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Origin)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_proxy(upstream_port: int, *extra: str) -> tuple[subprocess.Popen, int]:
    """The proxy as the harness starts it, waiting for its `ready` mark (at most 10 s)."""
    port = free_port()
    read_end, write_end = os.pipe()
    env = dict(os.environ, CLAIMBENCH_MARK_FD=str(write_end))
    command = [sys.executable, str(PORT_DIR / "http_proxy.py"), "serve", "--listen", f"127.0.0.1:{port}"]
    command += ["--upstream", f"127.0.0.1:{upstream_port}", *extra]
    process = subprocess.Popen(command, env=env, pass_fds=(write_end,), stderr=subprocess.PIPE)
    os.close(write_end)
    deadline = time.monotonic() + 10
    with os.fdopen(read_end, "rb") as marks:
        line = marks.readline()
    assert line.startswith(b"ready "), line
    assert time.monotonic() < deadline
    return process, port


@pytest.fixture
def proxy(origin):
    process, port = start_proxy(origin)
    yield port
    process.terminate()
    process.wait(5)


def exchange(port: int, request: bytes, timeout_s: float = 3.0) -> tuple[bytes, bool]:
    """Sends `request` and reads until the proxy closes or `timeout_s` passes: (bytes, closed)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request)
        sock.settimeout(timeout_s)
        received = b""
        try:
            while data := sock.recv(65536):
                received += data
        except TimeoutError:
            return received, False
        return received, True
