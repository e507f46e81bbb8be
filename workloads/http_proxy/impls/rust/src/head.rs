//! Request and response heads: httparse tokenizes them; this module adds the rules of SPEC.md's strict
//! parsing table that httparse leaves to its caller (CRLF-only lines, target forms, Host, limits, the
//! framing fields), names the RFC section of every refusal, and writes the heads the proxy forwards.
//!
//! httparse is lenient on purpose in a few places (a bare LF ends a line, bytes 0x80-0xFF in a target)
//! and says only which kind of token it stopped at, so the head's lines are checked before it runs and a
//! refusal's section is found by looking at the line it stopped in.

use std::mem::MaybeUninit;

use httparse::Header;

use crate::framing::{self, Framing};
use crate::syntax::{
    Rejection, SEC_FIELD_SYNTAX, SEC_MESSAGE, SEC_NOT_IMPLEMENTED, SEC_REQUEST_LINE,
    SEC_STATUS_LINE, SEC_TARGET_AND_HOST, SEC_TOO_LARGE, SEC_URI_TOO_LONG, SEC_VERSION,
    check_field_line, is_hop_by_hop, is_token, trim,
};

/// Request or status line, fields and the final CRLF; beyond: 431 (502 from an upstream).
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// The request-target; beyond: 414.
pub const MAX_TARGET_BYTES: usize = 8 * 1024;
/// Field lines; beyond: 431.
pub const MAX_FIELDS: usize = 128;

/// Where httparse puts the fields: one slot more than allowed, so that "one too many" is told apart from
/// httparse's own "no room left". Lives on the parsing function's stack, never in a connection.
pub type FieldSlots<'b> = [MaybeUninit<Header<'b>>; MAX_FIELDS + 1];

pub fn field_slots<'b>() -> FieldSlots<'b> {
    [const { MaybeUninit::uninit() }; MAX_FIELDS + 1]
}

/// A complete, accepted request head; views into the client's buffer.
#[derive(Debug)]
pub struct RequestHead<'b, 'h> {
    pub method: &'b str,
    pub target: &'b str,
    /// HTTP/1.<minor>: 0 or 1.
    pub minor: u8,
    pub fields: &'h [Header<'b>],
    pub framing: Framing,
    /// The client closes after this request ("Connection: close", or HTTP/1.0 without keep-alive).
    pub close: bool,
    /// Bytes of the buffer the head took, leading empty lines included.
    pub length: usize,
}

/// A complete, accepted response head; views into the upstream's buffer.
#[derive(Debug)]
pub struct ResponseHead<'b, 'h> {
    pub status: u16,
    pub reason: &'b str,
    pub fields: &'h [Header<'b>],
    pub framing: Framing,
    /// The upstream closes after this response (or its body runs until it does).
    pub close: bool,
    pub length: usize,
}

/// How far the head's lines go, checked for CRLF endings with no bare CR or LF.
enum Lines {
    /// The head ends at this offset (its empty line included).
    Complete(usize),
    Incomplete,
    TooLong,
}

/// Checks every complete line of `buffer` (from `start`) and finds the empty line that ends the head.
fn scan_lines(buffer: &[u8], start: usize) -> Result<Lines, Rejection> {
    let bare = Rejection::new(
        400,
        SEC_MESSAGE,
        "a bare CR or LF, or a line not ending in CRLF",
    );
    let mut line_start = start;
    while let Some(offset) = buffer[line_start..].iter().position(|&b| b == b'\n') {
        let newline = line_start + offset;
        if newline + 1 > MAX_HEAD_BYTES {
            return Ok(Lines::TooLong);
        }
        if newline == line_start || buffer[newline - 1] != b'\r' {
            return Err(bare);
        }
        if buffer[line_start..newline - 1].contains(&b'\r') {
            return Err(bare);
        }
        if newline - 1 == line_start && line_start > start {
            return Ok(Lines::Complete(newline + 1));
        }
        line_start = newline + 1;
    }
    Ok(if buffer.len() > MAX_HEAD_BYTES {
        Lines::TooLong
    } else {
        Lines::Incomplete
    })
}

