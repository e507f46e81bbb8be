"""`sync_engine serve` (SPEC.md, "Service mode"): its command line, start-up and exit report."""

import argparse
import json
import os
import sys
import time

from .backing_table import BackingTable
from .server import serve
from .store import ReadStatesStore

MAX_ENTRIES = 1 << 32
USAGE = (
    "usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] [--write-back-ms MS] "
    "[--threads N] [--backing FILE]"
)


class ServeError(Exception):
    """A bad command line or set-up: the message is the one error line (exit 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, not argparse's usage text
        raise ServeError(f"{message}; {USAGE}")


def _count(low: int, high: int):
    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"wants a count from {low} to {high}, got '{text}'")
        return int(text)

    return parse


def _address(text: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"wants HOST:PORT (port 0..65535), got '{text}'")
    return host.strip("[]"), int(port)


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = _Parser(prog="sync_engine serve", allow_abbrev=False)
    parser.add_argument("--listen", type=_address, required=True)
    parser.add_argument("--entries", type=_count(1, MAX_ENTRIES), required=True)
    parser.add_argument("--keys", type=_count(1, 1 << 40))
    parser.add_argument("--write-back-ms", type=_count(1, 3_600_000), default=100)
    # One event loop serves every connection whatever N is: CPython runs Python code on one thread at a time.
    parser.add_argument("--threads", type=_count(1, 1024), default=1)
    parser.add_argument("--backing")
    return parser.parse_args(argv)


def _mark(name: str) -> None:
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


def _event_loop_runner():
    try:
        import uvloop
    except ImportError:  # uvloop is optional: the standard loop serves the same protocol, slower
        import asyncio

        return asyncio.run
    return uvloop.run


def _run(argv: list[str]) -> None:
    args = _parse(argv)
    keys = args.keys or args.entries + args.entries // 4
    host, port = args.listen
    try:
        store = ReadStatesStore(args.entries, keys, BackingTable(keys, args.backing))
    except OSError as error:
        raise ServeError(f"cannot create the backing table {args.backing or '(memfd)'}: {error.strerror}") from error
    except MemoryError as error:
        raise ServeError(f"out of memory for {args.entries} entries; lower --entries") from error
    store.preload()
    try:
        _event_loop_runner()(serve(store, host, port, args.write_back_ms / 1000, lambda: _mark("ready")))
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from error
    c = store.counters
    print(
        json.dumps(
            {
                "entries": len(store),
                "keys": keys,
                "requests": c.requests,
                "hits": c.hits,
                "misses": c.misses,
                "evictions": c.evictions,
                "loaded_from_table": c.loaded_from_table,
                "written_back": c.written_back,
            }
        ),
        flush=True,
    )


def serve_main(argv: list[str]) -> int:
    """Runs `serve` with the arguments after the command's name until SIGTERM or SIGINT; the exit status."""
    try:
        _run(argv)
    except ServeError as error:
        print(f"sync_engine: error: {error}", file=sys.stderr)
        return 2
    return 0
