"""The null workload in Python (SPEC.md): a trivial batch job and a line-echo service.

Plain, idiomatic Python with asyncio for the service: this is the "typical Python" side of the start-up
and footprint claims, so it is deliberately not tuned.
"""

import argparse
import asyncio
import os
import signal
import sys
import time

MASK = (1 << 64) - 1
MAX_LINE_BYTES = 64 * 1024


def mark(name: str, backdate_ns: int = 0) -> None:
    """Writes a mark line to the harness's pipe, if it gave one (docs/implementation_protocol.md).

    backdate_ns > 0 is the `backdate-done` lie (SPEC.md): a stamp that much earlier than the moment of writing.
    """
    fd = os.environ.get("CLAIMBENCH_MARK_FD")
    if fd is not None:
        os.write(int(fd), f"{name} {time.monotonic_ns() - backdate_ns}\n".encode())


def checksum(work_units: int) -> int:
    state = acc = 0
    for _ in range(work_units):
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        acc = (((acc << 1) | (acc >> 63)) & MASK) ^ z
    return acc


TIMING_LIES = ("backdate-done", "done-first", "work-after-done")


def run_batch(args: argparse.Namespace) -> int:
    # The three timing lies (SPEC.md) write their marks out of place; every other run writes them honestly.
    if args.fault == "done-first":
        mark("done")
    mark("ready")
    ready_time = time.monotonic()
    if args.fault == "work-after-done":
        mark("done")
    if args.fault == "crash":
        os.kill(os.getpid(), signal.SIGSEGV)
    if args.fault == "hang":
        while True:
            time.sleep(3600)
    if args.fault == "oom":
        hoard = []
        while True:
            hoard.append(bytearray(64 << 20))
    result = checksum(args.work_units)
    if args.delay_ms:
        time.sleep(args.delay_ms / 1000)
    if args.fault == "wrong-answer":
        result ^= 1
    if args.fault == "backdate-done":
        time.sleep(max(0.0, ready_time + 0.150 - time.monotonic()))
        mark("done", backdate_ns=100_000_000)
    elif args.fault not in TIMING_LIES:
        mark("done")
    print(f"checksum {result:016x}", flush=True)
    return 3 if args.fault == "exit-code" else 0


async def serve(host: str, port: int, delay_s: float) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while line := await reader.readuntil(b"\n"):
                if delay_s:
                    await asyncio.sleep(delay_s)
                writer.write(line)
                await writer.drain()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, host, port, limit=MAX_LINE_BYTES)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    mark("ready")
    async with server:
        await stop.wait()


def parse_listen(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got '{value}'")
    return host, int(port)


def non_negative(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got '{value}'")
    return int(value)


def main() -> int:
    parser = argparse.ArgumentParser(prog="null", description="The claimbench null workload (Python).")
    commands = parser.add_subparsers(dest="command", required=True)
    batch = commands.add_parser("batch", help="compute the checksum of N work units")
    batch.add_argument("--work-units", type=non_negative, required=True)
    batch.add_argument("--delay-ms", type=non_negative, default=0)
    batch.add_argument("--fault", choices=["crash", "hang", "wrong-answer", "exit-code", "oom", *TIMING_LIES])
    service = commands.add_parser("serve", help="line-echo service")
    service.add_argument("--listen", type=parse_listen, required=True)
    service.add_argument("--delay-ms", type=non_negative, default=0)
    args = parser.parse_args()  # exits 2 with a usage line on bad input
    if args.command == "batch":
        return run_batch(args)
    host, port = args.listen
    try:
        asyncio.run(serve(host, port, args.delay_ms / 1000))
    except OSError as error:
        print(f"null: cannot listen on {host}:{port}: {error.strerror}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