/// The first line of `head` without its line ending, and whether it is complete.
fn first_line(head: &[u8]) -> (&[u8], bool) {
    match head.iter().position(|&b| b == b'\n') {
        Some(newline) => (
            head[..newline]
                .strip_suffix(b"\r")
                .unwrap_or(&head[..newline]),
            true,
        ),
        None => (head, false),
    }
}

/// The lines after the first: complete ones without their CRLF, then what there is of the last one.
fn field_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split(|&b| b == b'\n')
        .skip(1)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .take_while(|line| !line.is_empty())
}

/// Why httparse refused the field lines of `head`: the first line our own rules refuse.
fn field_error(head: &[u8], status: u16) -> Rejection {
    field_lines(head)
        .find_map(|line| check_field_line(line, status).err())
        .unwrap_or(Rejection::new(
            status,
            SEC_FIELD_SYNTAX,
            "a malformed field line",
        ))
}

fn bad_request(section: &'static str, reason: &'static str) -> Rejection {
    Rejection::new(400, section, reason)
}

/// Checks the request line (or as much of it as has arrived). None when it breaks no rule.
fn request_line_error(line: &[u8], complete: bool) -> Option<Rejection> {
    let mut parts = line.splitn(3, |&b| b == b' ');
    let method = parts.next().unwrap_or_default();
    let target = parts.next();
    let version = parts.next();
    if !method.is_empty() && !is_token(method) || complete && method.is_empty() {
        return Some(bad_request(SEC_REQUEST_LINE, "an invalid method"));
    }
    if let Some(target) = target {
        if target.len() > MAX_TARGET_BYTES {
            return Some(Rejection::new(
                414,
                SEC_URI_TOO_LONG,
                "the request-target is too long",
            ));
        }
        if !target.iter().all(|&b| (0x21..0x7f).contains(&b)) {
            return Some(bad_request(
                SEC_REQUEST_LINE,
                "an invalid byte in the request-target",
            ));
        }
    }
    let Some(version) = version else {
        return complete.then(|| bad_request(SEC_REQUEST_LINE, "a malformed request line"));
    };
    if target.is_some_and(<[u8]>::is_empty) || version.contains(&b' ') {
        return Some(bad_request(SEC_REQUEST_LINE, "a malformed request line"));
    }
    version_error(version, complete, 400)
}

/// Checks `HTTP/1.0` or `HTTP/1.1`; another major version is 505 (to a client), anything else 400.
/// (`HTTP/1.2` .. `HTTP/1.9` never get here: [`read_higher_minor_as_1_1`] rewrote them.)
fn version_error(version: &[u8], complete: bool, status: u16) -> Option<Rejection> {
    if version == b"HTTP/1.0" || version == b"HTTP/1.1" {
        return None;
    }
    let numbered = version.len() == 8
        && version.starts_with(b"HTTP/")
        && version[5].is_ascii_digit()
        && version[6] == b'.'
        && version[7].is_ascii_digit();
    if numbered {
        let unsupported = if version[5] == b'1' {
            "an HTTP/1 minor version other than 0 or 1"
        } else {
            "an HTTP major version other than 1"
        };
        let status = if status == 400 { 505 } else { status };
        return Some(Rejection::new(status, SEC_VERSION, unsupported));
    }
    let still_arriving = !complete && version.len() < 8 && b"HTTP/1.1".starts_with(version);
    (!still_arriving).then(|| Rejection::new(status, SEC_VERSION, "a malformed HTTP version"))
}

