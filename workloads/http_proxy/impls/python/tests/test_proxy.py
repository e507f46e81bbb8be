"""End-to-end through the proxy process with the tiny origin of conftest.py: keep-alive and pipelining,
chunked responses (forwarded, and de-chunked for HTTP/1.0), request bodies, header handling, malformed
requests (answered with their RFC section and a close) and an unreachable upstream (502)."""

from conftest import exchange, free_port, start_proxy

GET = b"GET /r/1?size=%d%s HTTP/1.1\r\nHost: a\r\n\r\n"


def test_pipelined_requests_on_one_connection_are_answered_in_order(proxy):
    requests = (
        GET % (3, b"") + GET % (5, b"&chunked=1") + b"GET /r/1?size=4 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
    )
    response, closed = exchange(proxy, requests)
    assert closed
    assert response.count(b"HTTP/1.1 200 ") == 3
    first, second, third = response.split(b"HTTP/1.1 200 ")[1:]
    assert first.endswith(b"\r\n\r\nabc")
    assert b"Transfer-Encoding: chunked" in second and second.endswith(b"5\r\nabcde\r\n0\r\n\r\n")
    assert third.endswith(b"abcd") and b"Connection: close" in third


def test_http10_client_gets_a_dechunked_body_and_a_close(proxy):
    response, closed = exchange(proxy, b"GET /r/1?size=2500&chunked=1 HTTP/1.0\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert closed and b"Transfer-Encoding" not in head and b"Connection: close" in head
    assert body == bytes(97 + i % 26 for i in range(2500))


def test_request_bodies_are_streamed_both_framings(proxy):
    post = b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
    response, _ = exchange(proxy, post)
    assert response.startswith(b"HTTP/1.1 200 ") and response.endswith(b"hello")
    expect = (
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nok"
    )
    response, _ = exchange(proxy, expect)
    assert response.startswith(b"HTTP/1.1 200 ") and response.endswith(b"ok")


def test_adds_x_forwarded_for_and_drops_hop_by_hop_fields(proxy):
    request = b"GET /r/1 HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: close, keep-alive\r\n\r\n"
    response, _ = exchange(proxy, request)
    assert b"X-Seen-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n" in response
    assert b"X-Seen-Connection: \r\n" in response


def test_malformed_requests_get_their_rfc_section_and_a_close(proxy):
    for request, status, section in [
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            b"400",
            b"RFC 9110 section 8.6",
        ),
        (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", b"400", b"RFC 9112 section 3"),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", b"400", b"RFC 9112 section 7.1"),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 20000 + b"\r\n\r\n", b"431", b"RFC 6585 section 5"),
    ]:
        response, closed = exchange(proxy, request)
        assert response.startswith(b"HTTP/1.1 " + status), response
        assert section in response and b"Connection: close" in response and closed


def test_unreachable_upstream_is_502():
    process, port = start_proxy(free_port())
    try:
        response, closed = exchange(port, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        assert response.startswith(b"HTTP/1.1 502") and closed
    finally:
        process.terminate()
        process.wait(5)


def test_a_large_content_length_body_arrives_whole_and_the_connection_stays_open(proxy):
    size = 300_000  # more than one read: the head goes out with the first bytes, the rest streams after
    response, closed = exchange(proxy, GET % (size, b""), timeout_s=1.0)
    head, _, body = response.partition(b"\r\n\r\n")
    assert not closed and head.startswith(b"HTTP/1.1 200 ") and b"Content-Length: 300000" in head
    assert body == bytes(97 + i % 26 for i in range(size))
