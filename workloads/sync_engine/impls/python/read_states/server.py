"""Serving the protocol: one asyncio Protocol per connection on one event loop (uvloop where it is
installed), the write-back as a periodic callback on the same loop, SIGTERM and SIGINT as a clean stop."""

import asyncio
import signal
from collections.abc import Callable

from .protocol import (
    ACK,
    FRAME_SIZE,
    GET,
    MALFORMED,
    MENTION,
    OUTSIDE_KEY_SPACE,
    error_response,
    ok_response,
    parse_request,
)
from .store import ReadStatesStore


class ReadStatesConnection(asyncio.Protocol):
    """Answers every whole frame of each read in order (pipelining), in one write per read."""

    def __init__(self, store: ReadStatesStore):
        self._store = store
        self._pending = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._pending += data
        whole = len(self._pending) - len(self._pending) % FRAME_SIZE
        answers = bytearray()
        view = memoryview(self._pending)
        try:
            for start in range(0, whole, FRAME_SIZE):
                answer, keep_open = self._answer(view[start : start + FRAME_SIZE])
                answers += answer
                if not keep_open:
                    self._transport.write(answers)
                    self._transport.close()  # a malformed request: answer it, read nothing more
                    return
        finally:
            view.release()
        del self._pending[:whole]
        if answers:
            self._transport.write(answers)

    def _answer(self, frame: memoryview) -> tuple[bytes, bool]:
        request = parse_request(frame)
        if request is None:
            return error_response(MALFORMED, frame[0]), False
        op, user, channel, message_id = request
        key = self._store.key_of(user, channel)
        if key is None:
            return error_response(OUTSIDE_KEY_SPACE, op), True
        if op == GET:
            state = self._store.get(key)
        elif op == ACK:
            state = self._store.ack(key, message_id)
        else:
            assert op == MENTION
            state = self._store.mention(key)
        return ok_response(op, user, channel, state[0], state[1]), True


async def serve(
    store: ReadStatesStore, host: str, port: int, write_back_s: float, on_ready: Callable[[], None]
) -> None:
    """Serves until SIGTERM or SIGINT, then writes every dirty state back. Raises OSError when the address
    cannot be listened on."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: ReadStatesConnection(store), host, port, reuse_address=True)
    stopping = asyncio.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)

    def write_back() -> None:
        store.write_back()
        nonlocal timer
        timer = loop.call_later(write_back_s, write_back)

    timer = loop.call_later(write_back_s, write_back)
    on_ready()
    await stopping.wait()
    timer.cancel()
    server.close()
    store.write_back()