/// A message of a higher HTTP/1 minor version is processed as the highest we support, HTTP/1.1 (RFC 9110
/// section 2.5), as the reference does. httparse parses only `HTTP/1.0` and `HTTP/1.1`, so once the first
/// line of the head at the start of `buffer` is complete, its `HTTP/1.2` .. `HTTP/1.9` is rewritten to
/// `HTTP/1.1` in place before parsing. The version text is never forwarded (the proxy writes its own).
pub fn read_higher_minor_as_1_1(buffer: &mut [u8], is_request: bool) {
    let start = if is_request {
        leading_empty_lines(buffer)
    } else {
        0
    };
    let Some(length) = buffer[start..].iter().position(|&b| b == b'\n') else {
        return;
    };
    let end = start + length - usize::from(length > 0 && buffer[start + length - 1] == b'\r');
    let line = &mut buffer[start..end];
    // The request line ends with " HTTP/1.x"; the status line starts with "HTTP/1.x ".
    let minor = if is_request {
        line.len()
            .checked_sub(9)
            .filter(|&at| line[at..].starts_with(b" HTTP/1."))
            .map(|at| at + 8)
    } else {
        (line.len() >= 9 && line.starts_with(b"HTTP/1.") && line[8] == b' ').then_some(7)
    };
    if let Some(at) = minor.filter(|&at| (b'2'..=b'9').contains(&line[at])) {
        line[at] = b'1';
    }
}

/// The bytes of the empty lines before a request line that we ignore: a server SHOULD ignore at least one
/// (RFC 9112 section 2.2); we ignore up to two, the CRLF some clients add after a POST body.
fn leading_empty_lines(buffer: &[u8]) -> usize {
    let mut skip = 0;
    while skip < 4 && buffer[skip..].starts_with(b"\r\n") {
        skip += 2;
    }
    skip
}

