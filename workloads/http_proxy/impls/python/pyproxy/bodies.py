"""Streaming bodies through the proxy (SPEC.md, "Streaming"): Content-Length, chunked (verified as it
passes, forwarded as received or de-chunked for an HTTP/1.0 client) and read-until-close.

Each function moves bytes from a BufferedReader to a StreamWriter as they arrive, never buffering a whole
body; framing errors raise HttpError with `error_status` (400 for requests, 502 for responses).
"""

import asyncio

from .framing import MAX_CHUNK_LINE_BYTES, HttpError, check_trailer, parse_chunk_size
from .streams import BufferedReader, PeerClosed


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


async def relay_length(source: BufferedReader, sink: asyncio.StreamWriter, length: int, timeout_s: float) -> None:
    """Forwards exactly `length` body bytes; `timeout_s` is the longest gap between arrivals."""
    while length > 0:
        if not source.buffer:
            await source.fill(timeout_s)
        piece = source.take(length)
        length -= len(piece)
        await _send(sink, piece)


async def relay_chunked(
    source: BufferedReader, sink: asyncio.StreamWriter, timeout_s: float, error_status: int, dechunk: bool
) -> None:
    """Forwards a chunked body, checking every size line, CRLF and trailer; `dechunk` sends the data only."""
    while True:
        line = await source.line(timeout_s, MAX_CHUNK_LINE_BYTES)
        if line is None or not line.endswith(b"\r"):
            raise HttpError(error_status, "RFC 9112 section 7.1", "chunk-size line without CRLF")
        size = parse_chunk_size(line[:-1], error_status)
        if not dechunk:
            sink.write(line + b"\n")
        if size == 0:
            break
        remaining = size
        while remaining > 0:
            if not source.buffer:
                await source.fill(timeout_s)
            piece = source.take(remaining)
            remaining -= len(piece)
            await _send(sink, piece)
        if await source.exactly(2, timeout_s) != b"\r\n":
            raise HttpError(error_status, "RFC 9112 section 7.1", "missing CRLF after chunk data")
        if not dechunk:
            sink.write(b"\r\n")
    while True:  # the trailer section, ended by an empty line
        line = await source.line(timeout_s, MAX_CHUNK_LINE_BYTES)
        if line is None or not line.endswith(b"\r"):
            raise HttpError(error_status, "RFC 9112 section 7.1.2", "trailer line without CRLF")
        if line == b"\r":
            break
        check_trailer(line[:-1], error_status)
        if not dechunk:
            sink.write(line + b"\n")
    if not dechunk:
        await _send(sink, b"\r\n")


async def relay_until_close(source: BufferedReader, sink: asyncio.StreamWriter, timeout_s: float) -> None:
    """Forwards everything until the source closes (a response framed by the upstream's close)."""
    while True:
        if source.buffer:
            await _send(sink, source.take(len(source.buffer)))
        try:
            await source.fill(timeout_s)
        except PeerClosed:
            return
