// The BPE model of a byte-level tokenizer: the vocabulary, the merges by rank, and the merge loop.
//
// Design: vocabulary strings are turned back into raw bytes at load time, so a word is encoded from its
// bytes directly (one table lookup per byte) and merges are looked up by pair of ids in one flat
// open-addressing map (Boost's unordered_flat_map: one probe of a contiguous array, where
// std::unordered_map chased a node per lookup and divided by a prime). The merges happen in HF's order,
// lowest rank first and leftmost among equal ranks, by one of the loops in bpe_merge_loops.h: short words,
// nearly all of them, by a scan of a few adjacent pairs; long ones by passes that apply a merge at every
// occurrence, handing over to per-rank position buckets (O(n) per distinct rank) when passes stop paying,
// so a run of one character a megabyte long costs about what any other megabyte costs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "bpe_merge_loops.h"

namespace claimbench::tokenizer {

struct BpeOptions {
  std::optional<uint32_t> unk_id;  // the unk_token's id, when the file names one
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class BpeModel {
 public:
  // `vocab`: token string (byte-level alphabet) to id. `merges`: pairs of token strings, by rank.
  // Throws std::invalid_argument saying which merge is unusable (a side not in the vocabulary, or a
  // result not in it).
  BpeModel(const std::unordered_map<std::string, uint32_t>& vocab,
           const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options);

  // Appends the ids of one pre-tokenized word (raw bytes, valid UTF-8) to `ids`. Thread-safe; allocates
  // only when a thread meets a longer word than it has seen (its scratch buffers grow and are kept).
  void EncodeWord(std::string_view word, std::vector<uint32_t>& ids) const;

  // The id of a one-byte word whose byte has a token, appended to `ids`; false (and nothing appended)
  // otherwise. Such a word has nothing to merge and its id is cheaper to read than to look up in a word
  // cache: a third of the words of English text are one byte (punctuation, spaces). Thread-safe.
  bool EncodeSingleByte(std::string_view word, std::vector<uint32_t>& ids) const {
    if (word.size() != 1) return false;
    const int64_t id = byte_id_[static_cast<unsigned char>(word[0])];
    if (id < 0) return false;
    ids.push_back(static_cast<uint32_t>(id));
    return true;
  }

  const BpeOptions& options() const { return options_; }
  const MergeTable& merges() const { return merges_; }  // for tests comparing the two merge loops

  // Words of at most this many symbols are merged by the scan of adjacent pairs, longer ones by the heap.
  // Both give the same ids (tested); the scan is O(n^2) with a tiny constant, the buckets O(n) with a
  // larger one. Of 16, 24, 48 and 96, 48 gave the fewest instructions on held-out, multilingual and
  // adversarial text (callgrind, 2026-12-07; NOTES.md).
  static constexpr size_t kMaxScanSymbols = 48;

 private:
  // The "<0xXX>" ids standing for the byte's stand-in character, or false when one is missing.
  bool FallbackIds(unsigned char byte, std::vector<uint32_t>& ids) const;
  // The word's symbols before any merge: one per byte (HF goes per character, but each character of the
  // byte-level alphabet is one byte), with HF's rules for bytes the vocabulary lacks.
  void InitialSymbols(std::string_view word, std::vector<uint32_t>& symbols) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return boost::hash<std::string_view>()(text); }
  };

  std::array<int64_t, 256> byte_id_;       // id of each single byte's token, -1 when the vocabulary lacks it
  std::array<int64_t, 256> fallback_id_;   // id of "<0xXX>" tokens, for byte_fallback
  MergeTable merges_;
  // raw bytes -> id, for ignore_merges; looked up by string_view, without a copy of the word
  boost::unordered_flat_map<std::string, uint32_t, StringHash, std::equal_to<>> words_;
  size_t longest_word_ = 0;  // of words_: a longer word is not looked up
  // True when two vocabulary strings share an id. Then a heap entry made stale by a merge can name the
  // same new id as the pair now in its place, and HF merges it early; only the heap reproduces that, so
  // every word takes the heap (real files never do this; the fuzz target's files can).
  bool heap_only_ = false;
  uint32_t rank_limit_ = 0;  // the number of merges in the file: every rank is below it
  std::vector<bool> batchable_;  // by rank: may MergeByPasses apply it everywhere in one pass
  BpeOptions options_;
};

}  // namespace claimbench::tokenizer
