//! A byte-level BPE tokenizer loaded from a Hugging Face `tokenizer.json`, giving exactly HF's ids.
//!
//! Design: encoding is HF's pipeline (added tokens, the pre-tokenizer chain, BPE per word) with the
//! byte-level mapping folded into the vocabulary at load time, so the hot path works on the document's own
//! bytes. A word's ids depend only on the word, so each thread keeps a cache of the words it has encoded
//! (in its `Workspace`, empty at start): on natural text most words repeat, and the merge loop runs about
//! once per distinct word. The `Tokenizer` itself is immutable after loading and shared by all threads.

use std::fmt;
use std::path::Path;

use rustc_hash::FxHashMap;

use crate::added::{AddedToken, AddedVocabulary, Segment};
use crate::bpe::{BpeModel, BpeOptions, MergeScratch};
use crate::byte_level::token_bytes;
use crate::config::{Merge, PreTokenizerConfig, SplitPatternConfig, TokenizerFile};
use crate::pre_tokenizer::{self, ByteLevel, PreTokenizer, Split, Splitter};
use crate::unicode::CharClasses;

/// A `tokenizer.json` that cannot be used: unreadable, not JSON, a missing or mistyped field, or an
/// unsupported model or component. The message says which, and what would work.
#[derive(Debug)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

fn unsupported<T>(message: impl Into<String>) -> Result<T, LoadError> {
    Err(LoadError(message.into()))
}

/// Immutable after loading; `encode` and `decode` may run on any number of threads at once.
pub struct Tokenizer {
    added: AddedVocabulary,
    pre_tokenizer: PreTokenizer,
    model: BpeModel,
    classes: CharClasses,
    /// The bytes each id decodes to (`None`: no token has that id).
    id_bytes: Vec<Option<Vec<u8>>>,
    byte_level_decoder: bool,
}

/// One thread's state for encoding: its word cache and reusable buffers. Not shared between threads.
#[derive(Default)]
pub struct Workspace {
    cache: FxHashMap<Box<[u8]>, Box<[u32]>>,
    segments: Vec<Segment>,
    pre: pre_tokenizer::Scratch,
    merge: MergeScratch,
    word_ids: Vec<u32>,
}

impl Workspace {
    /// Longer words are rare and not worth the memory (HF caches words under 256 characters).
    const MAX_CACHED_WORD_BYTES: usize = 256;
    /// Bounds the cache on adversarial input.
    const MAX_CACHED_WORDS: usize = 1 << 20;
}

/// An id beyond this is not a tokenizer's: it bounds the decoding table's memory.
const MAX_ID: u32 = 1 << 24;

impl Tokenizer {
    pub fn from_file(path: &Path) -> Result<Self, LoadError> {
        let text = std::fs::read(path).map_err(|error| {
            LoadError(format!(
                "cannot read {}: {error}; check the path given to --tokenizer",
                path.display()
            ))
        })?;
        Self::from_json(&text)
            .map_err(|LoadError(message)| LoadError(format!("{}: {message}", path.display())))
    }

    pub fn from_json(json: &[u8]) -> Result<Self, LoadError> {
        // serde would also read a struct from an array of its fields: a tokenizer.json is an object.
        if json.trim_ascii_start().first() != Some(&b'{') {
            return unsupported(
                "not a usable tokenizer.json: the top level must be a JSON object (expected a Hugging Face byte-level BPE file)",
            );
        }
        let file: TokenizerFile = serde_json::from_slice(json).map_err(|error| {
            LoadError(format!(
                "not a usable tokenizer.json: {error} (expected a Hugging Face byte-level BPE file)"
            ))
        })?;
        Self::from_config(file)
    }