/// uri-host [ ":" port ] characters (RFC 3986): a Host with anything else names no authority.
fn is_valid_host(host: &[u8]) -> bool {
    host.iter()
        .all(|&b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:%[]".contains(&b))
}

/// Parses the request head at the start of `buffer`. Ok(None): more bytes are needed and none so far
/// breaks a rule or a limit. Err: answer with the rejection and close.
pub fn parse_request<'b, 'h>(
    buffer: &'b [u8],
    slots: &'h mut FieldSlots<'b>,
) -> Result<Option<RequestHead<'b, 'h>>, Rejection> {
    let skip = leading_empty_lines(buffer);
    let end = match scan_lines(buffer, skip)? {
        Lines::Complete(end) => Some(end),
        Lines::Incomplete => None,
        Lines::TooLong => {
            // Say 400 or 414 for the request line if it already breaks a rule, else 431.
            let (line, complete) = first_line(&buffer[skip..]);
            return Err(request_line_error(line, complete).unwrap_or(Rejection::new(
                431,
                SEC_TOO_LARGE,
                "the header section is too large",
            )));
        }
    };
    let message = &buffer[skip..end.unwrap_or(buffer.len())];
    let (line, line_complete) = first_line(message);
    let mut request = httparse::Request::new(&mut []);
    match request.parse_with_uninit_headers(message, slots) {
        Err(error) => Err(
            request_line_error(line, line_complete).unwrap_or_else(|| match error {
                httparse::Error::TooManyHeaders => too_many_fields(431),
                _ => field_error(message, 400),
            }),
        ),
        Ok(httparse::Status::Partial) => match request_line_error(line, line_complete) {
            Some(rejection) => Err(rejection),
            // httparse wants more although the empty line has come: more leading empty lines than we skip.
            None if end.is_some() => Err(bad_request(SEC_REQUEST_LINE, "a malformed request line")),
            None => Ok(None),
        },
        Ok(httparse::Status::Complete(length)) => {
            let method = request.method.unwrap_or_default();
            let target = request.path.unwrap_or_default();
            let minor = request.version.unwrap_or(1);
            let fields = request.headers;
            if let Some(rejection) = request_line_error(line, true) {
                return Err(rejection);
            }
            if method == "CONNECT" {
                return Err(Rejection::new(
                    501,
                    SEC_NOT_IMPLEMENTED,
                    "CONNECT is not supported by a reverse proxy",
                ));
            }
            let origin_form = target.starts_with('/');
            let asterisk_form = target == "*" && method == "OPTIONS";
            let absolute_form = target.starts_with("http://") || target.starts_with("https://");
            if !(origin_form || asterisk_form || absolute_form) {
                return Err(bad_request(
                    SEC_TARGET_AND_HOST,
                    "a request-target in no valid form",
                ));
            }
            if fields.len() > MAX_FIELDS {
                return Err(too_many_fields(431));
            }
            check_host(fields, minor)?;
            Ok(Some(RequestHead {
                method,
                target,
                minor,
                fields,
                framing: framing::decide(fields, minor, true, 400)?,
                close: framing::closes_connection(fields, minor),
                length: skip + length,
            }))
        }
    }
}

fn too_many_fields(status: u16) -> Rejection {
    Rejection::new(status, SEC_TOO_LARGE, "too many header fields")
}

/// Exactly one valid Host in HTTP/1.1, at most one in HTTP/1.0 (RFC 9112 section 3.2).
fn check_host(fields: &[Header<'_>], minor: u8) -> Result<(), Rejection> {
    let mut hosts = fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("host"));
    match (hosts.next(), hosts.next()) {
        (Some(_), Some(_)) => Err(bad_request(SEC_TARGET_AND_HOST, "more than one Host field")),
        (None, _) if minor == 1 => Err(bad_request(
            SEC_TARGET_AND_HOST,
            "no Host field in HTTP/1.1",
        )),
        (Some(host), None) if !is_valid_host(trim(host.value)) => {
            Err(bad_request(SEC_TARGET_AND_HOST, "an invalid Host field"))
        }
        _ => Ok(()),
    }
}

/// Parses the upstream's response head at the start of `buffer`, for a request with method
/// `request_method`. Same contract as [`parse_request`]; every rejection is a 502. 1xx responses are
/// returned as they are (the caller forwards them and parses the next head).
pub fn parse_response<'b, 'h>(
    buffer: &'b [u8],
    request_method_is_head: bool,
    slots: &'h mut FieldSlots<'b>,
) -> Result<Option<ResponseHead<'b, 'h>>, Rejection> {
    const BAD_GATEWAY: u16 = 502;
    let (end, head_complete) = match scan_lines(buffer, 0).map_err(|r| r.as_status(BAD_GATEWAY))? {
        Lines::Complete(end) => (end, true),
        Lines::Incomplete => (buffer.len(), false),
        Lines::TooLong => {
            return Err(Rejection::new(
                BAD_GATEWAY,
                SEC_TOO_LARGE,
                "the upstream's response head is too large",
            ));
        }
    };
    let message = &buffer[..end];
    let malformed_status = Rejection::new(BAD_GATEWAY, SEC_STATUS_LINE, "a malformed status line");
    let mut response = httparse::Response::new(&mut []);
    match httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut response,
        message,
        slots,
    ) {
        Err(httparse::Error::TooManyHeaders) => Err(too_many_fields(BAD_GATEWAY)),
        Err(
            httparse::Error::HeaderName | httparse::Error::HeaderValue | httparse::Error::NewLine,
        ) if first_line(message).1 => Err(field_error(message, BAD_GATEWAY)),
        Err(_) => {
            let (line, complete) = first_line(message);
            let version = &line[..line.len().min(8)];
            Err(
                version_error(version, complete && line.len() >= 8, BAD_GATEWAY)
                    .unwrap_or(malformed_status),
            )
        }
        Ok(httparse::Status::Partial) if head_complete => Err(malformed_status),
        Ok(httparse::Status::Partial) => Ok(None),
        Ok(httparse::Status::Complete(length)) => {
            let status = response.code.unwrap_or_default();
            let minor = response.version.unwrap_or(1);
            let fields = response.headers;
            if !(100..600).contains(&status) {
                return Err(Rejection::new(
                    BAD_GATEWAY,
                    SEC_STATUS_LINE,
                    "a malformed status code",
                ));
            }
            if fields.len() > MAX_FIELDS {
                return Err(too_many_fields(BAD_GATEWAY));
            }
            let mut framing = framing::decide(fields, minor, false, BAD_GATEWAY)?;
            // Responses that never have a body, whatever their fields say (RFC 9112 section 6.3).
            if request_method_is_head || status < 200 || status == 204 || status == 304 {
                framing = Framing::None;
            }
            let close = framing == Framing::UntilClose || framing::closes_connection(fields, minor);
            Ok(Some(ResponseHead {
                status,
                reason: response.reason.unwrap_or_default(),
                fields,
                framing,
                close,
                length,
            }))
        }
    }
}

