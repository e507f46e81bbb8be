"""The SPEC's strict parsing rules (SPEC.md, "Strict parsing"): request and response heads, chunk lines.

Pure functions over bytes, no I/O: every violation raises HttpError carrying the status the client gets and
the RFC section its body names. Thread-safe (no shared state beyond compiled patterns).
"""

import re
from dataclasses import dataclass

MAX_HEAD_BYTES = 16 * 1024
MAX_FIELDS = 128
MAX_TARGET_BYTES = 8 * 1024
MAX_CHUNK_LINE_BYTES = 4 * 1024

_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_TOKEN_RE = re.compile(_TOKEN)
_REQUEST_LINE = re.compile(rb"(" + _TOKEN + rb") ([\x21-\x7e]+) ([^ ]+)")
_VERSION = re.compile(rb"HTTP/([0-9])\.([0-9])")
_STATUS_LINE = re.compile(rb"HTTP/1\.([0-9]) ([1-9][0-9][0-9])(?: [\t\x20-\x7e\x80-\xff]*)?")
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_HOST = re.compile(rb"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]*)(?::[0-9]*)?")
_DIGITS = re.compile(rb"[0-9]{1,18}")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]+")
_QUOTED = rb'"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"'
_CHUNK_EXT = re.compile(rb"(?:[ \t]*;[ \t]*" + _TOKEN + rb"(?:[ \t]*=[ \t]*(?:" + _TOKEN + rb"|" + _QUOTED + rb"))?)*")
_KNOWN_CODINGS = frozenset({b"chunked", b"gzip", b"x-gzip", b"deflate", b"compress", b"x-compress"})
# RFC 9110 section 7.6.1: removed in both directions, with every field a Connection field names.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"proxy-authenticate",
        b"proxy-authorization",
    }
)

REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    501: "Not Implemented",
    502: "Bad Gateway",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
}


class HttpError(Exception):
    """A message the proxy must not forward: `status` is the answer, `section` the RFC rule it breaks."""

    def __init__(self, status: int, section: str, why: str):
        super().__init__(f"{why} ({section})")
        self.status = status
        self.section = section


@dataclass(slots=True)
class Head:
    """A parsed, validated message head. `fields` keeps (name, value) as received; `names` is lowercased."""

    method: bytes  # b"" for a response
    target: bytes
    minor: int  # HTTP/1.<minor>
    status: int  # 0 for a request
    reason: bytes
    fields: list[tuple[bytes, bytes]]
    chunked: bool
    content_length: int | None  # None: no Content-Length
    keep_alive: bool
    connection_tokens: frozenset[bytes]
    host_count: int
    expect_continue: bool
    transfer_encoding: bytes


def find_head_end(buffer: bytes | bytearray) -> int:
    """The index just past the head's empty line, or -1. A bare-LF empty line counts (and is then refused)."""
    crlf = buffer.find(b"\n\r\n")
    lf = buffer.find(b"\n\n")
    if crlf < 0 and lf < 0:
        return -1
    if lf < 0 or (0 <= crlf < lf):
        return crlf + 3
    return lf + 2


def check_partial_request(buffer: bytes | bytearray) -> None:
    """Refuses an unfinished request head early: garbage before the method, an over-long line or head."""
    line_end = buffer.find(b"\n")
    first_line = buffer if line_end < 0 else buffer[:line_end]
    if line_end < 0:
        space = first_line.find(b" ")
        method = first_line if space < 0 else first_line[:space]
        if method and not _TOKEN_RE.fullmatch(method):
            raise HttpError(400, "RFC 9112 section 3", "invalid method bytes")
        if len(first_line) > MAX_TARGET_BYTES + 64:
            raise HttpError(414, "RFC 9110 section 15.5.15", "request-target over 8 KiB")
    if len(buffer) > MAX_HEAD_BYTES:
        raise HttpError(431, "RFC 6585 section 5", "head over 16 KiB")


def _split_lines(head: bytes, section_error_status: int) -> list[bytes]:
    body = head[:-4] if head.endswith(b"\r\n\r\n") else None
    if body is None:
        raise HttpError(section_error_status, "RFC 9112 section 2.2", "bare LF ends a line")
    lines = body.split(b"\r\n")
    for line in lines:
        if b"\r" in line or b"\n" in line:
            raise HttpError(section_error_status, "RFC 9112 section 2.2", "bare CR or LF in the head")
    return lines


def _parse_fields(lines: list[bytes], error_status: int) -> list[tuple[bytes, bytes]]:
    if len(lines) > MAX_FIELDS:
        raise HttpError(431 if error_status == 400 else error_status, "RFC 6585 section 5", "over 128 fields")
    fields = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):
            raise HttpError(error_status, "RFC 9112 section 5.2", "obs-fold")
        colon = line.find(b":")
        if colon < 0:
            raise HttpError(error_status, "RFC 9112 section 5.1", "field line without a colon")
        name = line[:colon]
        if not _TOKEN_RE.fullmatch(name):
            raise HttpError(error_status, "RFC 9112 section 5.1", "empty or invalid field name")
        value = line[colon + 1 :].strip(b" \t")
        if _CONTROL.search(value):
            raise HttpError(error_status, "RFC 9110 section 5.5", "control byte in a field value")
        fields.append((name, value))
    return fields


