//! The pre-tokenizer chain of a byte-level `tokenizer.json`: any number of `Split` steps (a regex or a
//! literal, HF's five delimiter behaviours, `invert`), then `ByteLevel` (an optional prefix space, an
//! optional GPT-2 regex split). Pieces are byte ranges of the document: the byte-level mapping is folded
//! into the vocabulary at load time, so no step copies text (except `add_prefix_space`, which must).

use std::ops::Range;

use serde::Deserialize;

use crate::scanner::{GPT2_PATTERN, Scanner};
use crate::unicode::CharClasses;

/// What becomes of the matches of a `Split` step (HF's `SplitDelimiterBehavior`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Behavior {
    Removed,
    Isolated,
    MergedWithPrevious,
    MergedWithNext,
    Contiguous,
}

/// A compiled pattern: a hand-written scanner where one implements it, else Oniguruma (HF's engine).
pub enum Splitter {
    Scanner(Scanner),
    Regex(onig::Regex),
}

impl Splitter {
    /// Fails with Oniguruma's reason when the pattern does not compile.
    pub fn new(pattern: &str) -> Result<Self, onig::Error> {
        match Scanner::for_pattern(pattern) {
            Some(scanner) => Ok(Splitter::Scanner(scanner)),
            None => onig::Regex::new(pattern).map(Splitter::Regex),
        }
    }

    /// HF's `Pattern::find_matches`: the matches and the gaps between them, covering `text`, each marked
    /// whether it is a match. Appends to `out`, offsets relative to `text`.
    fn find_matches(
        &self,
        text: &str,
        classes: &CharClasses,
        matches: &mut Vec<Range<usize>>,
        out: &mut Vec<(Range<usize>, bool)>,
    ) {
        if text.is_empty() {
            out.push((0..0, false));
            return;
        }
        matches.clear();
        match self {
            Splitter::Scanner(scanner) => scanner.find_matches(text, classes, matches),
            // onig's iterator skips an empty match right after a match, as HF relies on.
            Splitter::Regex(regex) => matches.extend(regex.find_iter(text).map(|(s, e)| s..e)),
        }
        let mut previous = 0;
        for found in matches.drain(..) {
            if previous != found.start {
                out.push((previous..found.start, false));
            }
            previous = found.end;
            out.push((found, true));
        }
        if previous != text.len() {
            out.push((previous..text.len(), false));
        }
    }
}

