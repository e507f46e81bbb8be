//! The input files: a corpus of documents (SPEC.md: lines split on `\n` only, a last line without `\n`
//! counts when not empty, UTF-8 required) and, for `decode`, lines of space-separated ids.

/// The documents of `text`, borrowed from it. Fails naming the first line that is not UTF-8 (1-based)
/// and the byte in it.
pub fn documents(text: &[u8]) -> Result<Vec<&str>, String> {
    let text = match std::str::from_utf8(text) {
        Ok(text) => text,
        Err(error) => {
            let bad = error.valid_up_to();
            let line_start = text[..bad]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let line = text[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(format!(
                "line {line}, byte {}: invalid UTF-8; the input must be UTF-8 text",
                bad - line_start + 1
            ));
        }
    };
    Ok(lines(text).collect())
}

/// Each line of `decode`'s input as ids. Fails naming the first line with something else in it.
pub fn id_lines(text: &[u8]) -> Result<Vec<Vec<u32>>, String> {
    let text = String::from_utf8_lossy(text);
    lines(&text)
        .enumerate()
        .map(|(index, line)| {
            line.split(' ')
                .filter(|field| !field.is_empty())
                .map(|field| {
                    field.parse::<u32>().map_err(|_| {
                        format!(
                            "line {}: expected space-separated ids, found '{field}'",
                            index + 1
                        )
                    })
                })
                .collect()
        })
        .collect()
}

fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.strip_suffix('\n').unwrap_or(text).split('\n').filter({
        let empty = text.is_empty();
        move |_| !empty
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_lines_split_on_newline_only() {
        assert_eq!(documents(b"a\r\n\nb").unwrap(), ["a\r", "", "b"]);
        assert_eq!(documents(b"a\n").unwrap(), ["a"]);
        assert_eq!(documents(b"a\n\n").unwrap(), ["a", ""]);
        assert!(documents(b"").unwrap().is_empty());
        assert_eq!(documents(b"\n").unwrap(), [""]);
    }

    #[test]
    fn invalid_utf8_names_its_line_and_byte() {
        let error = documents(b"ok\nfine\nab\xFFc\n").unwrap_err();
        assert!(
            error.starts_with("line 3, byte 3: invalid UTF-8"),
            "{error}"
        );
    }

    #[test]
    fn id_lines_parse_and_refuse_other_text() {
        assert_eq!(
            id_lines(b"1 2\n\n3\n").unwrap(),
            [vec![1, 2], vec![], vec![3]]
        );
        assert!(id_lines(b"1 x\n").unwrap_err().starts_with("line 1:"));
    }
}
