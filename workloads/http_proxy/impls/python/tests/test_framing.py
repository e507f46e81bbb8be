"""The SPEC's strict-parsing table, rule by rule, on the pure parser (pyproxy/framing.py)."""

import pytest
from pyproxy.framing import HttpError, find_head_end, parse_chunk_size, parse_request, parse_response

H = b"GET / HTTP/1.1\r\nHost: a\r\n"


@pytest.mark.parametrize(
    ("head", "status", "section"),
    [
        (H + b"Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 section 6.3"),
        (H + b"Content-Length: 3\r\nContent-Length: 3\r\n\r\n", 400, "RFC 9110 section 8.6"),
        (H + b"Content-Length: 3, 3\r\n\r\n", 400, "RFC 9110 section 8.6"),
        (H + b"Content-Length: +3\r\n\r\n", 400, "RFC 9110 section 8.6"),
        (H + b"Content-Length: 0x3\r\n\r\n", 400, "RFC 9110 section 8.6"),
        (H + b"Content-Length: 99999999999999999999\r\n\r\n", 400, "RFC 9110 section 8.6"),
        (H + b"Transfer-Encoding: chunked, gzip\r\n\r\n", 400, "RFC 9112 section 6.3"),
        (H + b"Transfer-Encoding: chunked, chunked\r\n\r\n", 400, "RFC 9112 section 6.1"),
        (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 section 6.1"),
        (H + b"Transfer-Encoding: rot13, chunked\r\n\r\n", 501, "RFC 9110 section 15.6.2"),
        (H + b"X: a\r\n b\r\n\r\n", 400, "RFC 9112 section 5.2"),
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "RFC 9112 section 5.1"),
        (H + b": empty\r\n\r\n", 400, "RFC 9112 section 5.1"),
        (H + b"X(y): 1\r\n\r\n", 400, "RFC 9112 section 5.1"),
        (H + b"no colon\r\n\r\n", 400, "RFC 9112 section 5.1"),
        (H + b"X: a\x00b\r\n\r\n", 400, "RFC 9110 section 5.5"),
        (H + b"X: a\rb\r\n\r\n", 400, "RFC 9112 section 2.2"),
        (b"GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.2"),
        (b"GET / HTTP/1.1\r\n\r\n", 400, "RFC 9112 section 3.2"),
        (H + b"Host: b\r\n\r\n", 400, "RFC 9112 section 3.2"),
        (b"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "RFC 9112 section 3.2"),
        (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"),
        (b"G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"),
        (b"GET nowhere HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3.2"),
        (b"GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3"),
        (b"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "RFC 9112 section 2.3"),
        (b"CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 501, "RFC 9110 section 15.6.2"),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "RFC 9110 section 15.5.15"),
        (H + b"X: 1\r\n" * 130 + b"\r\n", 431, "RFC 6585 section 5"),
    ],
)
def test_requests_the_table_refuses(head, status, section):
    with pytest.raises(HttpError) as refused:
        parse_request(head[: find_head_end(head)])
    assert (refused.value.status, refused.value.section) == (status, section)


def test_a_valid_request_keeps_its_framing():
    head = parse_request(H + b"Transfer-Encoding: gzip, chunked\r\nConnection: close, x-drop\r\n\r\n")
    assert head.chunked and not head.keep_alive and b"x-drop" in head.connection_tokens
    head = parse_request(b"POST /a?b HTTP/1.0\r\nContent-Length: 12\r\nConnection: keep-alive\r\n\r\n")
    assert head.content_length == 12 and head.keep_alive and head.host_count == 0


@pytest.mark.parametrize(
    ("line", "section"),
    [(b"zz", "7.1"), (b"-5", "7.1"), (b"5 ", "7.1"), (b"1" * 16, "7.1"), (b"5;", "7.1.1"), (b"5 x", "7.1.1")],
)
def test_malformed_chunk_size_lines(line, section):
    with pytest.raises(HttpError) as refused:
        parse_chunk_size(line, 400)
    assert refused.value.section == f"RFC 9112 section {section}"


def test_chunk_sizes_and_extensions():
    assert parse_chunk_size(b"1f", 400) == 31
    assert parse_chunk_size(b'A ; name=value;q="x y"', 400) == 10


def test_responses_use_the_same_rules_as_502():
    with pytest.raises(HttpError) as refused:
        parse_response(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n")
    assert (refused.value.status, refused.value.section) == (502, "RFC 9112 section 6.3")
    assert parse_response(b"HTTP/1.1 204 No Content\r\n\r\n").status == 204
