//! Verifies a chunked body as it streams past (RFC 9112 section 7.1), so that the proxy forwards the bytes
//! exactly as received and never a body whose end two parties could place differently.

use crate::syntax::{
    Rejection, SEC_CHUNK_EXT, SEC_CHUNKED, SEC_TRAILER, check_field_line, is_field_value_byte,
    is_token_byte, is_whitespace,
};

/// The longest chunk-size line (size and extensions) we buffer; a longer one is refused.
const MAX_LINE_BYTES: usize = 4096;
/// The most trailer bytes we accept after the last chunk.
const MAX_TRAILER_BYTES: usize = 16 * 1024;
/// Hex digits in a chunk size: 15 keep the size below 2^60, far from overflow.
const MAX_SIZE_DIGITS: usize = 15;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    SizeLine,
    Data { remaining: u64 },
    DataCr,
    DataLf,
    TrailerLine,
    Done,
}

/// What one call to [`ChunkedFramer::consume`] did.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Progress {
    /// Bytes of the input that belong to this message (forward exactly these).
    pub consumed: usize,
    /// The message ended with them.
    pub done: bool,
}

/// One chunked message's framing state. Not thread-safe; one per message.
#[derive(Debug)]
pub struct ChunkedFramer {
    state: State,
    line: Vec<u8>,
    trailer_bytes: usize,
}

impl Default for ChunkedFramer {
    fn default() -> Self {
        ChunkedFramer {
            state: State::SizeLine,
            line: Vec::new(),
            trailer_bytes: 0,
        }
    }
}

fn chunk_error(reason: &'static str) -> Rejection {
    Rejection::new(400, SEC_CHUNKED, reason)
}

fn extension_error(reason: &'static str) -> Rejection {
    Rejection::new(400, SEC_CHUNK_EXT, reason)
}

impl ChunkedFramer {
    /// Consumes a prefix of `input`: up to the end of the message, or all of it. With `decoded`, appends
    /// the chunk data without its framing (for an HTTP/1.0 client). A framing error is answered 400 (the
    /// caller turns it into 502 for an upstream); the framer must not be used after an error.
    pub fn consume(
        &mut self,
        input: &[u8],
        mut decoded: Option<&mut Vec<u8>>,
    ) -> Result<Progress, Rejection> {
        let mut at = 0;
        while at < input.len() {
            match self.state {
                State::Done => break,
                State::Data { remaining } => {
                    let take = remaining.min((input.len() - at) as u64) as usize;
                    if let Some(decoded) = decoded.as_deref_mut() {
                        decoded.extend_from_slice(&input[at..at + take]);
                    }
                    at += take;
                    let remaining = remaining - take as u64;
                    self.state = if remaining == 0 {
                        State::DataCr
                    } else {
                        State::Data { remaining }
                    };
                }
                State::DataCr | State::DataLf => {
                    let expected = if self.state == State::DataCr {
                        b'\r'
                    } else {
                        b'\n'
                    };
                    if input[at] != expected {
                        return Err(chunk_error("chunk data not followed by CRLF"));
                    }
                    at += 1;
                    self.state = if expected == b'\r' {
                        State::DataLf
                    } else {
                        State::SizeLine
                    };
                }
                State::SizeLine | State::TrailerLine => {
                    at += self.take_line_byte(input[at])?;
                }
            }
        }
        Ok(Progress {
            consumed: at,
            done: self.state == State::Done,
        })
    }

    /// Adds one byte to the size or trailer line being collected and finishes the line at its LF.
    /// Returns 1 (the byte consumed).
    fn take_line_byte(&mut self, byte: u8) -> Result<usize, Rejection> {
        if self.state == State::TrailerLine {
            self.trailer_bytes += 1;
            if self.trailer_bytes > MAX_TRAILER_BYTES {
                return Err(chunk_error("trailer section too large"));
            }
        }
        let after_cr = self.line.last() == Some(&b'\r');
        self.line.push(byte);
        if self.line.len() > MAX_LINE_BYTES {
            return Err(chunk_error("a chunk size line too long"));
        }
        match byte {
            b'\n' if !after_cr => Err(chunk_error("a bare LF in chunk framing")),
            b'\n' => {
                let line = std::mem::take(&mut self.line);
                let content = &line[..line.len() - 2];
                let result = if self.state == State::SizeLine {
                    self.finish_size_line(content)
                } else {
                    self.finish_trailer_line(content)
                };
                // Keep the allocation for the next line.
                self.line = line;
                self.line.clear();
                result.map(|()| 1)
            }
            _ if after_cr => Err(chunk_error("a bare CR in chunk framing")),
            0 => Err(chunk_error("a NUL byte in chunk framing")),
            _ => Ok(1),
        }
    }

    /// `line` is `chunk-size [ chunk-ext ]` without its CRLF.
    fn finish_size_line(&mut self, line: &[u8]) -> Result<(), Rejection> {
        let digits = line.iter().take_while(|b| b.is_ascii_hexdigit()).count();
        if digits == 0 {
            return Err(chunk_error("a chunk size that is not hexadecimal"));
        }
        if digits > MAX_SIZE_DIGITS {
            return Err(chunk_error("a chunk size too large"));
        }
        let size = line[..digits].iter().fold(0u64, |size, &b| {
            size * 16 + u64::from((b as char).to_digit(16).unwrap_or(0))
        });
        check_extensions(&line[digits..])?;
        self.state = if size == 0 {
            State::TrailerLine
        } else {
            State::Data { remaining: size }
        };
        Ok(())
    }

    fn finish_trailer_line(&mut self, line: &[u8]) -> Result<(), Rejection> {
        if line.is_empty() {
            self.state = State::Done;
            return Ok(());
        }
        check_field_line(line, 400).map_err(|field| Rejection::new(400, SEC_TRAILER, field.reason))
    }
}

/// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ) (RFC 9112 section 7.1.1),
/// where a value is a token or a quoted-string.
fn check_extensions(mut ext: &[u8]) -> Result<(), Rejection> {
    let skip_whitespace =
        |s: &[u8]| -> usize { s.iter().take_while(|&&b| is_whitespace(b)).count() };
    let token_length = |s: &[u8]| -> usize { s.iter().take_while(|&&b| is_token_byte(b)).count() };
    while !ext.is_empty() {
        ext = &ext[skip_whitespace(ext)..];
        if ext.first() != Some(&b';') {
            return Err(extension_error(
                "bytes after the chunk size that are not a chunk extension",
            ));
        }
        ext = &ext[1..];
        ext = &ext[skip_whitespace(ext)..];
        let name = token_length(ext);
        if name == 0 {
            return Err(extension_error("a chunk extension without a name"));
        }
        ext = &ext[name..];
        let before_equals = skip_whitespace(ext);
        if ext.get(before_equals) != Some(&b'=') {
            continue;
        }
        ext = &ext[before_equals + 1..];
        ext = &ext[skip_whitespace(ext)..];
        if ext.first() == Some(&b'"') {
            ext = &ext[quoted_string_length(ext)?..];
        } else {
            let value = token_length(ext);
            if value == 0 {
                return Err(extension_error("a chunk extension with an empty value"));
            }
            ext = &ext[value..];
        }
    }
    Ok(())
}

/// The length of the quoted-string at the start of `s` (which starts with a quote), both quotes included.
fn quoted_string_length(s: &[u8]) -> Result<usize, Rejection> {
    let mut at = 1;
    while at < s.len() {
        match s[at] {
            b'\\' if at + 1 < s.len() => at += 2,
            b'"' => return Ok(at + 1),
            b if is_field_value_byte(b) => at += 1,
            _ => break,
        }
    }
    Err(extension_error(
        "an unterminated or invalid quoted chunk extension value",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `body` whole, or one byte at a time; returns (consumed, done, decoded) or the rejection.
    fn run(body: &[u8], bytewise: bool) -> Result<(usize, bool, Vec<u8>), Rejection> {
        let mut framer = ChunkedFramer::default();
        let mut decoded = Vec::new();
        if !bytewise {
            let progress = framer.consume(body, Some(&mut decoded))?;
            return Ok((progress.consumed, progress.done, decoded));
        }
        let mut consumed = 0;
        for i in 0..body.len() {
            let progress = framer.consume(&body[i..i + 1], Some(&mut decoded))?;
            consumed += progress.consumed;
            if progress.done {
                return Ok((consumed, true, decoded));
            }
        }
        Ok((consumed, false, decoded))
    }

    fn section(body: &[u8]) -> &'static str {
        run(body, false).expect_err("must be refused").section
    }

    #[test]
    fn decodes_and_stops_at_the_end_of_the_message() {
        let body = b"5\r\nhello\r\n1;name=value;q=\"a b\"\r\n!\r\n0\r\nX-T: 1\r\n\r\nGET /next";
        for bytewise in [false, true] {
            let (consumed, done, decoded) = run(body, bytewise).unwrap();
            assert!(done);
            assert_eq!(decoded, b"hello!");
            assert_eq!(&body[consumed..], b"GET /next");
        }
    }

    #[test]
    fn needs_more_until_the_last_chunk_and_trailers() {
        let (consumed, done, _) = run(b"5\r\nhel", false).unwrap();
        assert_eq!((consumed, done), (6, false));
        assert!(!run(b"0\r\n", false).unwrap().1);
    }

    #[test]
    fn malformed_chunk_size_rfc9112_section_7_1() {
        for body in [
            &b"x\r\n"[..],
            b"-5\r\n",
            b"+5\r\n",
            b" 5\r\n",
            b"\r\n",
            b"1234567890abcdef0\r\n",
        ] {
            assert_eq!(section(body), SEC_CHUNKED, "{body:?}");
        }
        // "0x5": the 0 is a size, the x is no extension.
        assert!(section(b"0x5\r\n").starts_with(SEC_CHUNKED));
    }

    #[test]
    fn bytes_after_size_that_are_no_extension_rfc9112_section_7_1_1() {
        for body in [
            &b"5 \r\n"[..],
            b"5x\r\n",
            b"5;\r\n",
            b"5;a=\r\n",
            b"5;a=\"b\r\n",
        ] {
            assert_eq!(section(body), SEC_CHUNK_EXT, "{body:?}");
        }
    }

    #[test]
    fn missing_crlf_after_data_rfc9112_section_7_1() {
        for body in [
            &b"5\r\nhelloX\r\n0\r\n\r\n"[..],
            b"5\r\nhello\n0\r\n\r\n",
            b"5\nhello\r\n",
            b"5\r\r\n",
        ] {
            assert_eq!(section(body), SEC_CHUNKED, "{body:?}");
        }
    }

    #[test]
    fn invalid_trailer_field_rfc9112_section_7_1_2() {
        assert_eq!(section(b"0\r\nX-T : 1\r\n\r\n"), SEC_TRAILER);
        assert_eq!(section(b"0\r\n folded\r\n\r\n"), SEC_TRAILER);
    }

    #[test]
    fn endless_size_line_and_trailers_are_bounded() {
        let mut endless = b"5;".to_vec();
        endless.extend(std::iter::repeat_n(b'a', 10_000));
        assert!(run(&endless, false).is_err());
        let mut trailers = b"0\r\n".to_vec();
        for _ in 0..2000 {
            trailers.extend_from_slice(b"X-T: 1234567\r\n");
        }
        assert!(run(&trailers, false).is_err());
    }
}
