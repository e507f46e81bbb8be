"""One worker's event loop: uvloop, an asyncio server on an already listening socket, one upstream pool.

Why asyncio streams and not Protocols: the proxy's logic is a sequence (head, body, response, repeat)
with timeouts on each wait, which streams and `asyncio.timeout` say directly; a Protocol would turn it
into a hand-written state machine for a gain the profile does not show to be the bottleneck (README.md).
"""

import asyncio
import signal
import socket
from collections.abc import Callable

import uvloop

from .pool import UpstreamPool
from .session import Session, Timeouts


async def _serve(sock: socket.socket, upstreams, timeouts: Timeouts, on_ready: Callable[[], None] | None) -> None:
    pool = UpstreamPool(list(upstreams), timeouts.upstream_connect_s)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client_socket = writer.get_extra_info("socket")
        if client_socket is not None:
            client_socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        await Session(reader, writer, pool, timeouts).run()

    server = await asyncio.start_server(handle, sock=sock, limit=64 * 1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    if on_ready is not None:
        on_ready()
    await stop.wait()
    server.close()
    pool.close_all()


def serve_forever(
    sock: socket.socket, upstreams, timeouts: Timeouts, on_ready: Callable[[], None] | None = None
) -> None:
    """Serves connections on `sock` until SIGTERM or SIGINT, then returns (open connections are dropped)."""
    uvloop.run(_serve(sock, upstreams, timeouts, on_ready))
