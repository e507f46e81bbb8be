"""One client connection from accept to close (SPEC.md, "Behaviour"): read a head, check it, forward it
and its body to an upstream from the pool, stream the response back, repeat while both sides keep alive.

Requests on a connection are served one after another, so pipelined requests are answered in order.
Runs on its worker's event loop only (not thread-safe).
"""

import asyncio
from dataclasses import dataclass

from . import bodies
from .framing import (
    HOP_BY_HOP,
    MAX_HEAD_BYTES,
    Head,
    HttpError,
    check_partial_request,
    error_response,
    find_head_end,
    parse_request,
    parse_response,
)
from .pool import Upstream, UpstreamPool, UpstreamRefused, UpstreamTimeout
from .streams import BufferedReader, PeerClosed

LINGER_S = 1.0  # after an error answer: how long to wait for the client to read it and close


@dataclass(frozen=True, slots=True)
class Timeouts:
    """The SPEC's timeouts, in seconds."""

    header_s: float
    idle_s: float
    body_s: float
    upstream_connect_s: float
    upstream_read_s: float


class _Abort(Exception):
    """The exchange broke after the response head went out: close the client connection without an answer."""


class _UpstreamGone(Exception):
    """A pooled upstream connection closed before answering: retried once on a fresh one when safe."""


