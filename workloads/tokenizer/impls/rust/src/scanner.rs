//! Hand-written matchers for the two pre-tokenizer regexes nearly every byte-level `tokenizer.json` uses,
//! GPT-2's and Llama-3's. They give exactly the matches Oniguruma gives (alternation order, greedy runs,
//! the one-character backtrack of `\s+(?!\S)`), at a fraction of the cost of running the regex; any other
//! pattern runs on Oniguruma itself. The tests below check them equal to Oniguruma on the committed
//! corpora and on random strings, as SPEC.md requires.

use std::ops::Range;

use crate::unicode::{CharClass, CharClasses};

/// GPT-2's pre-tokenizer regex, the one HF's `ByteLevel` uses when `use_regex` is true.
pub const GPT2_PATTERN: &str =
    r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

/// Llama-3's pre-tokenizer regex, as its `tokenizer.json`'s `Split` step has it.
pub const LLAMA3_PATTERN: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scanner {
    Gpt2,
    Llama3,
}

impl Scanner {
    /// The scanner that implements `pattern` exactly, if there is one.
    pub fn for_pattern(pattern: &str) -> Option<Scanner> {
        match pattern {
            GPT2_PATTERN => Some(Scanner::Gpt2),
            LLAMA3_PATTERN => Some(Scanner::Llama3),
            _ => None,
        }
    }

    /// Appends the pattern's matches in `text`, left to right, to `out`. Both patterns match at every
    /// position, so the matches cover the text.
    pub fn find_matches(self, text: &str, classes: &CharClasses, out: &mut Vec<Range<usize>>) {
        let cursor = Cursor { text, classes };
        let mut start = 0;
        while start < text.len() {
            let end = match self {
                Scanner::Gpt2 => cursor.gpt2_match(start),
                Scanner::Llama3 => cursor.llama3_match(start),
            };
            out.push(start..end);
            start = end;
        }
    }
}

/// One character of the text: what it is, its class, and where the next one starts.
#[derive(Clone, Copy)]
struct Char {
    c: char,
    class: CharClass,
    end: usize,
}

struct Cursor<'a> {
    text: &'a str,
    classes: &'a CharClasses,
}

