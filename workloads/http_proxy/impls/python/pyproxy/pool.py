"""Keep-alive upstream connections, one pool per worker process (each process has one event loop, so the
pool needs no lock, as the reference keeps one per thread). Not thread-safe: use it from its loop only.
"""

import asyncio
import socket
from dataclasses import dataclass, field

from .streams import BufferedReader


class UpstreamRefused(Exception):
    """The upstream refused the connection (answered 502)."""


class UpstreamTimeout(Exception):
    """The upstream did not accept in time, or did not answer in time (answered 504)."""


@dataclass(slots=True)
class Upstream:
    """One upstream connection: its buffered reader and writer; `reused` once it served a request."""

    reader: BufferedReader
    writer: asyncio.StreamWriter
    reused: bool = False

    def close(self) -> None:
        self.writer.transport.abort()


@dataclass
class UpstreamPool:
    """Idle connections per upstream address; `next_upstream` rotates round-robin over the addresses."""

    addresses: list[tuple[str, int]]
    connect_timeout_s: float
    idle: dict[tuple[str, int], list[Upstream]] = field(default_factory=dict)
    turn: int = 0

    def next_upstream(self) -> tuple[str, int]:
        address = self.addresses[self.turn % len(self.addresses)]
        self.turn += 1
        return address

    async def acquire(self, address: tuple[str, int], fresh: bool = False) -> Upstream:
        """An idle connection that is still open, or a new one; raises UpstreamRefused or UpstreamTimeout."""
        idle = self.idle.get(address)
        while idle and not fresh:
            upstream = idle.pop()
            if not upstream.reader.reader.at_eof() and not upstream.writer.is_closing():
                upstream.reused = True
                return upstream
            upstream.close()
        try:
            async with asyncio.timeout(self.connect_timeout_s):
                reader, writer = await asyncio.open_connection(address[0], address[1])
        except TimeoutError:
            raise UpstreamTimeout(f"connecting to {address[0]}:{address[1]}") from None
        except OSError as error:
            raise UpstreamRefused(f"{address[0]}:{address[1]}: {error.strerror or error}") from None
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return Upstream(BufferedReader(reader), writer)

    def release(self, address: tuple[str, int], upstream: Upstream) -> None:
        """Returns a connection whose last response was read whole and which the upstream keeps open."""
        if upstream.reader.buffer:  # bytes past the response: the connection's framing is unknown
            upstream.close()
            return
        self.idle.setdefault(address, []).append(upstream)

    def close_all(self) -> None:
        for connections in self.idle.values():
            for upstream in connections:
                upstream.close()
        self.idle.clear()