/// Oniguruma's pattern matching exactly `literal` (what HF builds with `regex::escape` for a `String`
/// pattern).
pub fn escape(literal: &str) -> String {
    let mut out = String::with_capacity(literal.len());
    for c in literal.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub struct Split {
    pub splitter: Splitter,
    pub behavior: Behavior,
    pub invert: bool,
}

pub struct ByteLevel {
    pub add_prefix_space: bool,
    /// GPT-2's split, when `use_regex` is true.
    pub splitter: Option<Splitter>,
}

/// The whole chain. Immutable; shared by all threads.
pub struct PreTokenizer {
    pub splits: Vec<Split>,
    pub byte_level: ByteLevel,
}

/// Buffers reused from word to word, one set per thread.
#[derive(Default)]
pub struct Scratch {
    pieces: Vec<Range<usize>>,
    next: Vec<Range<usize>>,
    matches: Vec<Range<usize>>,
    marked: Vec<(Range<usize>, bool)>,
    prefixed: String,
}

impl ByteLevel {
    pub fn new(add_prefix_space: bool, use_regex: bool) -> Self {
        let splitter = use_regex.then(|| Splitter::new(GPT2_PATTERN).expect("GPT-2's pattern"));
        ByteLevel {
            add_prefix_space,
            splitter,
        }
    }
}

impl PreTokenizer {
    /// Calls `word` with each word of `text`, in order: the pieces the BPE model encodes.
    pub fn for_each_word(
        &self,
        text: &str,
        classes: &CharClasses,
        scratch: &mut Scratch,
        mut word: impl FnMut(&str),
    ) {
        let Scratch {
            pieces,
            next,
            matches,
            marked,
            prefixed,
        } = scratch;
        pieces.clear();
        if !text.is_empty() {
            pieces.push(0..text.len());
        }
        for split in &self.splits {
            next.clear();
            for piece in pieces.iter() {
                marked.clear();
                split
                    .splitter
                    .find_matches(&text[piece.clone()], classes, matches, marked);
                if split.invert {
                    marked
                        .iter_mut()
                        .for_each(|(_, is_match)| *is_match = !*is_match);
                }
                let base = piece.start;
                apply_behavior(split.behavior, marked, |kept| {
                    next.push(base + kept.start..base + kept.end);
                });
            }
            std::mem::swap(pieces, next);
        }

        let byte_level = &self.byte_level;
        for piece in pieces.iter() {
            let mut piece_text = &text[piece.clone()];
            if byte_level.add_prefix_space && !piece_text.starts_with(' ') {
                prefixed.clear();
                prefixed.push(' ');
                prefixed.push_str(piece_text);
                piece_text = prefixed;
            }
            match &byte_level.splitter {
                None => word(piece_text),
                Some(splitter) => {
                    marked.clear();
                    splitter.find_matches(piece_text, classes, matches, marked);
                    apply_behavior(Behavior::Isolated, marked, |kept| word(&piece_text[kept]));
                }
            }
        }
    }
}

/// HF's `NormalizedString::split`: given the matches and gaps covering a piece (`marked`, in order),
/// calls `keep` with each non-empty piece the behaviour leaves, in order.
fn apply_behavior(
    behavior: Behavior,
    marked: &[(Range<usize>, bool)],
    mut keep: impl FnMut(Range<usize>),
) {
    let mut emit = |range: Range<usize>| {
        if !range.is_empty() {
            keep(range);
        }
    };
    match behavior {
        Behavior::Isolated => marked.iter().for_each(|(range, _)| emit(range.clone())),
        Behavior::Removed => marked
            .iter()
            .filter(|(_, is_match)| !is_match)
            .for_each(|(range, _)| emit(range.clone())),
        Behavior::Contiguous | Behavior::MergedWithPrevious => {
            // A piece joins the one before when both are matches (Contiguous: or both gaps), or, for
            // MergedWithPrevious, when it is a match following a gap.
            let mut current: Option<Range<usize>> = None;
            let mut previous_match = false;
            for (range, is_match) in marked {
                let joins = match behavior {
                    Behavior::Contiguous => *is_match == previous_match,
                    _ => *is_match && !previous_match,
                };
                match &mut current {
                    Some(open) if joins => open.end = range.end,
                    _ => {
                        if let Some(done) = current.take() {
                            emit(done);
                        }
                        current = Some(range.clone());
                    }
                }
                previous_match = *is_match;
            }
            if let Some(done) = current {
                emit(done);
            }
        }
        Behavior::MergedWithNext => {
            // The mirror image of MergedWithPrevious: a match preceding a gap joins it, from the right.
            let mut merged: Vec<Range<usize>> = Vec::new();
            let mut previous_match = false;
            for (range, is_match) in marked.iter().rev() {
                match merged.last_mut() {
                    Some(open) if *is_match && !previous_match => open.start = range.start,
                    _ => merged.push(range.clone()),
                }
                previous_match = *is_match;
            }
            merged.into_iter().rev().for_each(emit);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split_words(pre: &PreTokenizer, text: &str) -> Vec<String> {
        let classes = CharClasses::new();
        let mut words = Vec::new();
        pre.for_each_word(text, &classes, &mut Scratch::default(), |w| {
            words.push(w.to_string())
        });
        words
    }

    fn one_split(pattern: &str, behavior: Behavior, invert: bool) -> PreTokenizer {
        PreTokenizer {
            splits: vec![Split {
                splitter: Splitter::new(pattern).unwrap(),
                behavior,
                invert,
            }],
            byte_level: ByteLevel::new(false, false),
        }
    }

    #[test]
    fn the_five_behaviours_are_hfs() {
        // HF's own documentation example: "the-final--countdown" split on "-".
        let text = "the-final--countdown";
        let cases = [
            (Behavior::Removed, vec!["the", "final", "countdown"]),
            (
                Behavior::Isolated,
                vec!["the", "-", "final", "-", "-", "countdown"],
            ),
            (
                Behavior::MergedWithPrevious,
                vec!["the-", "final-", "-", "countdown"],
            ),
            (
                Behavior::MergedWithNext,
                vec!["the", "-final", "-", "-countdown"],
            ),
            (
                Behavior::Contiguous,
                vec!["the", "-", "final", "--", "countdown"],
            ),
        ];
        for (behavior, expected) in cases {
            let pre = one_split(&escape("-"), behavior, false);
            assert_eq!(split_words(&pre, text), expected, "{behavior:?}");
        }
    }

    #[test]
    fn invert_keeps_the_matches() {
        let pre = one_split(r"\p{L}+", Behavior::Removed, true);
        assert_eq!(split_words(&pre, "ab, cd!"), ["ab", "cd"]);
    }

    #[test]
    fn byte_level_adds_a_prefix_space_per_piece_and_splits_like_gpt2() {
        let pre = PreTokenizer {
            splits: vec![],
            byte_level: ByteLevel::new(true, true),
        };
        assert_eq!(split_words(&pre, "Hi there"), [" Hi", " there"]);
        assert_eq!(split_words(&pre, " Hi"), [" Hi"]);
        assert!(split_words(&pre, "").is_empty());
    }

    #[test]
    fn literals_are_escaped_for_oniguruma() {
        assert_eq!(escape("a.b"), r"a\.b");
        let pre = one_split(&escape("[x]"), Behavior::Isolated, false);
        assert_eq!(split_words(&pre, "a[x]b"), ["a", "[x]", "b"]);
    }
}
