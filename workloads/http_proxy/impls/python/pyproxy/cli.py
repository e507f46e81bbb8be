"""`http_proxy serve ...` (SPEC.md, "Command line"): parsing, listening sockets, worker processes, marks.

`--threads N`: CPython runs Python code on one thread at a time, so N threads would not serve more; the
idiomatic answer is N worker processes, each with its own uvloop event loop, upstream pool and
SO_REUSEPORT listening socket on the same port (the kernel spreads connections across them). N = 1 runs
in this process with no fork. Every mistake on the command line: one line on stderr, exit 2.
"""

import argparse
import os
import signal
import socket
import sys
import time

from .server import serve_forever
from .session import Timeouts

USAGE = (
    "usage: http_proxy serve --listen HOST:PORT --upstream HOST:PORT [--upstream HOST:PORT]... [--threads N] "
    "[--header-timeout-ms MS] [--idle-timeout-ms MS] [--body-timeout-ms MS] [--upstream-connect-timeout-ms MS] "
    "[--upstream-read-timeout-ms MS]"
)


class UsageError(Exception):
    """A bad command line or set-up: the message is the one error line (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage text
        raise UsageError(f"http_proxy: {message}; {USAGE}")


def _count(low: int, high: int):
    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"wants a whole number from {low} to {high}, got '{text}'")
        return int(text)

    return parse


def _address(text: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"wants HOST:PORT (port 0..65535), got '{text}'")
    return host.strip("[]"), int(port)


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The `serve` command line; raises UsageError with one line."""
    if not argv or argv[0] != "serve":
        raise UsageError(f"http_proxy: expected the command 'serve'; {USAGE}")
    parser = _Parser(prog="http_proxy serve", allow_abbrev=False, add_help=False)
    parser.add_argument("--listen", type=_address, required=True)
    parser.add_argument("--upstream", type=_address, action="append", required=True)
    parser.add_argument("--threads", type=_count(1, 1024), default=1)
    ms = _count(1, 86_400_000)
    parser.add_argument("--header-timeout-ms", type=ms, default=10_000)
    parser.add_argument("--idle-timeout-ms", type=ms, default=60_000)
    parser.add_argument("--body-timeout-ms", type=ms, default=10_000)
    parser.add_argument("--upstream-connect-timeout-ms", type=ms, default=3_000)
    parser.add_argument("--upstream-read-timeout-ms", type=ms, default=30_000)
    return parser.parse_args(argv[1:])


def _mark(name: str) -> None:
    """Writes a mark to the harness's pipe when it gave one (docs/implementation_protocol.md)."""
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


def _listen(address: tuple[str, int], count: int) -> list[socket.socket]:
    """`count` listening sockets on one port (SO_REUSEPORT); port 0 picks one for all of them."""
    sockets: list[socket.socket] = []
    host, port = address
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(count):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        port = sock.getsockname()[1]
        sock.listen(1024)
        sock.setblocking(False)
        sockets.append(sock)
    return sockets


def _supervise(sockets: list[socket.socket], args: argparse.Namespace, timeouts: Timeouts) -> int:
    """Forks one worker per socket; on SIGTERM/SIGINT stops them all and returns 0."""
    stop_signals = {signal.SIGTERM, signal.SIGINT, signal.SIGCHLD}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    workers = []
    for sock in sockets:
        pid = os.fork()
        if pid == 0:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, stop_signals)
            for other in sockets:
                if other is not sock:
                    other.close()
            serve_forever(sock, args.upstream, timeouts)
            os._exit(0)
        workers.append(pid)
    for sock in sockets:
        sock.close()
    _mark("ready")
    received = signal.sigwait(stop_signals)
    for pid in workers:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for pid in workers:
        os.waitpid(pid, 0)
    if received == signal.SIGCHLD:
        print("http_proxy: a worker process ended unexpectedly; stopping", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str]) -> int:
    try:
        args = parse_args(argv)
        sockets = _listen(args.listen, args.threads)
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except OSError as error:
        host, port = args.listen
        print(f"http_proxy: cannot listen on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 2
    timeouts = Timeouts(
        args.header_timeout_ms / 1000,
        args.idle_timeout_ms / 1000,
        args.body_timeout_ms / 1000,
        args.upstream_connect_timeout_ms / 1000,
        args.upstream_read_timeout_ms / 1000,
    )
    if args.threads == 1:
        serve_forever(sockets[0], args.upstream, timeouts, on_ready=lambda: _mark("ready"))
        return 0
    return _supervise(sockets, args, timeouts)