    fn from_config(file: TokenizerFile) -> Result<Self, LoadError> {
        if let Some(version) = file.version.as_deref().filter(|v| *v != "1.0") {
            return unsupported(format!(
                "version '{version}' is not a tokenizer.json version this implementation knows (1.0)"
            ));
        }
        if file.normalizer.as_ref().is_some_and(|n| !n.is_null()) {
            return unsupported(
                "normalizer is set; this implementation supports byte-level BPE files without a normalizer (GPT-2, Llama-3 style)",
            );
        }
        let model = file.model;
        if let Some(kind) = model.kind.as_deref().filter(|kind| *kind != "BPE") {
            return unsupported(format!(
                "model.type '{kind}' is not supported: this implementation supports BPE only"
            ));
        }
        if model.dropout.is_some_and(|p| p != 0.0) {
            return unsupported(
                "model.dropout is set: BPE dropout is random, so its ids cannot be reproduced; set it to null",
            );
        }
        for (field, value) in [
            (
                "continuing_subword_prefix",
                &model.continuing_subword_prefix,
            ),
            ("end_of_word_suffix", &model.end_of_word_suffix),
        ] {
            if value.as_deref().is_some_and(|v| !v.is_empty()) {
                return unsupported(format!(
                    "model.{field} is set; byte-level BPE files do not use it and this implementation does not support it"
                ));
            }
        }
        let unk_id = match &model.unk_token {
            None => None,
            Some(unk) => match model.vocab.get(unk) {
                Some(&id) => Some(id),
                None => {
                    return unsupported(format!("model.unk_token '{unk}' is not in model.vocab"));
                }
            },
        };
        let merges = model
            .merges
            .into_iter()
            .enumerate()
            .map(|(rank, merge)| match merge {
                Merge::Pair(left, right) => Ok((left, right)),
                Merge::Legacy(text) => match text.split_once(' ') {
                    Some((left, right)) => Ok((left.to_string(), right.to_string())),
                    None => unsupported(format!(
                        "model.merges[{rank}] ('{text}') is not two tokens separated by a space"
                    )),
                },
            })
            .collect::<Result<Vec<_>, _>>()?;
        let options = BpeOptions {
            unk_id,
            fuse_unk: model.fuse_unk.unwrap_or(false),
            byte_fallback: model.byte_fallback.unwrap_or(false),
            ignore_merges: model.ignore_merges.unwrap_or(false),
        };
        let bpe = BpeModel::new(&model.vocab, &merges, options).map_err(LoadError)?;

        let Some(pre_config) = file.pre_tokenizer else {
            return unsupported(
                "pre_tokenizer is null; this implementation needs a ByteLevel pre-tokenizer (byte-level BPE)",
            );
        };
        let pre_tokenizer = build_pre_tokenizer(pre_config)?;

        let added = AddedVocabulary::new(
            file.added_tokens
                .unwrap_or_default()
                .into_iter()
                .map(|token| AddedToken {
                    content: token.content,
                    single_word: token.single_word,
                    lstrip: token.lstrip,
                    rstrip: token.rstrip,
                    normalized: token.normalized,
                    special: token.special,
                })
                .collect(),
            &model.vocab,
        );

        // Decoding table: model tokens, then added tokens (which take precedence, as in HF).
        let names = model
            .vocab
            .iter()
            .map(|(token, &id)| (id, token.as_str()))
            .chain(added.contents());
        let mut id_bytes: Vec<Option<Vec<u8>>> = Vec::new();
        for (id, name) in names {
            if id >= MAX_ID {
                return unsupported(format!(
                    "the id {id} of '{name}' is too large for a vocabulary"
                ));
            }
            if id_bytes.len() <= id as usize {
                id_bytes.resize(id as usize + 1, None);
            }
            // HF's ByteLevel decoder: a token whose characters are all in the byte alphabet stands for
            // those bytes; any other token is its own UTF-8 text.
            id_bytes[id as usize] =
                Some(token_bytes(name).unwrap_or_else(|| name.as_bytes().to_vec()));
        }
        let byte_level_decoder = file
            .decoder
            .as_ref()
            .and_then(|decoder| decoder.get("type"))
            .is_some_and(|kind| kind == "ByteLevel");

        Ok(Tokenizer {
            added,
            pre_tokenizer,
            model: bpe,
            classes: CharClasses::new(),
            id_bytes,
            byte_level_decoder,
        })
    }

