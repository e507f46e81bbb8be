//! The BPE model of a byte-level tokenizer: the vocabulary, the merges by rank, and HF's merge loop.
//!
//! Design: vocabulary strings are turned back into raw bytes at load time, so a word is encoded from its
//! own bytes (one table lookup per byte) and merges are looked up by pair of ids in one hash map. The merge
//! loop is HF's `Word::merge_all`: a min-heap of (rank, position) over a linked list of symbols, O(n log n)
//! in the word's length, so a run of one character a megabyte long costs no more than any other megabyte.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use rustc_hash::FxHashMap;

use crate::byte_level::{BYTE_CHARS, token_bytes};
use crate::hot_index::{index, index_mut};

/// The model's options besides the vocabulary and merges (the fields of HF's `BPE`).
#[derive(Clone, Debug, Default)]
pub struct BpeOptions {
    /// The `unk_token`'s id, when the file names one.
    pub unk_id: Option<u32>,
    pub fuse_unk: bool,
    pub byte_fallback: bool,
    pub ignore_merges: bool,
}

/// Immutable after construction; `encode_word` may run on any number of threads at once.
pub struct BpeModel {
    /// The id of each single byte's token, when the vocabulary has it.
    byte_ids: [Option<u32>; 256],
    /// The ids of the `<0xXX>` tokens, for `byte_fallback`.
    fallback_ids: [Option<u32>; 256],
    /// (left id, right id) -> (rank, merged id).
    merges: FxHashMap<(u32, u32), (u32, u32)>,
    /// Raw bytes -> id of every byte-level token, for `ignore_merges`; empty otherwise.
    whole_words: FxHashMap<Vec<u8>, u32>,
    options: BpeOptions,
}

/// Buffers reused from word to word, one set per thread.
#[derive(Default)]
pub struct MergeScratch {
    symbols: Vec<Symbol>,
    queue: BinaryHeap<Reverse<(u32, usize, u32)>>,
}

/// One symbol of a word being merged: its id and its live neighbours (a linked list over a vector).
#[derive(Clone, Copy)]
struct Symbol {
    id: u32,
    prev: Option<usize>,
    next: Option<usize>,
    alive: bool,
}

impl BpeModel {
    /// `vocab`: token string (byte-level alphabet) to id. `merges`: pairs of token strings, by rank; a
    /// pair listed twice keeps its last rank, as in HF. Fails saying which merge is unusable.
    pub fn new(
        vocab: &FxHashMap<String, u32>,
        merges: &[(String, String)],
        options: BpeOptions,
    ) -> Result<Self, String> {
        let mut byte_ids = [None; 256];
        let mut fallback_ids = [None; 256];
        for byte in 0..=255u8 {
            byte_ids[byte as usize] = vocab.get(&BYTE_CHARS[byte as usize].to_string()).copied();
            fallback_ids[byte as usize] = vocab.get(&format!("<0x{byte:02X}>")).copied();
        }
        let mut merge_map = FxHashMap::with_capacity_and_hasher(merges.len(), Default::default());
        for (rank, (left, right)) in merges.iter().enumerate() {
            let id = |token: &str| {
                vocab.get(token).copied().ok_or_else(|| {
                    format!(
                        "model.merges[{rank}] ('{left} {right}') needs '{token}', which is not in model.vocab"
                    )
                })
            };
            let key = (id(left)?, id(right)?);
            merge_map.insert(key, (rank as u32, id(&format!("{left}{right}"))?));
        }
        let whole_words = if options.ignore_merges {
            vocab
                .iter()
                .filter_map(|(token, &id)| Some((token_bytes(token)?, id)))
                .collect()
        } else {
            FxHashMap::default()
        };
        Ok(BpeModel {
            byte_ids,
            fallback_ids,
            merges: merge_map,
            whole_words,
            options,
        })
    }

