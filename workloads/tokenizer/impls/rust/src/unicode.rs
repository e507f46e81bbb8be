//! The Unicode classes the pre-tokenizer scanners and the added-token rules look at, taken from
//! Oniguruma, the regex engine Hugging Face runs the same patterns on.
//!
//! Design: SPEC.md forbids a language's own `char` predicates here (Rust's tables are Unicode 17, the
//! bundled Oniguruma's 16.0), so each class comes from one single-character match of Oniguruma's `\p{L}`,
//! `\p{N}` and `\s`, the first time a code point is seen. Answers are remembered in a table shared by all
//! threads (relaxed atomics: a race only makes two threads ask the same question), so the scanners'
//! hot path is one load per character.

use std::sync::atomic::{AtomicU8, Ordering};

use onig::Regex;

use crate::hot_index::index;

/// What the GPT-2 and Llama-3 patterns distinguish: `\p{L}`, `\p{N}`, `\s`, and everything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CharClass {
    Other = 1,
    Letter = 2,
    Number = 3,
    Space = 4,
}

/// Thread-safe: any number of threads may classify at once.
pub struct CharClasses {
    /// One entry per code point: 0 until Oniguruma has been asked, then a `CharClass`.
    learned: Box<[AtomicU8]>,
    letter: Regex,
    number: Regex,
    space: Regex,
    /// Rust regex's `\w` (what HF's `single_word` rule uses), in Oniguruma's property names.
    word: Regex,
}

impl CharClasses {
    pub fn new() -> Self {
        let compile = |pattern: &str| Regex::new(pattern).expect("a fixed, valid pattern");
        let classes = CharClasses {
            learned: (0..=char::MAX as usize).map(|_| AtomicU8::new(0)).collect(),
            letter: compile(r"\p{L}"),
            number: compile(r"\p{N}"),
            space: compile(r"\s"),
            word: compile(r"[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}]"),
        };
        // ASCII is asked up front: the first documents then start with a warm table.
        for c in '\0'..='\x7F' {
            classes.of(c);
        }
        classes
    }

    /// The class of `c`, as Oniguruma sees it.
    #[inline]
    pub fn of(&self, c: char) -> CharClass {
        // In bounds: `learned` has an entry for every value up to `char::MAX` (`new`).
        match index!(self.learned, c as usize).load(Ordering::Relaxed) {
            2 => CharClass::Letter,
            3 => CharClass::Number,
            4 => CharClass::Space,
            1 => CharClass::Other,
            _ => self.learn(c),
        }
    }

    #[cold]
    fn learn(&self, c: char) -> CharClass {
        let mut buffer = [0u8; 4];
        let text = c.encode_utf8(&mut buffer);
        let class = if self.letter.is_match(text) {
            CharClass::Letter
        } else if self.number.is_match(text) {
            CharClass::Number
        } else if self.space.is_match(text) {
            CharClass::Space
        } else {
            CharClass::Other
        };
        self.learned[c as usize].store(class as u8, Ordering::Relaxed);
        class
    }

    /// Unicode White_Space (Oniguruma's `\s`): what `lstrip` and `rstrip` strip.
    #[inline]
    pub fn is_space(&self, c: char) -> bool {
        self.of(c) == CharClass::Space
    }

    /// Rust regex's `\w` (Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control): what
    /// touches a `single_word` token when it is part of a word. Rare, so not remembered.
    pub fn is_word(&self, c: char) -> bool {
        if c.is_ascii() {
            return c.is_ascii_alphanumeric() || c == '_';
        }
        let mut buffer = [0u8; 4];
        self.word.is_match(c.encode_utf8(&mut buffer))
    }
}

impl Default for CharClasses {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_come_from_oniguruma() {
        let classes = CharClasses::new();
        for (c, class) in [
            ('a', CharClass::Letter),
            ('Z', CharClass::Letter),
            ('中', CharClass::Letter),
            ('7', CharClass::Number),
            ('٣', CharClass::Number), // Arabic-Indic three
            ('Ⅻ', CharClass::Number), // Nl: a number, not a letter
            ('½', CharClass::Number), // No
            (' ', CharClass::Space),
            ('\u{85}', CharClass::Space),
            ('\u{3000}', CharClass::Space),
            ('\u{A0}', CharClass::Space),
            ('\u{1C}', CharClass::Other), // Python's isspace says yes; White_Space says no
            ('\u{301}', CharClass::Other), // a combining mark is neither L nor N
            ('\'', CharClass::Other),
            ('😀', CharClass::Other),
        ] {
            assert_eq!(classes.of(c), class, "{c:?}");
            assert_eq!(classes.of(c), class, "{c:?} remembered");
        }
    }

    #[test]
    fn code_points_newer_than_oniguruma_are_what_hf_says_not_what_rust_says() {
        let classes = CharClasses::new();
        // Unicode 16 (in the bundled Oniguruma 6.9.10's tables, as in HF 0.23.3's wheel): letters.
        assert_eq!(classes.of('\u{1C89}'), CharClass::Letter);
        // Unicode 17 letters (Telugu, Tai Yo): Rust's std knows them, Oniguruma and HF do not.
        for c in ['\u{0C5C}', '\u{1E6C0}'] {
            assert!(c.is_alphabetic(), "{c:?} in Rust's Unicode 17 tables");
            assert_eq!(classes.of(c), CharClass::Other, "{c:?} as HF splits it");
        }
    }

    #[test]
    fn word_characters_are_rust_regexs_w() {
        let classes = CharClasses::new();
        assert!(classes.is_word('a') && classes.is_word('_') && classes.is_word('9'));
        assert!(classes.is_word('é') && classes.is_word('\u{301}') && classes.is_word('\u{200D}'));
        assert!(!classes.is_word(' ') && !classes.is_word('-') && !classes.is_word('😀'));
    }
}