def _framing(fields: list[tuple[bytes, bytes]], minor: int, error_status: int) -> dict:
    lengths, codings, connection, hosts, expect = [], [], set(), 0, False
    te_values = []
    for name, value in fields:
        lower = name.lower()
        if lower == b"content-length":
            lengths.append(value)
        elif lower == b"transfer-encoding":
            te_values.append(value)
            codings.extend(c.strip(b" \t").split(b";")[0].strip(b" \t").lower() for c in value.split(b","))
        elif lower == b"connection":
            connection.update(t.strip(b" \t").lower() for t in value.split(b",") if t.strip(b" \t"))
        elif lower == b"host":
            hosts += 1
            if not _HOST.fullmatch(value):
                raise HttpError(error_status, "RFC 9112 section 3.2", "invalid Host")
        elif lower == b"expect" and value.lower() == b"100-continue":
            expect = True
    chunked, content_length = False, None
    if te_values:
        if minor == 0:
            raise HttpError(error_status, "RFC 9112 section 6.1", "Transfer-Encoding in HTTP/1.0")
        if lengths:
            raise HttpError(error_status, "RFC 9112 section 6.3", "Content-Length with Transfer-Encoding")
        codings = [c for c in codings if c]
        if any(c not in _KNOWN_CODINGS for c in codings):
            raise HttpError(501 if error_status == 400 else error_status, "RFC 9110 section 15.6.2", "unknown coding")
        if codings.count(b"chunked") > 1:
            raise HttpError(error_status, "RFC 9112 section 6.1", "chunked applied more than once")
        if not codings or codings[-1] != b"chunked":
            raise HttpError(error_status, "RFC 9112 section 6.3", "final transfer coding is not chunked")
        chunked = True
    elif lengths:
        if len(lengths) > 1 or not _DIGITS.fullmatch(lengths[0]):
            raise HttpError(error_status, "RFC 9110 section 8.6", "invalid or duplicate Content-Length")
        content_length = int(lengths[0])
    keep_alive = b"keep-alive" in connection if minor == 0 else b"close" not in connection
    return {
        "chunked": chunked,
        "content_length": content_length,
        "keep_alive": keep_alive,
        "connection_tokens": frozenset(connection),
        "host_count": hosts,
        "expect_continue": expect,
        "transfer_encoding": b", ".join(te_values),
    }


def parse_request(head: bytes) -> Head:
    """Validates a whole request head (ending in CRLF CRLF) per the SPEC's table; raises HttpError."""
    lines = _split_lines(head, 400)
    request_line = lines[0]
    match = _REQUEST_LINE.fullmatch(request_line)
    if not match:
        raise HttpError(400, "RFC 9112 section 3", "malformed request line")
    method, target, version = match.groups()
    version_match = _VERSION.fullmatch(version)
    if not version_match:
        raise HttpError(400, "RFC 9112 section 2.3", "malformed version")
    if version_match.group(1) != b"1":
        raise HttpError(505, "RFC 9112 section 2.3", "major version other than 1")
    if len(target) > MAX_TARGET_BYTES:
        raise HttpError(414, "RFC 9110 section 15.5.15", "request-target over 8 KiB")
    if method == b"CONNECT":
        raise HttpError(501, "RFC 9110 section 15.6.2", "CONNECT is not supported")
    if not (
        target.startswith(b"/")
        or (target == b"*" and method == b"OPTIONS")
        or target[:7].lower() == b"http://"
        or target[:8].lower() == b"https://"
    ):
        raise HttpError(400, "RFC 9112 section 3.2", "request-target in no valid form")
    minor = int(version_match.group(2))
    fields = _parse_fields(lines[1:], 400)
    framing = _framing(fields, minor, 400)
    if minor >= 1 and framing["host_count"] != 1:
        raise HttpError(400, "RFC 9112 section 3.2", "missing or duplicate Host")
    if framing["host_count"] > 1:
        raise HttpError(400, "RFC 9112 section 3.2", "duplicate Host")
    return Head(method, target, minor, 0, b"", fields, **framing)


def parse_response(head: bytes) -> Head:
    """Validates an upstream response head with the same rules; any violation raises HttpError(502)."""
    lines = _split_lines(head, 502)
    match = _STATUS_LINE.fullmatch(lines[0])
    if not match:
        raise HttpError(502, "RFC 9112 section 4", "malformed status line")
    minor, status = int(match.group(1)), int(match.group(2))
    fields = _parse_fields(lines[1:], 502)
    framing = _framing(fields, minor, 502)
    reason = lines[0][13:]
    return Head(b"", b"", minor, status, reason, fields, **framing)


def parse_chunk_size(line: bytes, error_status: int) -> int:
    """The size in a chunk-size line (without its CRLF); refuses signs, spaces, > 15 digits, bad extensions."""
    match = _CHUNK_SIZE.match(line)
    if not match or match.end() > 15:
        raise HttpError(error_status, "RFC 9112 section 7.1", "malformed chunk size")
    rest = line[match.end() :]
    if rest and not rest.strip(b" \t"):
        raise HttpError(error_status, "RFC 9112 section 7.1", "whitespace after the chunk size")
    if rest and not _CHUNK_EXT.fullmatch(rest):
        raise HttpError(error_status, "RFC 9112 section 7.1.1", "invalid chunk extension")
    return int(match.group(), 16)


def check_trailer(line: bytes, error_status: int) -> None:
    """A trailer field line (without CRLF) must be a valid field line."""
    try:
        _parse_fields([line], error_status)
    except HttpError as error:
        raise HttpError(error_status, "RFC 9112 section 7.1.2", f"invalid trailer field: {error}") from None


def error_response(status: int, message: str) -> bytes:
    """The SPEC's error answer: text/plain naming the rule, Connection: close."""
    body = f"{status} {REASONS.get(status, 'Error')}: {message}\n".encode()
    return (
        f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\nContent-Type: text/plain\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