    /// Appends the ids of one pre-tokenized word (raw bytes) to `ids`.
    pub fn encode_word(&self, word: &[u8], scratch: &mut MergeScratch, ids: &mut Vec<u32>) {
        if self.options.ignore_merges {
            if let Some(&id) = self.whole_words.get(word) {
                ids.push(id);
                return;
            }
        }
        let MergeScratch { symbols, queue } = scratch;
        self.initial_symbols(word, symbols);
        // In bounds, every index of `symbols` in this loop: it is a position of `symbols`, which neither
        // grows nor shrinks here. The queue holds positions (`0..len`, then links), and the `prev` and
        // `next` links only ever hold positions: `initial_symbols` links neighbours, a merge copies links.
        let pair = |symbols: &[Symbol], left: usize| {
            let right = index!(symbols, left).next?;
            self.merges
                .get(&(index!(symbols, left).id, index!(symbols, right).id))
                .copied()
        };
        queue.clear();
        for pos in 0..symbols.len() {
            if let Some((rank, new_id)) = pair(symbols, pos) {
                queue.push(Reverse((rank, pos, new_id)));
            }
        }
        while let Some(Reverse((_, pos, new_id))) = queue.pop() {
            // An entry is stale when its left symbol was merged away or either side has changed since.
            if !index!(symbols, pos).alive || pair(symbols, pos).is_none_or(|(_, id)| id != new_id)
            {
                continue;
            }
            let right = index!(symbols, pos)
                .next
                .expect("a live pair has a right side");
            index_mut!(symbols, right).alive = false;
            let after = index!(symbols, right).next;
            index_mut!(symbols, pos).id = new_id;
            index_mut!(symbols, pos).next = after;
            if let Some(after) = after {
                index_mut!(symbols, after).prev = Some(pos);
            }
            for left in [index!(symbols, pos).prev, Some(pos)].into_iter().flatten() {
                if let Some((rank, new_id)) = pair(symbols, left) {
                    queue.push(Reverse((rank, left, new_id)));
                }
            }
        }
        ids.extend(symbols.iter().filter(|s| s.alive).map(|s| s.id));
    }

    /// One symbol per byte (HF goes per character, but each character of the byte-level alphabet is one
    /// byte). A byte without a token follows HF: byte fallback, else the unk token (fused if asked), else
    /// it is dropped.
    fn initial_symbols(&self, word: &[u8], symbols: &mut Vec<Symbol>) {
        symbols.clear();
        let mut push = |id| {
            let index = symbols.len();
            symbols.push(Symbol {
                id,
                prev: index.checked_sub(1),
                next: None,
                alive: true,
            });
            if index > 0 {
                // In bounds: `index - 1 < index`, and `index` was just pushed.
                index_mut!(symbols, index - 1).next = Some(index);
            }
        };
        let mut previous_unk = false;
        for &byte in word {
            if let Some(id) = self.byte_ids[byte as usize] {
                push(id);
                previous_unk = false;
            } else if let Some(fallback) = self.fallback(byte) {
                // HF falls back on the UTF-8 bytes of the missing character: here the byte's stand-in.
                fallback.into_iter().for_each(&mut push);
                previous_unk = false;
            } else if let Some(unk) = self.options.unk_id {
                if !(self.options.fuse_unk && previous_unk) {
                    push(unk);
                }
                previous_unk = true;
            }
        }
    }

