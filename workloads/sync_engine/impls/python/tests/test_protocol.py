"""Frames (SPEC.md, "Frames")."""

import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from read_states.protocol import ACK, GET, MENTION, error_response, ok_response, parse_request  # noqa: E402


def request(op, user, channel, message_id=0, padding=bytes(7)):
    return struct.pack("<B7sQQQ", op, padding, user, channel, message_id)


def test_well_formed_requests():
    assert parse_request(request(GET, 5, 3)) == (GET, 5, 3, 0)
    assert parse_request(request(ACK, 5, 3, 99)) == (ACK, 5, 3, 99)
    assert parse_request(request(MENTION, 1, 2)) == (MENTION, 1, 2, 0)


def test_malformed_requests():
    assert parse_request(request(4, 5, 3)) is None
    assert parse_request(request(0, 5, 3)) is None
    assert parse_request(request(GET, 5, 3, 1)) is None  # GET carries no message id
    assert parse_request(request(MENTION, 5, 3, 1)) is None
    assert parse_request(request(GET, 5, 3, padding=b"\0\0\1\0\0\0\0")) is None


def test_responses_are_32_bytes_little_endian():
    frame = ok_response(ACK, 5, 3, 699533833993, 7)
    assert len(frame) == 32
    assert frame[0] == 0 and frame[1] == ACK and frame[2:4] == b"\0\0"
    assert struct.unpack_from("<IQQQ", frame, 4) == (7, 5, 3, 699533833993)
    assert error_response(2, GET) == bytes([2, GET]) + bytes(30)
