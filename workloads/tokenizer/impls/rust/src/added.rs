//! Added and special tokens, cut out of a document before pre-tokenization, as HF's `AddedVocabulary`
//! does: one Aho-Corasick automaton, leftmost-longest, for the tokens with `normalized: false` (run on
//! the whole document), then one for those with `normalized: true` (run on the gaps; without a normalizer
//! the gaps are unchanged text). `single_word`, `lstrip` and `rstrip` then apply HF's rules to each match.
//!
//! Ids are HF's too: HF does not take an added token's id from the file but registers the tokens one by
//! one, in file order, giving each the id its content already has (in the added tokens or the model's
//! vocabulary) or the next free one; the file's id only draws a warning when it differs. For a consistent
//! file the two agree.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::unicode::CharClasses;

/// One added token, as `tokenizer.json`'s `added_tokens` lists it (less its id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AddedToken {
    pub content: String,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
    pub normalized: bool,
    pub special: bool,
}

/// A piece of a document after extraction: an added token's id, or text for the pre-tokenizer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Token(u32),
    Text(Range<usize>),
}

/// The tokens of one automaton, in the automaton's pattern order, each with its id and the flags of the
/// token registered last under that id (HF looks the flags up by id).
struct MatchingSet {
    automaton: AhoCorasick,
    tokens: Vec<(u32, AddedToken)>,
}

/// Immutable; shared by all threads.
pub struct AddedVocabulary {
    raw: Option<MatchingSet>,
    normalized: Option<MatchingSet>,
    /// Every registered id and its token: what `decode` prefers to the model's vocabulary.
    by_id: FxHashMap<u32, AddedToken>,
}

impl AddedVocabulary {
    /// Registers `tokens` (in file order) as HF does against the model's `vocab`.
    pub fn new(tokens: Vec<AddedToken>, vocab: &FxHashMap<String, u32>) -> Self {
        let mut ids: FxHashMap<String, u32> = FxHashMap::default();
        let mut by_id: FxHashMap<u32, AddedToken> = FxHashMap::default();
        let mut special_contents = FxHashSet::default();
        let (mut special, mut ordinary) = (Vec::new(), Vec::new());
        for token in tokens {
            if token.special
                && !token.content.is_empty()
                && special_contents.insert(token.content.clone())
            {
                special.push(token.clone());
            }
            if token.content.is_empty() || by_id.values().any(|known| *known == token) {
                continue;
            }
            let vocab_size = vocab.len() as u32;
            let id = match ids
                .get(&token.content)
                .or_else(|| vocab.get(&token.content))
            {
                Some(&id) => id,
                None => match ids.values().max() {
                    Some(&max) if max >= vocab_size || vocab_size == 0 => max + 1,
                    _ => vocab_size,
                },
            };
            ids.insert(token.content.clone(), id);
            by_id.insert(id, token.clone());
            if !special_contents.contains(&token.content) {
                ordinary.push(token);
            }
        }
        let (normalized, raw): (Vec<_>, Vec<_>) = special
            .iter()
            .chain(&ordinary)
            .map(|token| {
                let id = ids[&token.content];
                (token.normalized, (id, by_id[&id].clone()))
            })
            .partition(|(normalized, _)| *normalized);
        let strip = |entries: Vec<(bool, (u32, AddedToken))>| entries.into_iter().map(|(_, e)| e);
        AddedVocabulary {
            raw: MatchingSet::new(strip(raw).collect()),
            normalized: MatchingSet::new(strip(normalized).collect()),
            by_id,
        }
    }

    /// Every added token's id and content.
    pub fn contents(&self) -> impl Iterator<Item = (u32, &str)> {
        self.by_id
            .iter()
            .map(|(&id, token)| (id, token.content.as_str()))
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
    fn new(tokens: Vec<(u32, AddedToken)>) -> Option<Self> {
        if tokens.is_empty() {
            return None;
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(tokens.iter().map(|(_, token)| &token.content))
            .expect("added tokens are few and short enough for an automaton");
        Some(MatchingSet { automaton, tokens })
    }

    /// HF's `AddedVocabulary::find_matches` on `text` (which starts at `base` in the document): appends
    /// the tokens and the gaps between them, covering `text`.
    fn find(&self, text: &str, base: usize, classes: &CharClasses, out: &mut Vec<Segment>) {
        let mut start_offset = 0;
        for found in self.automaton.find_iter(text) {
            let (id, token) = &self.tokens[found.pattern().as_usize()];
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
            out.push(Segment::Token(*id));
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

    fn token(content: &str) -> AddedToken {
        AddedToken {
            content: content.to_string(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
            special: false,
        }
    }

    /// A model vocabulary of `size` tokens that are not added ones.
    fn vocab(size: u32) -> FxHashMap<String, u32> {
        (0..size).map(|id| (format!("v{id}"), id)).collect()
    }

    fn split(vocabulary: &AddedVocabulary, text: &str) -> Vec<Segment> {
        let mut out = Vec::new();
        vocabulary.split(text, &CharClasses::new(), &mut out);
        out
    }

    #[test]
    fn leftmost_longest_wins() {
        let vocabulary = AddedVocabulary::new(vec![token("<a>"), token("<a><b>")], &vocab(1));
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
        let vocabulary = AddedVocabulary::new(
            vec![AddedToken {
                single_word: true,
                ..token("cat")
            }],
            &vocab(5),
        );
        assert_eq!(split(&vocabulary, "cats"), [Segment::Text(0..4)]);
        assert_eq!(split(&vocabulary, "écat"), [Segment::Text(0..5)]);
        assert_eq!(
            split(&vocabulary, "a cat."),
            [Segment::Text(0..2), Segment::Token(5), Segment::Text(5..6)]
        );
    }

    #[test]
    fn lstrip_and_rstrip_take_the_whitespace_around() {
        let vocabulary = AddedVocabulary::new(
            vec![
                AddedToken {
                    lstrip: true,
                    ..token("<l>")
                },
                AddedToken {
                    rstrip: true,
                    ..token("<r>")
                },
            ],
            &vocab(1),
        );
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
        let vocabulary = AddedVocabulary::new(
            vec![
                token("<s>"),
                AddedToken {
                    normalized: true,
                    ..token("s>x")
                },
            ],
            &vocab(1),
        );
        assert_eq!(
            split(&vocabulary, "<s>x s>x"),
            [Segment::Token(1), Segment::Text(3..5), Segment::Token(2)]
        );
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    fn named(content: &str, special: bool) -> AddedToken {
        AddedToken {
            content: content.to_string(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: !special,
            special,
        }
    }

    #[test]
    fn ids_are_assigned_as_hf_registers_the_tokens() {
        let vocab: FxHashMap<String, u32> = [("a", 0), ("b", 1), ("in_vocab", 2)]
            .into_iter()
            .map(|(t, id)| (t.to_string(), id))
            .collect();
        let vocabulary = AddedVocabulary::new(
            vec![
                named("<s>", true),
                named("in_vocab", false),
                named("<t>", false),
                named("<s>", true), // an exact duplicate: ignored
                named("", true),    // empty: ignored
            ],
            &vocab,
        );
        let mut ids: Vec<(u32, &str)> = vocabulary.contents().collect();
        ids.sort_unstable();
        assert_eq!(ids, [(2, "in_vocab"), (3, "<s>"), (4, "<t>")]);
    }
}