    /// The `<0xXX>` ids of the UTF-8 bytes of `byte`'s stand-in character, when byte fallback is on and
    /// the vocabulary has them all.
    fn fallback(&self, byte: u8) -> Option<Vec<u32>> {
        if !self.options.byte_fallback {
            return None;
        }
        let mut buffer = [0u8; 4];
        BYTE_CHARS[byte as usize]
            .encode_utf8(&mut buffer)
            .bytes()
            .map(|b| self.fallback_ids[b as usize])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(tokens: &[&str], merges: &[(&str, &str)], options: BpeOptions) -> BpeModel {
        let vocab: FxHashMap<String, u32> = tokens
            .iter()
            .enumerate()
            .map(|(id, t)| (t.to_string(), id as u32))
            .collect();
        let merges: Vec<(String, String)> = merges
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        BpeModel::new(&vocab, &merges, options).unwrap()
    }

    fn encode(model: &BpeModel, word: &str) -> Vec<u32> {
        let mut ids = Vec::new();
        model.encode_word(word.as_bytes(), &mut MergeScratch::default(), &mut ids);
        ids
    }

    #[test]
    fn merges_apply_lowest_rank_first_leftmost_on_ties() {
        // a=0 b=1 ab=2 bb=3 abb=4
        let m = model(
            &["a", "b", "ab", "bb", "abb"],
            &[("b", "b"), ("a", "b"), ("ab", "b")],
            BpeOptions::default(),
        );
        assert_eq!(encode(&m, "abb"), [0, 3], "bb (rank 0) before ab");
        assert_eq!(encode(&m, "abab"), [2, 2]);
        assert_eq!(
            encode(&m, "bbb"),
            [3, 1],
            "the leftmost pair of equal rank first"
        );
    }

    #[test]
    fn a_merge_listed_twice_keeps_its_last_rank() {
        let m = model(
            &["a", "b", "c", "ab", "bc"],
            &[("a", "b"), ("b", "c"), ("a", "b")],
            BpeOptions::default(),
        );
        assert_eq!(encode(&m, "abc"), [0, 4]);
    }

    #[test]
    fn missing_bytes_are_dropped_or_unk_fused() {
        let plain = model(&["a", "<unk>"], &[], BpeOptions::default());
        assert_eq!(encode(&plain, "axxa"), [0, 0]);
        let fused = BpeOptions {
            unk_id: Some(1),
            fuse_unk: true,
            ..Default::default()
        };
        assert_eq!(
            encode(&model(&["a", "<unk>"], &[], fused), "axxa"),
            [0, 1, 0]
        );
        let unfused = BpeOptions {
            unk_id: Some(1),
            ..Default::default()
        };
        assert_eq!(
            encode(&model(&["a", "<unk>"], &[], unfused), "axxa"),
            [0, 1, 1, 0]
        );
    }

    #[test]
    fn byte_fallback_spells_a_missing_byte_with_its_stand_ins_utf8() {
        // Byte 0x00 stands for U+0100 ('Ā', UTF-8 C4 80), which this vocabulary lacks.
        let options = BpeOptions {
            byte_fallback: true,
            ..Default::default()
        };
        let m = model(&["a", "<0xC4>", "<0x80>"], &[], options);
        assert_eq!(encode(&m, "a\0a"), [0, 1, 2, 0]);
    }

    #[test]
    fn ignore_merges_takes_a_whole_word_from_the_vocabulary() {
        let options = BpeOptions {
            ignore_merges: true,
            ..Default::default()
        };
        let m = model(&["a", "b", "ab", "abab"], &[("a", "b")], options);
        assert_eq!(encode(&m, "abab"), [3]);
        assert_eq!(encode(&m, "aba"), [2, 0]);
    }

    #[test]
    fn a_merge_of_unknown_tokens_is_refused() {
        let vocab: FxHashMap<String, u32> = [("a".to_string(), 0)].into_iter().collect();
        let error = BpeModel::new(&vocab, &[("a".into(), "a".into())], BpeOptions::default())
            .err()
            .unwrap();
        assert!(
            error.contains("model.merges[0]") && error.contains("'aa'"),
            "{error}"
        );
    }

    #[test]
    fn a_long_run_of_one_letter_merges_fully() {
        let m = model(
            &["a", "aa", "aaaa"],
            &[("a", "a"), ("aa", "aa")],
            BpeOptions::default(),
        );
        assert_eq!(
            encode(&m, &"a".repeat(100_001)),
            [vec![2; 25_000], vec![0]].concat()
        );
    }
}
