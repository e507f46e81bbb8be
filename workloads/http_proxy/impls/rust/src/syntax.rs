//! The small grammar rules of RFC 9110 and RFC 9112 that the framing checks share: tokens, field lines,
//! lists, hop-by-hop fields, and the rejection every rule produces.

use std::fmt;

/// Why a message is refused: the status to answer with, the RFC section that forbids it, and what was
/// wrong. Static strings, so a rejection costs nothing to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub section: &'static str,
    pub reason: &'static str,
}

impl Rejection {
    pub const fn new(status: u16, section: &'static str, reason: &'static str) -> Self {
        Rejection {
            status,
            section,
            reason,
        }
    }

    /// The same rule broken by an upstream's response: the client is answered 502 whatever it was.
    pub const fn as_status(self, status: u16) -> Self {
        Rejection { status, ..self }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason, self.section)
    }
}

pub const SEC_MESSAGE: &str = "RFC 9112 section 2.2";
pub const SEC_VERSION: &str = "RFC 9112 section 2.3";
pub const SEC_REQUEST_LINE: &str = "RFC 9112 section 3";
pub const SEC_TARGET_AND_HOST: &str = "RFC 9112 section 3.2";
pub const SEC_STATUS_LINE: &str = "RFC 9112 section 4";
pub const SEC_FIELD_SYNTAX: &str = "RFC 9112 section 5.1";
pub const SEC_OBS_FOLD: &str = "RFC 9112 section 5.2";
pub const SEC_TRANSFER_ENCODING: &str = "RFC 9112 section 6.1";
pub const SEC_BODY_LENGTH: &str = "RFC 9112 section 6.3";
pub const SEC_CHUNKED: &str = "RFC 9112 section 7.1";
pub const SEC_CHUNK_EXT: &str = "RFC 9112 section 7.1.1";
pub const SEC_TRAILER: &str = "RFC 9112 section 7.1.2";
pub const SEC_FIELD_VALUES: &str = "RFC 9110 section 5.5";
pub const SEC_CONTENT_LENGTH: &str = "RFC 9110 section 8.6";
pub const SEC_TOO_LARGE: &str = "RFC 6585 section 5";
pub const SEC_URI_TOO_LONG: &str = "RFC 9110 section 15.5.15";
pub const SEC_NOT_IMPLEMENTED: &str = "RFC 9110 section 15.6.2";

/// tchar (RFC 9110 section 5.6.2).
pub fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_token_byte(b))
}

/// field-vchar, SP and HTAB (obs-text included); NUL, CR, LF, the other controls and DEL are not.
pub fn is_field_value_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

pub fn is_whitespace(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `s` without leading and trailing SP and HTAB (OWS).
pub fn trim(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|&b| !is_whitespace(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|&b| !is_whitespace(b))
        .map_or(start, |i| i + 1);
    &s[start..end]
}

/// The non-empty, trimmed elements of a comma-separated list (RFC 9110 section 5.6.1).
pub fn list_elements(list: &[u8]) -> impl Iterator<Item = &[u8]> {
    list.split(|&b| b == b',')
        .map(trim)
        .filter(|element| !element.is_empty())
}

/// Checks one field line (without its CRLF) against RFC 9112 section 5; `status` is what a violation is
/// answered with (400 for a client's request, 502 for an upstream's response).
pub fn check_field_line(line: &[u8], status: u16) -> Result<(), Rejection> {
    let fail = |section, reason| Err(Rejection::new(status, section, reason));
    if line.first().is_some_and(|&b| is_whitespace(b)) {
        return fail(
            SEC_OBS_FOLD,
            "obsolete line folding (a field line starting with whitespace)",
        );
    }
    let Some(colon) = line.iter().position(|&b| b == b':') else {
        return fail(SEC_FIELD_SYNTAX, "a field line without a colon");
    };
    let name = &line[..colon];
    if name.is_empty() {
        return fail(SEC_FIELD_SYNTAX, "an empty field name");
    }
    if name.last().is_some_and(|&b| is_whitespace(b)) {
        return fail(
            SEC_FIELD_SYNTAX,
            "whitespace between a field name and the colon",
        );
    }
    if !is_token(name) {
        return fail(SEC_FIELD_SYNTAX, "an invalid byte in a field name");
    }
    if !line[colon + 1..].iter().all(|&b| is_field_value_byte(b)) {
        return fail(
            SEC_FIELD_VALUES,
            "NUL, CR, LF or another control byte in a field value",
        );
    }
    Ok(())
}

/// The fields a proxy never forwards (RFC 9110 section 7.6.1), besides those a Connection field lists.
const HOP_BY_HOP: [&str; 9] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "proxy-authenticate",
    "proxy-authorization",
];

/// True when the field `name` must not be forwarded: a hop-by-hop field by name, or one of the options of
/// the message's Connection fields (`connection_options`, each one a field value).
pub fn is_hop_by_hop(name: &str, connection_options: &[&[u8]]) -> bool {
    HOP_BY_HOP.iter().any(|hop| name.eq_ignore_ascii_case(hop))
        || connection_options
            .iter()
            .flat_map(|value| list_elements(value))
            .any(|option| option.eq_ignore_ascii_case(name.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_splits_lists() {
        assert_eq!(trim(b" \ta b\t "), b"a b");
        assert_eq!(trim(b"  "), b"");
        let elements: Vec<&[u8]> = list_elements(b" gzip ,, chunked,").collect();
        assert_eq!(elements, [&b"gzip"[..], b"chunked"]);
    }

    #[test]
    fn hop_by_hop_fields_rfc9110_section_7_6_1() {
        for name in [
            "Connection",
            "keep-alive",
            "Transfer-Encoding",
            "Upgrade",
            "TE",
        ] {
            assert!(is_hop_by_hop(name, &[]), "{name}");
        }
        assert!(is_hop_by_hop("X-Secret", &[b"close, x-secret"]));
        assert!(is_hop_by_hop("X-Other", &[b"close", b"X-Other"]));
        assert!(!is_hop_by_hop("X-Other", &[b"close, x-secret"]));
        assert!(!is_hop_by_hop("Content-Length", &[]));
    }

    #[test]
    fn field_lines_rfc9112_section_5() {
        assert!(check_field_line(b"X-A: b c", 400).is_ok());
        assert!(check_field_line(b"X-A:", 400).is_ok());
        let section = |line: &[u8]| check_field_line(line, 400).unwrap_err().section;
        assert_eq!(section(b" folded"), SEC_OBS_FOLD);
        assert_eq!(section(b"X-A : b"), SEC_FIELD_SYNTAX);
        assert_eq!(section(b": b"), SEC_FIELD_SYNTAX);
        assert_eq!(section(b"nocolon"), SEC_FIELD_SYNTAX);
        assert_eq!(section(b"X(A): b"), SEC_FIELD_SYNTAX);
        assert_eq!(section(b"X-A: b\x01"), SEC_FIELD_VALUES);
        assert_eq!(check_field_line(b"X : b", 502).unwrap_err().status, 502);
    }
}
