//! Where a message ends (RFC 9112 section 6): the Content-Length and Transfer-Encoding rules that both
//! directions share, and the Connection field's close/keep-alive decision.

use httparse::Header;

use crate::syntax::{
    Rejection, SEC_BODY_LENGTH, SEC_CONTENT_LENGTH, SEC_NOT_IMPLEMENTED, SEC_TRANSFER_ENCODING,
    list_elements, trim,
};

/// How a message's body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// No body (a request without either field; a response to HEAD, 1xx, 204, 304).
    None,
    /// Exactly this many bytes.
    Length(u64),
    /// The chunked coding is final: verify with `ChunkedFramer`.
    Chunked,
    /// Responses only: the body ends when the upstream closes.
    UntilClose,
}

/// The most digits a Content-Length may have: up to 10^18 - 1 bytes, far above any real body and far
/// below u64 overflow.
const MAX_CONTENT_LENGTH_DIGITS: usize = 18;
/// Codings we know (and forward untouched) besides chunked; any other is 501 in a request.
const KNOWN_CODINGS: [&[u8]; 4] = [b"gzip", b"deflate", b"compress", b"x-gzip"];

/// Decides the framing from `fields` under RFC 9112 section 6. `status` answers a violation (400 for a
/// request, 502 for a response); a request with an unknown coding is 501.
pub fn decide(
    fields: &[Header<'_>],
    minor: u8,
    is_request: bool,
    status: u16,
) -> Result<Framing, Rejection> {
    let fail = |section, reason| Err(Rejection::new(status, section, reason));
    let mut content_length: Option<&[u8]> = None;
    let mut has_transfer_encoding = false;
    let mut chunked_final = false;
    let mut chunked_not_final = false;
    let mut unknown_coding = false;
    for field in fields {
        if field.name.eq_ignore_ascii_case("content-length") {
            if content_length.is_some() {
                return fail(SEC_CONTENT_LENGTH, "more than one Content-Length field");
            }
            content_length = Some(trim(field.value));
        } else if field.name.eq_ignore_ascii_case("transfer-encoding") {
            has_transfer_encoding = true;
            for coding in list_elements(field.value) {
                // Anything after chunked, even another chunked, means chunked was not final.
                chunked_not_final |= chunked_final;
                chunked_final = coding.eq_ignore_ascii_case(b"chunked");
                unknown_coding |= !chunked_final
                    && !KNOWN_CODINGS
                        .iter()
                        .any(|known| coding.eq_ignore_ascii_case(known));
            }
        }
    }
    if has_transfer_encoding {
        if content_length.is_some() {
            return fail(
                SEC_BODY_LENGTH,
                "Content-Length together with Transfer-Encoding",
            );
        }
        if minor == 0 {
            return fail(
                SEC_TRANSFER_ENCODING,
                "Transfer-Encoding in an HTTP/1.0 message",
            );
        }
        if chunked_not_final {
            return fail(
                SEC_TRANSFER_ENCODING,
                "the chunked coding applied more than once",
            );
        }
        if is_request && unknown_coding {
            return Err(Rejection::new(
                501,
                SEC_NOT_IMPLEMENTED,
                "an unknown transfer coding",
            ));
        }
        return match (chunked_final, is_request) {
            (true, _) => Ok(Framing::Chunked),
            (false, true) => fail(
                SEC_BODY_LENGTH,
                "a Transfer-Encoding whose final coding is not chunked",
            ),
            (false, false) => Ok(Framing::UntilClose),
        };
    }
    match content_length {
        Some(digits) => match parse_content_length(digits) {
            Some(length) => Ok(Framing::Length(length)),
            None => fail(SEC_CONTENT_LENGTH, "an invalid Content-Length"),
        },
        None if is_request => Ok(Framing::None),
        None => Ok(Framing::UntilClose),
    }
}

/// 1*DIGIT: no sign, no list, at most MAX_CONTENT_LENGTH_DIGITS.
fn parse_content_length(digits: &[u8]) -> Option<u64> {
    let valid = !digits.is_empty()
        && digits.len() <= MAX_CONTENT_LENGTH_DIGITS
        && digits.iter().all(u8::is_ascii_digit);
    valid.then(|| {
        digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'))
    })
}

/// True when the connection closes after this message: "Connection: close", or HTTP/1.0 without
/// "keep-alive" (RFC 9112 section 9.3).
pub fn closes_connection(fields: &[Header<'_>], minor: u8) -> bool {
    let mut close = false;
    let mut keep_alive = false;
    for field in fields
        .iter()
        .filter(|f| f.name.eq_ignore_ascii_case("connection"))
    {
        for option in list_elements(field.value) {
            close |= option.eq_ignore_ascii_case(b"close");
            keep_alive |= option.eq_ignore_ascii_case(b"keep-alive");
        }
    }
    close || (minor == 0 && !keep_alive)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields<'a>(pairs: &[(&'a str, &'a str)]) -> Vec<Header<'a>> {
        pairs
            .iter()
            .map(|&(name, value)| Header {
                name,
                value: value.as_bytes(),
            })
            .collect()
    }

    #[test]
    fn content_length_bounds() {
        assert_eq!(parse_content_length(b"007"), Some(7));
        assert_eq!(parse_content_length(b"4611686018427387904"), None); // 19 digits
        assert_eq!(
            parse_content_length(b"461168601842738790"),
            Some(461_168_601_842_738_790)
        );
        assert_eq!(
            parse_content_length(b"999999999999999999"),
            Some(999_999_999_999_999_999)
        );
    }

    #[test]
    fn responses_without_length_run_until_close_and_unknown_codings_pass() {
        assert_eq!(decide(&[], 1, false, 502), Ok(Framing::UntilClose));
        let gzip = fields(&[("Transfer-Encoding", "br")]);
        assert_eq!(decide(&gzip, 1, false, 502), Ok(Framing::UntilClose));
        assert_eq!(decide(&gzip, 1, true, 400).unwrap_err().status, 501);
    }

    #[test]
    fn connection_close_and_http10_defaults() {
        assert!(closes_connection(
            &fields(&[("Connection", "foo, close")]),
            1
        ));
        assert!(!closes_connection(&[], 1));
        assert!(closes_connection(&[], 0));
        assert!(!closes_connection(
            &fields(&[("connection", "Keep-Alive")]),
            0
        ));
    }
}