    /// The ids of one document, exactly as HF's `encode(text, add_special_tokens=False)`.
    pub fn encode(&self, text: &str, workspace: &mut Workspace) -> Vec<u32> {
        let mut ids = Vec::new();
        let Workspace {
            cache,
            segments,
            pre,
            merge,
            word_ids,
        } = workspace;
        self.added.split(text, &self.classes, segments);
        for segment in segments.iter() {
            let range = match segment {
                Segment::Token(id) => {
                    ids.push(*id);
                    continue;
                }
                Segment::Text(range) => range.clone(),
            };
            self.pre_tokenizer
                .for_each_word(&text[range], &self.classes, pre, |word| {
                    let word = word.as_bytes();
                    if let Some(cached) = cache.get(word) {
                        ids.extend_from_slice(cached);
                        return;
                    }
                    word_ids.clear();
                    self.model.encode_word(word, merge, word_ids);
                    ids.extend_from_slice(word_ids);
                    if word.len() <= Workspace::MAX_CACHED_WORD_BYTES
                        && cache.len() < Workspace::MAX_CACHED_WORDS
                    {
                        cache.insert(word.into(), word_ids.as_slice().into());
                    }
                });
        }
        ids
    }

    /// HF's `decode(ids, skip_special_tokens=False)` with the ByteLevel decoder: the tokens' bytes, with
    /// invalid UTF-8 replaced by U+FFFD; unknown ids are skipped. Fails when the file's decoder is not
    /// ByteLevel.
    pub fn decode(&self, ids: &[u32]) -> Result<String, LoadError> {
        if !self.byte_level_decoder {
            return unsupported(
                "decoder is not ByteLevel; this implementation decodes byte-level BPE only",
            );
        }
        let bytes: Vec<u8> = ids
            .iter()
            .filter_map(|&id| self.id_bytes.get(id as usize)?.as_deref())
            .flatten()
            .copied()
            .collect();
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }
}

/// The chain of Split steps, which must end in exactly one ByteLevel (as GPT-2 and Llama-3 files have it).
fn build_pre_tokenizer(config: PreTokenizerConfig) -> Result<PreTokenizer, LoadError> {
    let mut steps = Vec::new();
    flatten(config, &mut steps);
    let mut splits = Vec::new();
    let mut byte_level = None;
    for (index, step) in steps.into_iter().enumerate() {
        if byte_level.is_some() {
            return unsupported(format!(
                "pre_tokenizer step {index} follows a ByteLevel step; this implementation needs ByteLevel last (as GPT-2 and Llama-3 files have it)"
            ));
        }
        match step {
            PreTokenizerConfig::Split {
                pattern,
                behavior,
                invert,
            } => {
                let regex = match pattern {
                    SplitPatternConfig::Regex(regex) => regex,
                    SplitPatternConfig::String(literal) => pre_tokenizer::escape(&literal),
                };
                let splitter = Splitter::new(&regex).map_err(|error| {
                    LoadError(format!(
                        "pre_tokenizer step {index}: the regex '{regex}' does not compile: {error}"
                    ))
                })?;
                splits.push(Split {
                    splitter,
                    behavior,
                    invert,
                });
            }
            PreTokenizerConfig::ByteLevel {
                add_prefix_space,
                use_regex,
                trim_offsets: _,
            } => byte_level = Some(ByteLevel::new(add_prefix_space, use_regex)),
            PreTokenizerConfig::Sequence { .. } => unreachable!("flattened"),
        }
    }
    match byte_level {
        Some(byte_level) => Ok(PreTokenizer { splits, byte_level }),
        None => unsupported(
            "pre_tokenizer has no ByteLevel step; this implementation supports byte-level BPE only",
        ),
    }
}

/// Sequences (nested or not) as one list of steps, in order.
fn flatten(config: PreTokenizerConfig, out: &mut Vec<PreTokenizerConfig>) {
    match config {
        PreTokenizerConfig::Sequence { pretokenizers } => pretokenizers
            .into_iter()
            .for_each(|step| flatten(step, out)),
        step => out.push(step),
    }
}
