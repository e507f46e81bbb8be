"""The 32-byte frames (SPEC.md, "Frames"): requests in, responses out, little-endian."""

import struct

FRAME_SIZE = 32
GET, ACK, MENTION = 1, 2, 3
OK, MALFORMED, OUTSIDE_KEY_SPACE = 0, 1, 2

REQUEST = struct.Struct("<B7sQQQ")  # op, seven zero bytes, user, channel, message_id
RESPONSE = struct.Struct("<BBHIQQQ")  # status, op echoed, zero, mention_count, user, channel, last_read
ZEROS7 = bytes(7)


def parse_request(frame: bytes) -> tuple[int, int, int, int] | None:
    """(op, user, channel, message_id), or None for a malformed request."""
    op, padding, user, channel, message_id = REQUEST.unpack(frame)
    if padding != ZEROS7 or op not in (GET, ACK, MENTION) or (op != ACK and message_id != 0):
        return None
    return op, user, channel, message_id


def ok_response(op: int, user: int, channel: int, last_read: int, mentions: int) -> bytes:
    return RESPONSE.pack(OK, op, 0, mentions, user, channel, last_read)


def error_response(status: int, op: int) -> bytes:
    """A status-1 or status-2 frame: the op echoed, everything else zero."""
    return RESPONSE.pack(status, op, 0, 0, 0, 0, 0)
