//! `tokenizer.json` as serde reads it: only the fields this workload uses (SPEC.md, Input); unknown fields
//! are ignored, as HF ignores what it does not need for encoding. A field is required exactly where HF
//! 0.23 requires it (checked against HF by deleting each field of the committed files), so a file HF
//! refuses is refused here too, and one HF loads is not refused for a missing field. Checking what the fields say (supported
//! components, consistent ids) is `Tokenizer::from_config`'s job.

use rustc_hash::FxHashMap;
use serde::Deserialize;
use serde_json::Value;

use crate::pre_tokenizer::Behavior;

#[derive(Deserialize)]
pub struct TokenizerFile {
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub normalizer: Option<Value>,
    #[serde(default)]
    pub pre_tokenizer: Option<PreTokenizerConfig>,
    pub model: ModelConfig,
    #[serde(default)]
    pub added_tokens: Option<Vec<AddedTokenConfig>>,
    #[serde(default)]
    pub decoder: Option<Value>,
}

#[derive(Deserialize)]
pub struct ModelConfig {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub vocab: FxHashMap<String, u32>,
    pub merges: Vec<Merge>,
    #[serde(default)]
    pub dropout: Option<f64>,
    #[serde(default)]
    pub unk_token: Option<String>,
    #[serde(default)]
    pub continuing_subword_prefix: Option<String>,
    #[serde(default)]
    pub end_of_word_suffix: Option<String>,
    #[serde(default)]
    pub fuse_unk: Option<bool>,
    #[serde(default)]
    pub byte_fallback: Option<bool>,
    #[serde(default)]
    pub ignore_merges: Option<bool>,
}

/// A merge in either of HF's forms: `"a b"` (the first space separates the sides) or `["a", "b"]`.
#[derive(Deserialize)]
#[serde(untagged)]
pub enum Merge {
    Pair(String, String),
    Legacy(String),
}

#[derive(Deserialize)]
#[serde(tag = "type")]
pub enum PreTokenizerConfig {
    Sequence {
        pretokenizers: Vec<PreTokenizerConfig>,
    },
    Split {
        pattern: SplitPatternConfig,
        behavior: Behavior,
        invert: bool,
    },
    ByteLevel {
        add_prefix_space: bool,
        /// Offsets only: read because HF requires it.
        #[allow(dead_code)]
        trim_offsets: bool,
        #[serde(default = "yes")]
        use_regex: bool,
    },
}

#[derive(Deserialize)]
pub enum SplitPatternConfig {
    Regex(String),
    String(String),
}

#[derive(Deserialize)]
pub struct AddedTokenConfig {
    /// Read to check its type; HF assigns ids itself (added.rs) and only warns when this differs.
    #[allow(dead_code)]
    pub id: u32,
    pub content: String,
    pub single_word: bool,
    pub lstrip: bool,
    pub rstrip: bool,
    pub normalized: bool,
    pub special: bool,
}

fn yes() -> bool {
    true
}
