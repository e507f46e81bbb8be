//! Added and special tokens, cut out of a document before pre-tokenization, as HF's `AddedVocabulary`
//! does: one Aho-Corasick automaton, leftmost-longest, for the tokens with `normalized: false` (run on
//! the whole document), then one for those with `normalized: true` (run on the gaps; without a normalizer
//! the gaps are unchanged text). `single_word`, `lstrip` and `rstrip` then apply HF's rules to each match.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::unicode::CharClasses;

/// One added token, as `tokenizer.json`'s `added_tokens` lists it.
#[derive(Clone, Debug)]
pub struct AddedToken {
    pub id: u32,
    pub content: String,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
    pub normalized: bool,
}

/// A piece of a document after extraction: an added token's id, or text for the pre-tokenizer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Token(u32),
    Text(Range<usize>),
}

/// The tokens of one automaton, in the automaton's pattern order.
struct MatchingSet {
    automaton: AhoCorasick,
    tokens: Vec<AddedToken>,
}

/// Immutable; shared by all threads.
pub struct AddedVocabulary {
    raw: Option<MatchingSet>,
    normalized: Option<MatchingSet>,
}

impl AddedVocabulary {
    /// `tokens` in the order HF builds its automata from them: special tokens first, then the others,
    /// each in file order. Empty contents never match (HF ignores them).
    pub fn new(tokens: Vec<AddedToken>) -> Self {
        let (normalized, raw): (Vec<_>, Vec<_>) = tokens
            .into_iter()
            .filter(|token| !token.content.is_empty())
            .partition(|token| token.normalized);
        AddedVocabulary {
            raw: MatchingSet::new(raw),
            normalized: MatchingSet::new(normalized),
        }
    }

    /// Splits `text` into tokens and gaps covering it (empty gaps omitted), into `out` (cleared first).
    pub fn split(&self, text: &str, classes: &CharClasses, out: &mut Vec<Segment>) {
        out.clear();
        if text.is_empty() {
            return;
        }
        let Some(raw) = &self.raw else {
            self.split_normalized(text, 0..text.len(), classes, out);
            return;
        };
        let mut first = Vec::new();
        raw.find(text, 0, classes, &mut first);
        for segment in first {
            match segment {
                Segment::Text(gap) => self.split_normalized(text, gap, classes, out),
                token => out.push(token),
            }
        }
    }

    fn split_normalized(
        &self,
        text: &str,
        gap: Range<usize>,
        classes: &CharClasses,
        out: &mut Vec<Segment>,
    ) {
        match &self.normalized {
            Some(set) => set.find(&text[gap.clone()], gap.start, classes, out),
            None => out.push(Segment::Text(gap)),
        }
    }
}

impl MatchingSet {
    fn new(tokens: Vec<AddedToken>) -> Option<Self> {
        if tokens.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(tokens.iter().map(|token| &token.content))
            .expect("added tokens are few and short enough for an automaton");
        Some(MatchingSet { automaton, tokens })
    }

    /// HF's `AddedVocabulary::find_matches` on `text` (which starts at `base` in the document): appends
    /// the tokens and the gaps between them, covering `text`.
    fn find(&self, text: &str, base: usize, classes: &CharClasses, out: &mut Vec<Segment>) {
        let mut start_offset = 0;
        for found in self.automaton.find_iter(text) {
            let token = &self.tokens[found.pattern().as_usize()];
            let (mut start, mut stop) = (found.start(), found.end());
            if token.single_word {
                let word_before = text[..start]
                    .chars()
                    .next_back()
                    .is_some_and(|c| classes.is_word(c));
                let word_after = text[stop..]
                    .chars()
                    .next()
                    .is_some_and(|c| classes.is_word(c));
                if word_before || word_after {
                    continue;
                }
            }
            if token.lstrip {
                let kept = text[..start]
                    .trim_end_matches(|c| classes.is_space(c))
                    .len();
                start = kept.max(start_offset);
            }
            if token.rstrip {
                let rest = &text[stop..];
                stop += rest.len() - rest.trim_start_matches(|c| classes.is_space(c)).len();
            }
            if start_offset < start {
                out.push(Segment::Text(base + start_offset..base + start));
            }
            out.push(Segment::Token(token.id));
            start_offset = stop;
        }
        if start_offset < text.len() {
            out.push(Segment::Text(base + start_offset..base + text.len()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(id: u32, content: &str) -> AddedToken {
        AddedToken {
            id,
            content: content.to_string(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
        }
    }

    fn split(vocabulary: &AddedVocabulary, text: &str) -> Vec<Segment> {
        let mut out = Vec::new();
        vocabulary.split(text, &CharClasses::new(), &mut out);
        out
    }

    #[test]
    fn leftmost_longest_wins() {
        let vocabulary = AddedVocabulary::new(vec![token(1, "<a>"), token(2, "<a><b>")]);
        assert_eq!(
            split(&vocabulary, "x<a><b>y<a>"),
            [
                Segment::Text(0..1),
                Segment::Token(2),
                Segment::Text(7..8),
                Segment::Token(1),
            ]
        );
    }

    #[test]
    fn single_word_tokens_are_skipped_inside_words() {
        let vocabulary = AddedVocabulary::new(vec![AddedToken {
            single_word: true,
            ..token(5, "cat")
        }]);
        assert_eq!(split(&vocabulary, "cats"), [Segment::Text(0..4)]);
        assert_eq!(split(&vocabulary, "écat"), [Segment::Text(0..5)]);
        assert_eq!(
            split(&vocabulary, "a cat."),
            [Segment::Text(0..2), Segment::Token(5), Segment::Text(5..6)]
        );
    }

    #[test]
    fn lstrip_and_rstrip_take_the_whitespace_around() {
        let vocabulary = AddedVocabulary::new(vec![
            AddedToken {
                lstrip: true,
                ..token(1, "<l>")
            },
            AddedToken {
                rstrip: true,
                ..token(2, "<r>")
            },
        ]);
        assert_eq!(
            split(&vocabulary, "a \u{3000}<l>b<r> \tc"),
            [
                Segment::Text(0..1),
                Segment::Token(1),
                Segment::Text(8..9),
                Segment::Token(2),
                Segment::Text(14..15),
            ]
        );
    }

    #[test]
    fn normalized_tokens_are_found_in_the_gaps_of_the_others() {
        let vocabulary = AddedVocabulary::new(vec![
            token(1, "<s>"),
            AddedToken {
                normalized: true,
                ..token(2, "s>x")
            },
        ]);
        assert_eq!(
            split(&vocabulary, "<s>x s>x"),
            [Segment::Token(1), Segment::Text(3..5), Segment::Token(2)]
        );
    }
}