class Session:
    """Serves one accepted client connection; `run` returns when the connection is closed."""

    def __init__(self, reader, writer, pool: UpstreamPool, timeouts: Timeouts):
        self.client = BufferedReader(reader)
        self.writer = writer
        self.pool = pool
        self.timeouts = timeouts
        peer = writer.get_extra_info("peername")
        self.peer_address = (peer[0] if peer else "unknown").encode()

    async def run(self) -> None:
        try:
            while True:
                head = await self._read_head()
                if head is None:
                    return
                if not await self._forward(parse_request(head)):
                    return
        except HttpError as error:
            await self._answer_and_close(error_response(error.status, str(error)))
        except (PeerClosed, _Abort, ConnectionError, TimeoutError):
            pass
        finally:
            self.writer.transport.abort()

    async def _read_head(self) -> bytes | None:
        """The next request head, or None when the client closed or idled out between requests."""
        client, loop = self.client, asyncio.get_running_loop()
        while client.buffer[:2] == b"\r\n":  # RFC 9112 section 2.2: ignore empty lines before a request
            del client.buffer[:2]
        started = loop.time() if client.buffer else None
        while True:
            end = find_head_end(client.buffer)
            if end >= 0:
                if end > MAX_HEAD_BYTES:
                    raise HttpError(431, "RFC 6585 section 5", "head over 16 KiB")
                return client.take(end)
            check_partial_request(client.buffer)
            if started is None:
                try:
                    await client.fill(self.timeouts.idle_s)
                except (TimeoutError, PeerClosed):
                    return None
                started = loop.time()
                continue
            try:
                await client.fill(started + self.timeouts.header_s - loop.time())
            except TimeoutError:
                raise HttpError(408, "RFC 9110 section 15.5.9", "request head not complete in time") from None

    async def _forward(self, request: Head) -> bool:
        """Forwards one request and its response; True when the client connection stays open."""
        address = self.pool.next_upstream()
        head_out = self._request_head(request, address)
        has_body = request.chunked or bool(request.content_length)
        for attempt in (0, 1):
            try:
                upstream = await self.pool.acquire(address, fresh=attempt > 0)
            except UpstreamRefused as error:
                raise HttpError(502, "RFC 9110 section 15.6.3", f"upstream refused: {error}") from None
            except UpstreamTimeout as error:
                raise HttpError(504, "RFC 9110 section 15.6.5", f"upstream timed out: {error}") from None
            try:
                upstream.writer.write(head_out)
                if has_body:
                    await self._send_request_body(request, upstream)
                response = await self._read_response_head(upstream)
                break
            except _UpstreamGone:
                upstream.close()
                if attempt == 1 or has_body or not upstream.reused:
                    raise HttpError(502, "RFC 9110 section 15.6.3", "upstream closed without answering") from None
            except BaseException:
                upstream.close()
                raise
        return await self._send_response(request, response, upstream, address)

    async def _send_request_body(self, request: Head, upstream: Upstream) -> None:
        if request.expect_continue and not self.client.buffer:
            self.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            if request.chunked:
                await bodies.relay_chunked(self.client, upstream.writer, self.timeouts.body_s, 400, dechunk=False)
            else:
                await bodies.relay_length(self.client, upstream.writer, request.content_length, self.timeouts.body_s)
        except ConnectionError:
            raise HttpError(502, "RFC 9110 section 15.6.3", "upstream closed while receiving the body") from None
        except TimeoutError:
            raise _Abort() from None  # a stalled request body: close (SPEC.md, "Timeouts")

    async def _read_response_head(self, upstream: Upstream) -> Head:
        """The upstream's final response head (interim 1xx answers are dropped)."""
        source = upstream.reader
        try:
            await upstream.writer.drain()
            while True:
                end = find_head_end(source.buffer)
                if end >= 0:
                    response = parse_response(source.take(end))
                    if 100 <= response.status < 200 and response.status != 101:
                        continue
                    if response.status == 101:
                        raise HttpError(502, "RFC 9110 section 7.8", "upstream switched protocols")
                    return response
                if len(source.buffer) > MAX_HEAD_BYTES:
                    raise HttpError(502, "RFC 6585 section 5", "upstream response head over 16 KiB")
                await source.fill(self.timeouts.upstream_read_s)
        except TimeoutError:
            raise HttpError(504, "RFC 9110 section 15.6.5", "upstream sent no response in time") from None
        except (PeerClosed, ConnectionError):
            if source.buffer:
                raise HttpError(502, "RFC 9110 section 15.6.3", "upstream closed mid-response") from None
            raise _UpstreamGone() from None

    async def _send_response(self, request: Head, response: Head, upstream: Upstream, address) -> bool:
        no_body = request.method == b"HEAD" or response.status in (204, 304)
        keep_client = request.keep_alive
        dechunk = response.chunked and request.minor == 0
        until_close = not no_body and not response.chunked and response.content_length is None
        if dechunk or until_close:
            keep_client = False
        head = self._response_head(request, response, keep_client, dechunk)
        length = response.content_length if not no_body and not response.chunked else None
        # The body bytes already read go out with the head: one send, not two, for a small response.
        first = upstream.reader.take(length) if length else b""
        self.writer.write(head + first if first else head)
        read_s = self.timeouts.upstream_read_s
        try:
            if no_body or length == len(first):
                await self.writer.drain()
            elif response.chunked:
                await bodies.relay_chunked(upstream.reader, self.writer, read_s, 502, dechunk=dechunk)
            elif length is not None:
                await bodies.relay_length(upstream.reader, self.writer, length - len(first), read_s)
            else:
                await bodies.relay_until_close(upstream.reader, self.writer, read_s)
        except (HttpError, PeerClosed, TimeoutError, ConnectionError):
            upstream.close()
            raise _Abort() from None
        if response.keep_alive and not until_close:
            self.pool.release(address, upstream)
        else:
            upstream.close()
        return keep_client

    def _request_head(self, request: Head, address: tuple[str, int]) -> bytes:
        drop = HOP_BY_HOP | request.connection_tokens
        parts = [request.method, b" ", request.target, b" HTTP/1.1\r\n"]
        forwarded_for = None
        for name, value in request.fields:
            lower = name.lower()
            if lower in drop:
                continue
            if lower == b"x-forwarded-for":
                forwarded_for = value if forwarded_for is None else forwarded_for + b", " + value
                continue
            if lower == b"expect" and request.expect_continue:
                continue
            parts += (name, b": ", value, b"\r\n")
        if request.host_count == 0:
            parts.append(f"Host: {address[0]}:{address[1]}\r\n".encode())
        parts += (b"X-Forwarded-For: ", forwarded_for + b", " if forwarded_for else b"", self.peer_address, b"\r\n")
        if request.chunked:
            parts += (b"Transfer-Encoding: ", request.transfer_encoding, b"\r\n")
        parts.append(b"\r\n")
        return b"".join(parts)

    @staticmethod
    def _response_head(request: Head, response: Head, keep_client: bool, dechunk: bool) -> bytes:
        drop = HOP_BY_HOP | response.connection_tokens
        parts = [b"HTTP/1.1 ", str(response.status).encode(), b" ", response.reason, b"\r\n"]
        for name, value in response.fields:
            if name.lower() not in drop:
                parts += (name, b": ", value, b"\r\n")
        if response.chunked and not dechunk:
            parts += (b"Transfer-Encoding: ", response.transfer_encoding, b"\r\n")
        if not keep_client:
            parts.append(b"Connection: close\r\n")
        elif request.minor == 0:
            parts.append(b"Connection: keep-alive\r\n")
        parts.append(b"\r\n")
        return b"".join(parts)

    async def _answer_and_close(self, answer: bytes) -> None:
        """Sends an error answer, half-closes, and waits briefly for the client to read it and close."""
        try:
            self.writer.write(answer)
            await self.writer.drain()
            if self.writer.can_write_eof():
                self.writer.write_eof()
            async with asyncio.timeout(LINGER_S):
                while await self.client.reader.read(65536):
                    pass
        except (ConnectionError, TimeoutError, OSError):
            pass
