//! One test per rule of SPEC.md's strict parsing table, each naming the RFC section it enforces. The
//! refused messages are the classic request-smuggling shapes.

use super::*;
use crate::syntax::*;

/// What parsing `text` as a request gave, as owned values.
#[derive(Debug, PartialEq)]
enum Outcome {
    Incomplete,
    Complete {
        method: String,
        target: String,
        framing: Framing,
        close: bool,
        length: usize,
    },
    Rejected(u16, &'static str),
}

fn request(text: &[u8]) -> Outcome {
    let mut slots = field_slots();
    match parse_request(text, &mut slots) {
        Ok(None) => Outcome::Incomplete,
        Ok(Some(head)) => Outcome::Complete {
            method: head.method.to_string(),
            target: head.target.to_string(),
            framing: head.framing,
            close: head.close,
            length: head.length,
        },
        Err(rejection) => Outcome::Rejected(rejection.status, rejection.section),
    }
}

#[track_caller]
fn assert_rejected(text: impl AsRef<[u8]>, status: u16, section: &'static str) {
    let text = text.as_ref();
    assert_eq!(
        request(text),
        Outcome::Rejected(status, section),
        "{:?}",
        String::from_utf8_lossy(text)
    );
}

fn framing_of(text: &str) -> Framing {
    match request(text.as_bytes()) {
        Outcome::Complete { framing, .. } => framing,
        other => panic!("{text:?}: {other:?}"),
    }
}

// --- Accepted messages ---------------------------------------------------------------------------------

#[test]
fn accepts_a_simple_get() {
    let head = b"GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
    let mut text = head.to_vec();
    text.extend_from_slice(b"rest");
    assert_eq!(
        request(&text),
        Outcome::Complete {
            method: "GET".into(),
            target: "/a?b=c".into(),
            framing: Framing::None,
            close: false,
            length: head.len(),
        }
    );
}

#[test]
fn incomplete_until_the_empty_line() {
    assert_eq!(
        request(b"GET / HTTP/1.1\r\nHost: a\r\n"),
        Outcome::Incomplete
    );
    assert_eq!(request(b"GET / HT"), Outcome::Incomplete);
    assert_eq!(request(b""), Outcome::Incomplete);
}

#[test]
fn content_length_and_chunked_framing() {
    assert_eq!(
        framing_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n"),
        Framing::Length(42)
    );
    assert_eq!(
        framing_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"),
        Framing::Chunked
    );
}

#[test]
fn connection_close_and_http10_defaults() {
    let close = |text: &str| match request(text.as_bytes()) {
        Outcome::Complete { close, .. } => close,
        other => panic!("{other:?}"),
    };
    assert!(close(
        "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n"
    ));
    assert!(close("GET / HTTP/1.0\r\n\r\n"));
    assert!(!close("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
}

#[test]
fn ignores_leading_empty_lines_rfc9112_section_2_2() {
    assert!(matches!(
        request(b"\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
        Outcome::Complete { length: 29, .. }
    ));
}

#[test]
fn absolute_and_asterisk_forms() {
    assert!(matches!(
        request(b"GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n"),
        Outcome::Complete { .. }
    ));
    assert!(matches!(
        request(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"),
        Outcome::Complete { .. }
    ));
}

#[test]
fn exactly_the_field_limit_is_accepted() {
    let mut text = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for i in 1..MAX_FIELDS {
        text.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    text.extend_from_slice(b"\r\n");
    assert!(matches!(request(&text), Outcome::Complete { .. }));
}

// --- Rejected requests: message framing (RFC 9112 section 6) -----------------------------------------------

#[test]
fn content_length_with_transfer_encoding_rfc9112_section_6_3() {
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
        SEC_BODY_LENGTH,
    );
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n",
        400,
        SEC_BODY_LENGTH,
    );
}

#[test]
fn duplicate_content_length_rfc9110_section_8_6() {
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
        400,
        SEC_CONTENT_LENGTH,
    );
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n",
        400,
        SEC_CONTENT_LENGTH,
    );
}

#[test]
fn invalid_content_length_rfc9110_section_8_6() {
    for value in ["-1", "+5", "0x10", "5 5", "", "1e3", "99999999999999999999"] {
        assert_rejected(
            format!("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: {value}\r\n\r\n"),
            400,
            SEC_CONTENT_LENGTH,
        );
    }
}

#[test]
fn final_coding_not_chunked_rfc9112_section_6_3() {
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n",
        400,
        SEC_BODY_LENGTH,
    );
}

#[test]
fn chunked_applied_twice_rfc9112_section_6_1() {
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
        SEC_TRANSFER_ENCODING,
    );
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
        400,
        SEC_TRANSFER_ENCODING,
    );
}

