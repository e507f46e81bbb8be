"""sync_engine in Python (../../SPEC.md). This port implements the service mode (`serve`, the Read States
service) for claim M1; the batch commands are not written yet and say so (exit 2)."""

import argparse
import json
import os
import sys
import time

from read_states.backing_table import BackingTable
from read_states.server import serve
from read_states.store import ReadStatesStore

MAX_ENTRIES = 1 << 32


def fail(message: str) -> None:
    print(f"sync_engine: error: {message}", file=sys.stderr)
    sys.exit(2)


def mark(name: str) -> None:
    """Writes a mark to the harness's pipe, when it gave one (docs/implementation_protocol.md)."""
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns()}\n".encode())


class ArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line and exit 2, as the SPEC asks, not argparse's usage text
        fail(f"{message}; usage: sync_engine serve --listen HOST:PORT --entries N [--keys K] "
             "[--write-back-ms MS] [--threads N] [--backing FILE]")


def count(low: int, high: int):
    def parse(text: str) -> int:
        if not text.isdigit() or not low <= int(text) <= high:
            raise argparse.ArgumentTypeError(f"wants a count from {low} to {high}, got '{text}'")
        return int(text)
    return parse


def address(text: str) -> tuple[str, int]:
    host, colon, port = text.rpartition(":")
    if not colon or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError(f"wants HOST:PORT (port 0..65535), got '{text}'")
    return host.strip("[]"), int(port)


def parse_args(argv: list[str]) -> argparse.Namespace:
    if argv and argv[0] in ("sync", "restore", "verify", "chunk"):
        fail(f"'{argv[0]}' is not implemented by the Python port yet (only serve is); "
             "use another implementation for the batch cases")
    parser = ArgumentParser(prog="sync_engine")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=ArgumentParser)
    serve_args = commands.add_parser("serve")
    serve_args.add_argument("--listen", type=address, required=True)
    serve_args.add_argument("--entries", type=count(1, MAX_ENTRIES), required=True)
    serve_args.add_argument("--keys", type=count(1, 1 << 40))
    serve_args.add_argument("--write-back-ms", type=count(1, 3_600_000), default=100)
    # One event loop serves every connection whatever N is: CPython runs Python code on one thread at a time.
    serve_args.add_argument("--threads", type=count(1, 1024), default=1)
    serve_args.add_argument("--backing")
    return parser.parse_args(argv)


def event_loop_runner():
    try:
        import uvloop
    except ImportError:  # uvloop is optional: the standard loop serves the same protocol, slower
        import asyncio
        return asyncio.run
    return uvloop.run


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    keys = args.keys or args.entries + args.entries // 4
    host, port = args.listen
    try:
        store = ReadStatesStore(args.entries, keys, BackingTable(keys, args.backing))
    except OSError as error:
        fail(f"cannot create the backing table {args.backing or '(memfd)'}: {error.strerror}")
    except MemoryError:
        fail(f"out of memory for {args.entries} entries; lower --entries")
    store.preload()
    try:
        event_loop_runner()(serve(store, host, port, args.write_back_ms / 1000, lambda: mark("ready")))
    except OSError as error:
        fail(f"cannot listen on {host}:{port}: {error.strerror or error}")
    c = store.counters
    print(json.dumps({"entries": len(store), "keys": keys, "requests": c.requests, "hits": c.hits,
                      "misses": c.misses, "evictions": c.evictions, "loaded_from_table": c.loaded_from_table,
                      "written_back": c.written_back}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