impl Cursor<'_> {
    /// The character starting at byte `pos`, if any. `pos` is a char boundary: the text's start or where a
    /// character or an ASCII byte of a match ends (the `unchecked` build relies on it).
    #[inline]
    fn at(&self, pos: usize) -> Option<Char> {
        let byte = *self.text.as_bytes().get(pos)?;
        let (c, len) = if byte.is_ascii() {
            (byte as char, 1)
        } else {
            #[cfg(not(feature = "unchecked"))]
            let rest = &self.text[pos..];
            // SAFETY: `pos < text.len()` (its byte was just read) and a char boundary (see above).
            #[cfg(feature = "unchecked")]
            let rest = unsafe { self.text.get_unchecked(pos..) };
            let c = rest.chars().next()?;
            (c, c.len_utf8())
        };
        Some(Char {
            c,
            class: self.classes.of(c),
            end: pos + len,
        })
    }

    /// Where the run of `class` characters starting at `pos` ends.
    #[inline]
    fn run_end(&self, mut pos: usize, class: CharClass) -> usize {
        while let Some(next) = self.at(pos).filter(|next| next.class == class) {
            pos = next.end;
        }
        pos
    }

    /// `\s+(?!\S)|\s+` at the whitespace character at `start`: the whole run at the end of the text;
    /// otherwise the run less its last character (which the lookahead needs), unless that leaves nothing,
    /// when `\s+` takes the one character. Also returns where the run ends.
    fn trailing_space(&self, start: usize) -> (usize, usize) {
        let (mut end, mut last_start) = (start, start);
        while let Some(next) = self.at(end).filter(|next| next.class == CharClass::Space) {
            last_start = end;
            end = next.end;
        }
        let matched = if end == self.text.len() || last_start == start {
            end
        } else {
            last_start
        };
        (matched, end)
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+` at `start`.
    fn gpt2_match(&self, start: usize) -> usize {
        let bytes = self.text.as_bytes();
        let first = self.at(start).expect("start is inside the text");
        if first.c == '\'' {
            match (bytes.get(start + 1), bytes.get(start + 2)) {
                (Some(b's' | b't' | b'm' | b'd'), _) => return start + 2,
                (Some(b'r'), Some(b'e')) | (Some(b'v'), Some(b'e')) | (Some(b'l'), Some(b'l')) => {
                    return start + 3;
                }
                _ => {}
            }
        }
        if first.c == ' ' {
            if let Some(next) = self
                .at(first.end)
                .filter(|next| next.class != CharClass::Space)
            {
                return self.run_end(next.end, next.class);
            }
        }
        if first.class != CharClass::Space {
            return self.run_end(first.end, first.class);
        }
        self.trailing_space(start).0
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|`
    /// `\s*[\r\n]+|\s+(?!\S)|\s+` at `start`.
    fn llama3_match(&self, start: usize) -> usize {
        let first = self.at(start).expect("start is inside the text");
        let second = self.at(first.end);
        if first.c == '\'' {
            if let Some(end) = self.contraction(second) {
                return end;
            }
        }
        if first.class == CharClass::Letter {
            return self.run_end(first.end, CharClass::Letter);
        }
        let is_newline = |c: char| c == '\r' || c == '\n';
        if let Some(next) = second {
            if first.class != CharClass::Number
                && !is_newline(first.c)
                && next.class == CharClass::Letter
            {
                return self.run_end(next.end, CharClass::Letter);
            }
        }
        if first.class == CharClass::Number {
            let mut end = first.end;
            for _ in 1..3 {
                match self.at(end).filter(|more| more.class == CharClass::Number) {
                    Some(more) => end = more.end,
                    None => break,
                }
            }
            return end;
        }
        let others_from = match second {
            _ if first.class == CharClass::Other => Some(first.end),
            Some(next) if first.c == ' ' && next.class == CharClass::Other => Some(next.end),
            _ => None,
        };
        if let Some(from) = others_from {
            let end = self.run_end(from, CharClass::Other);
            let newlines = self.text.as_bytes()[end..]
                .iter()
                .take_while(|&&b| b == b'\r' || b == b'\n')
                .count();
            return end + newlines;
        }
        // Whitespace: `\s*[\r\n]+` ends after the run's last newline, if it has one.
        let (matched, run_end) = self.trailing_space(start);
        match self.text.as_bytes()[start..run_end]
            .iter()
            .rposition(|&b| b == b'\r' || b == b'\n')
        {
            Some(last_newline) => start + last_newline + 1,
            None => matched,
        }
    }

    /// `(?i:s|t|re|ve|m|ll|d)` after an apostrophe, with Unicode simple case folding (`s` also matches
    /// U+017F, the long s): where the contraction ends.
    fn contraction(&self, second: Option<Char>) -> Option<usize> {
        let folds_to = |c: char, lower: char| {
            c.to_ascii_lowercase() == lower && c.is_ascii() || (lower == 's' && c == '\u{17F}')
        };
        let second = second?;
        if ['s', 't', 'm', 'd'].iter().any(|&l| folds_to(second.c, l)) {
            return Some(second.end);
        }
        let third = self.at(second.end)?;
        let pairs = [('r', 'e'), ('v', 'e'), ('l', 'l')];
        pairs
            .iter()
            .any(|&(a, b)| folds_to(second.c, a) && folds_to(third.c, b))
            .then_some(third.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each scanner beside its pattern compiled by Oniguruma (HF's engine).
    struct Reference {
        classes: CharClasses,
        patterns: Vec<(Scanner, onig::Regex)>,
    }

    impl Reference {
        fn new() -> Self {
            let compile = |pattern| onig::Regex::new(pattern).unwrap();
            Reference {
                classes: CharClasses::new(),
                patterns: vec![
                    (Scanner::Gpt2, compile(GPT2_PATTERN)),
                    (Scanner::Llama3, compile(LLAMA3_PATTERN)),
                ],
            }
        }

        fn assert_equal_to_oniguruma(&self, text: &str) {
            for (scanner, regex) in &self.patterns {
                // What Oniguruma itself matches, iterated the way HF iterates it.
                let expected: Vec<Range<usize>> =
                    regex.find_iter(text).map(|(s, e)| s..e).collect();
                assert_eq!(
                    scanner_matches(*scanner, text, &self.classes),
                    expected,
                    "{scanner:?} on {text:?}"
                );
            }
        }
    }

    fn scanner_matches(scanner: Scanner, text: &str, classes: &CharClasses) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        scanner.find_matches(text, classes, &mut out);
        out
    }

    #[test]
    fn the_scanners_are_found_by_their_patterns() {
        assert_eq!(Scanner::for_pattern(GPT2_PATTERN), Some(Scanner::Gpt2));
        assert_eq!(Scanner::for_pattern(LLAMA3_PATTERN), Some(Scanner::Llama3));
        assert_eq!(Scanner::for_pattern(r"\s+"), None);
    }

    #[test]
    fn known_splits() {
        let classes = CharClasses::new();
        let words = |scanner, text: &'static str| -> Vec<&'static str> {
            scanner_matches(scanner, text, &classes)
                .into_iter()
                .map(|r| &text[r])
                .collect()
        };
        assert_eq!(
            words(Scanner::Gpt2, "Hello world's  end 123\n"),
            ["Hello", " world", "'s", " ", " end", " 123", "\n"]
        );
        assert_eq!(
            words(Scanner::Llama3, "I'LL pay 12345 now!!\r\n\n  x"),
            [
                "I", "'LL", " pay", " ", "123", "45", " now", "!!\r\n\n", " ", " x"
            ]
        );
    }

    #[test]
    fn equal_to_oniguruma_on_the_committed_corpora() {
        let reference = Reference::new();
        for corpus in [
            include_str!("../../../data/corpora/sample.txt"),
            include_str!("../../../data/corpora/adversarial.txt"),
        ] {
            for line in corpus.split('\n') {
                reference.assert_equal_to_oniguruma(line);
            }
            // Whole corpora too: newlines inside the text, as a Split step sees them.
            reference.assert_equal_to_oniguruma(corpus);
        }
    }

    #[test]
    fn equal_to_oniguruma_on_random_strings() {
        // Characters each branch of the two patterns cares about, and some it does not.
        let alphabet: Vec<char> =
            " \t\r\n\u{A0}\u{3000}\u{85}'sStTrReEvVmMlLdDſaZé中ـ\u{301}09٣Ⅻ½!?-._😀\u{200D}\u{1C}\u{1C89}\u{0C5C}"
                .chars()
                .collect();
        let reference = Reference::new();
        // A fixed linear congruential generator: the same 20,000 strings on every run.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |bound: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % bound
        };
        for _ in 0..20_000 {
            let length = next(12);
            let text: String = (0..length)
                .map(|_| alphabet[next(alphabet.len())])
                .collect();
            reference.assert_equal_to_oniguruma(&text);
        }
    }
}