#[test]
fn unknown_transfer_coding_rfc9110_section_15_6_2() {
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n",
        501,
        SEC_NOT_IMPLEMENTED,
    );
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked \t;x\r\n\r\n",
        501,
        SEC_NOT_IMPLEMENTED,
    );
}

#[test]
fn transfer_encoding_in_http10_rfc9112_section_6_1() {
    assert_rejected(
        "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
        400,
        SEC_TRANSFER_ENCODING,
    );
}

// --- Rejected requests: field syntax (RFC 9112 section 5, RFC 9110 section 5) --------------------------

#[test]
fn obs_fold_rfc9112_section_5_2() {
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n",
        400,
        SEC_OBS_FOLD,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n",
        400,
        SEC_OBS_FOLD,
    );
}

#[test]
fn whitespace_before_colon_rfc9112_section_5_1() {
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n",
        400,
        SEC_FIELD_SYNTAX,
    );
    assert_rejected(
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n",
        400,
        SEC_FIELD_SYNTAX,
    );
}

#[test]
fn invalid_byte_in_field_name_rfc9112_section_5_1() {
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n",
        400,
        SEC_FIELD_SYNTAX,
    );
    assert_rejected(
        b"GET / HTTP/1.1\r\nHost: a\r\nX\xff: b\r\n\r\n",
        400,
        SEC_FIELD_SYNTAX,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n",
        400,
        SEC_FIELD_SYNTAX,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n",
        400,
        SEC_FIELD_SYNTAX,
    );
}

#[test]
fn control_byte_in_field_value_rfc9110_section_5_5() {
    assert_rejected(
        b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n",
        400,
        SEC_FIELD_VALUES,
    );
    assert_rejected(
        b"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01\r\n\r\n",
        400,
        SEC_FIELD_VALUES,
    );
}

#[test]
fn bare_cr_or_lf_rfc9112_section_2_2() {
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n",
        400,
        SEC_MESSAGE,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n",
        400,
        SEC_MESSAGE,
    );
    assert_rejected("GET / HTTP/1.1\nHost: a\r\n\r\n", 400, SEC_MESSAGE);
}

#[test]
fn missing_duplicate_or_invalid_host_rfc9112_section_3_2() {
    assert_rejected(
        "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n",
        400,
        SEC_TARGET_AND_HOST,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        400,
        SEC_TARGET_AND_HOST,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a b\r\n\r\n",
        400,
        SEC_TARGET_AND_HOST,
    );
    assert_rejected(
        "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
        400,
        SEC_TARGET_AND_HOST,
    );
}

// --- Rejected requests: request line (RFC 9112 sections 2.3 and 3) ---------------------------------------

#[test]
fn malformed_request_line_rfc9112_section_3() {
    for text in [
        &b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.1 \r\nHost: a\r\n\r\n",
        b"GET /\r\nHost: a\r\n\r\n",
        b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /a\x80 HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n",
        b"GET /\0 HTTP/1.1\r\n\r\n",
    ] {
        assert_rejected(text, 400, SEC_REQUEST_LINE);
    }
}

#[test]
fn binary_garbage_is_refused_before_a_line_ends() {
    assert_rejected(
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        400,
        SEC_REQUEST_LINE,
    );
}

#[test]
fn target_in_no_valid_form_rfc9112_section_3_2() {
    assert_rejected(
        "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n",
        400,
        SEC_TARGET_AND_HOST,
    );
    assert_rejected(
        "GET * HTTP/1.1\r\nHost: a\r\n\r\n",
        400,
        SEC_TARGET_AND_HOST,
    );
}

