"""A read buffer over an asyncio StreamReader that the parser can look into (heads, chunk lines).

One per connection side; used by one task at a time (not thread-safe, like the stream it wraps).
"""

import asyncio

READ_SIZE = 64 * 1024


class PeerClosed(Exception):
    """The peer closed (or reset) the connection before the bytes we waited for arrived."""


class BufferedReader:
    """`buffer` holds bytes received and not yet consumed; `fill` adds the next bytes the socket has."""

    __slots__ = ("reader", "buffer")

    def __init__(self, reader: asyncio.StreamReader):
        self.reader = reader
        self.buffer = bytearray()

    async def fill(self, timeout_s: float) -> None:
        """Appends at least one byte; TimeoutError after `timeout_s` with none, PeerClosed at EOF."""
        try:
            async with asyncio.timeout(timeout_s):
                data = await self.reader.read(READ_SIZE)
        except TimeoutError:
            raise  # an OSError too: keep it apart from a closed peer
        except OSError as error:
            raise PeerClosed(str(error)) from None
        if not data:
            raise PeerClosed("end of stream")
        self.buffer += data

    def take(self, count: int) -> bytes:
        """Removes and returns the first `count` bytes (fewer if fewer are buffered)."""
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    async def line(self, timeout_s: float, limit: int) -> bytes | None:
        """The next line without its LF (a CR before it stays); None when over `limit` bytes."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                return self.take(end + 1)[:-1]
            if len(self.buffer) > limit:
                return None
            await self.fill(timeout_s)

    async def exactly(self, count: int, timeout_s: float) -> bytes:
        """`count` bytes, waiting at most `timeout_s` between arrivals."""
        while len(self.buffer) < count:
            await self.fill(timeout_s)
        return self.take(count)