/// The values of every Connection field: hop-by-hop removal honours all their options.
fn connection_options<'b>(fields: &[Header<'b>]) -> Vec<&'b [u8]> {
    fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("connection"))
        .map(|f| f.value)
        .collect()
}

fn write_field(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    out.extend_from_slice(trim(value));
    out.extend_from_slice(b"\r\n");
}

/// Writes the Transfer-Encoding fields of `fields` (hop-by-hop, so skipped above, but they frame the body
/// we forward as received).
fn write_transfer_encoding(out: &mut Vec<u8>, fields: &[Header<'_>]) {
    for field in fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("transfer-encoding"))
    {
        write_field(out, "Transfer-Encoding", field.value);
    }
}

fn is_continue_expectation(field: &Header<'_>) -> bool {
    field.name.eq_ignore_ascii_case("expect")
        && trim(field.value).eq_ignore_ascii_case(b"100-continue")
}

impl RequestHead<'_, '_> {
    /// True when the client waits for 100 (Continue) before it sends the body (RFC 9110 section 10.1.1).
    pub fn expects_continue(&self) -> bool {
        self.minor == 1 && self.fields.iter().any(is_continue_expectation)
    }

    pub fn has_body(&self) -> bool {
        !matches!(self.framing, Framing::None | Framing::Length(0))
    }

    /// Appends the head as the upstream gets it: HTTP/1.1, hop-by-hop fields and a 100-continue
    /// expectation removed, the framing restated, `client_ip` appended to X-Forwarded-For, and a Host
    /// (`upstream_authority`) for an HTTP/1.0 request without one.
    pub fn write_upstream_head(
        &self,
        out: &mut Vec<u8>,
        client_ip: &str,
        upstream_authority: &str,
    ) {
        out.extend_from_slice(self.method.as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\n");
        let connection = connection_options(self.fields);
        let mut has_host = false;
        for field in self.fields {
            has_host |= field.name.eq_ignore_ascii_case("host");
            if field.name.eq_ignore_ascii_case("x-forwarded-for")
                || is_hop_by_hop(field.name, &connection)
                || is_continue_expectation(field)
            {
                continue;
            }
            write_field(out, field.name, field.value);
        }
        if self.framing == Framing::Chunked {
            write_transfer_encoding(out, self.fields);
        }
        if !has_host {
            write_field(out, "Host", upstream_authority.as_bytes());
        }
        out.extend_from_slice(b"X-Forwarded-For: ");
        for field in self
            .fields
            .iter()
            .filter(|f| f.name.eq_ignore_ascii_case("x-forwarded-for"))
        {
            out.extend_from_slice(trim(field.value));
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(client_ip.as_bytes());
        out.extend_from_slice(b"\r\n\r\n");
    }
}

impl ResponseHead<'_, '_> {
    /// Appends the head as the client gets it: HTTP/1.1, hop-by-hop fields removed, the chunked coding
    /// restated unless `dechunk` (an HTTP/1.0 client), and the connection's fate stated when it differs
    /// from the client's default.
    pub fn write_client_head(
        &self,
        out: &mut Vec<u8>,
        close: bool,
        dechunk: bool,
        client_minor: u8,
    ) {
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(self.status.to_string().as_bytes());
        out.push(b' ');
        out.extend_from_slice(self.reason.as_bytes());
        out.extend_from_slice(b"\r\n");
        let connection = connection_options(self.fields);
        for field in self.fields {
            if !is_hop_by_hop(field.name, &connection) {
                write_field(out, field.name, field.value);
            }
        }
        if self.framing == Framing::Chunked && !dechunk {
            write_transfer_encoding(out, self.fields);
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if client_minor == 0 {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests;