#[test]
fn malformed_version_rfc9112_section_2_3() {
    assert_rejected("GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, SEC_VERSION);
    assert_rejected("GET / http/1.1\r\nHost: a\r\n\r\n", 400, SEC_VERSION);
    assert_rejected("GET / HTTP/1\r\nHost: a\r\n\r\n", 400, SEC_VERSION);
    assert_rejected("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, SEC_VERSION);
    assert_rejected("GET / HTTP/9.9\r\n\r\n", 505, SEC_VERSION);
}

#[test]
fn a_higher_http1_minor_version_is_read_as_1_1_rfc9110_section_2_5() {
    let mut text = b"\r\nGET /a HTTP/1.7\r\nHost: a\r\n\r\n".to_vec();
    read_higher_minor_as_1_1(&mut text, true);
    assert_eq!(text, b"\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\n");
    assert!(matches!(request(&text), Outcome::Complete { .. }));
    let mut response = b"HTTP/1.9 200 OK\r\n".to_vec();
    read_higher_minor_as_1_1(&mut response, false);
    assert_eq!(response, b"HTTP/1.1 200 OK\r\n");
    // Only a complete line, and only what is a version.
    for (text, is_request) in [
        (&b"GET / HTTP/1.2"[..], true),
        (b"GET / HTTP/1.20\r\n", true),
        (b"GET / HTTP/2.2\r\n", true),
        (b"GET /x/HTTP/1.2\r\n", true),
        (b"HTTP/1.2\r\n", false),
    ] {
        let mut unchanged = text.to_vec();
        read_higher_minor_as_1_1(&mut unchanged, is_request);
        assert_eq!(unchanged, text);
    }
}

#[test]
fn connect_is_not_implemented_rfc9110_section_15_6_2() {
    assert_rejected(
        "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n",
        501,
        SEC_NOT_IMPLEMENTED,
    );
}

// --- Limits ----------------------------------------------------------------------------------------------

#[test]
fn long_target_is_414_rfc9110_section_15_5_15() {
    let target = "a".repeat(MAX_TARGET_BYTES + 1);
    assert_rejected(
        format!("GET /{target} HTTP/1.1\r\nHost: a\r\n\r\n"),
        414,
        SEC_URI_TOO_LONG,
    );
    // Before the line is complete too: a client cannot make the proxy buffer an endless target.
    assert_rejected(format!("GET /{target}"), 414, SEC_URI_TOO_LONG);
}

#[test]
fn oversized_header_section_is_431_rfc6585_section_5() {
    let value = "b".repeat(MAX_HEAD_BYTES);
    assert_rejected(
        format!("GET / HTTP/1.1\r\nHost: a\r\nX-A: {value}\r\n\r\n"),
        431,
        SEC_TOO_LARGE,
    );
    assert_rejected(
        format!("GET / HTTP/1.1\r\nHost: a\r\nX-A: {value}"),
        431,
        SEC_TOO_LARGE,
    );
    let mut many = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for i in 0..MAX_FIELDS {
        many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_rejected(&many, 431, SEC_TOO_LARGE);
    for _ in 0..10 {
        many.extend_from_slice(b"X: v\r\n");
    }
    assert_rejected(&many, 431, SEC_TOO_LARGE);
}

// --- Responses (the same framing rules upstream) ----------------------------------------------------------

fn response(text: &[u8], is_head: bool) -> Result<Option<(u16, Framing, bool, usize)>, Rejection> {
    let mut slots = field_slots();
    parse_response(text, is_head, &mut slots)
        .map(|head| head.map(|h| (h.status, h.framing, h.close, h.length)))
}

fn response_framing(text: &str, is_head: bool) -> Framing {
    response(text.as_bytes(), is_head).unwrap().unwrap().1
}

#[test]
fn framing_of_ordinary_responses() {
    let text = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
    assert_eq!(
        response(text, false),
        Ok(Some((200, Framing::Length(3), false, text.len() - 3)))
    );
    assert_eq!(
        response_framing(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            false
        ),
        Framing::Chunked
    );
    let until_close = response(b"HTTP/1.1 200 OK\r\n\r\n", false)
        .unwrap()
        .unwrap();
    assert_eq!((until_close.1, until_close.2), (Framing::UntilClose, true));
    assert!(response(b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", false).is_ok());
    assert_eq!(response(b"HTTP/1.1 200 OK\r\nContent-Le", false), Ok(None));
}

#[test]
fn no_body_for_head_204_304_and_1xx_rfc9112_section_6_3() {
    assert_eq!(
        response_framing("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true),
        Framing::None
    );
    assert_eq!(
        response_framing("HTTP/1.1 204 No Content\r\n\r\n", false),
        Framing::None
    );
    assert_eq!(
        response_framing(
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
            false
        ),
        Framing::None
    );
    assert_eq!(
        response_framing("HTTP/1.1 100 Continue\r\n\r\n", false),
        Framing::None
    );
}

#[test]
fn ambiguous_upstream_framing_is_502_rfc9112_section_6_3() {
    let both = response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        false,
    )
    .unwrap_err();
    assert_eq!((both.status, both.section), (502, SEC_BODY_LENGTH));
    let duplicate = response(
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
        false,
    )
    .unwrap_err();
    assert_eq!(
        (duplicate.status, duplicate.section),
        (502, SEC_CONTENT_LENGTH)
    );
}

#[test]
fn malformed_status_line_is_502_rfc9112_section_4() {
    for text in [
        &b"HTTP/1.1 20 OK\r\n\r\n"[..],
        b"HTTP/1.1  200 OK\r\n\r\n",
        b"HTTP/1.1 200x\r\n\r\n",
        b"HTTP/1.1 999 What\r\n\r\n",
        b"\r\n\r\n",
    ] {
        let rejection = response(text, false).unwrap_err();
        assert_eq!(
            (rejection.status, rejection.section),
            (502, SEC_STATUS_LINE),
            "{text:?}"
        );
    }
}

#[test]
fn field_errors_upstream_are_502_rfc9112_section_5() {
    let folded = response(
        b"HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 0\r\n\r\n",
        false,
    )
    .unwrap_err();
    assert_eq!((folded.status, folded.section), (502, SEC_OBS_FOLD));
    let bare_lf = response(b"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", false).unwrap_err();
    assert_eq!((bare_lf.status, bare_lf.section), (502, SEC_MESSAGE));
}

// --- The heads the proxy writes (RFC 9110 section 7.6.1) ----------------------------------------------------

#[test]
fn upstream_head_drops_hop_by_hop_fields_and_appends_x_forwarded_for() {
    let text = b"GET /x HTTP/1.1\r\nHost: example\r\nConnection: keep-alive, X-Private\r\n\
X-Private: secret\r\nKeep-Alive: 300\r\nTE: trailers\r\nUpgrade: h2c\r\nExpect: 100-continue\r\n\
X-Forwarded-For: 10.0.0.1\r\nX-Keep:  yes \r\n\r\n";
    let mut slots = field_slots();
    let head = parse_request(text, &mut slots).unwrap().unwrap();
    assert!(head.expects_continue());
    let mut out = Vec::new();
    head.write_upstream_head(&mut out, "127.0.0.1", "origin:80");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "GET /x HTTP/1.1\r\nHost: example\r\nX-Keep: yes\r\n\
X-Forwarded-For: 10.0.0.1, 127.0.0.1\r\n\r\n"
    );
}

#[test]
fn http10_request_without_host_gets_the_upstreams_and_chunked_is_restated() {
    let mut slots = field_slots();
    let head = parse_request(b"GET / HTTP/1.0\r\n\r\n", &mut slots)
        .unwrap()
        .unwrap();
    let mut out = Vec::new();
    head.write_upstream_head(&mut out, "::1", "[::1]:8080");
    assert_eq!(
        out,
        b"GET / HTTP/1.1\r\nHost: [::1]:8080\r\nX-Forwarded-For: ::1\r\n\r\n"
    );
    let mut slots = field_slots();
    let chunked = b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: a\r\n\r\n";
    let head = parse_request(chunked, &mut slots).unwrap().unwrap();
    let mut out = Vec::new();
    head.write_upstream_head(&mut out, "1.2.3.4", "u:1");
    assert_eq!(
        out,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n"
    );
}

#[test]
fn client_head_states_the_connections_fate() {
    let text = b"HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nX-Drop: 1\r\nConnection: x-drop\r\n\
Transfer-Encoding: chunked\r\n\r\n";
    let mut slots = field_slots();
    let head = parse_response(text, false, &mut slots).unwrap().unwrap();
    let mut out = Vec::new();
    head.write_client_head(&mut out, false, false, 1);
    assert_eq!(
        out,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    out.clear();
    head.write_client_head(&mut out, true, true, 0);
    assert_eq!(out, b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    out.clear();
    head.write_client_head(&mut out, false, false, 0);
    assert_eq!(
        out,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n"
    );
}
