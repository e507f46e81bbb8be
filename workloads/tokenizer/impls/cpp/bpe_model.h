// The BPE model of a byte-level tokenizer: the vocabulary, the merges by rank, and the merge loop.
//
// Design: vocabulary strings are turned back into raw bytes at load time, so a word is encoded from its
// bytes directly (one table lookup per byte) and merges are looked up by pair of ids in one hash map. The
// merge loop is HF's: a min-heap of (rank, position) over a linked list of symbols, O(n log n) in the
// word's length, so a run of one character a megabyte long costs no more than any other megabyte.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

  // Appends the ids of one pre-tokenized word (raw bytes, valid UTF-8) to `ids`. Thread-safe.
  void EncodeWord(std::string_view word, std::vector<uint32_t>& ids) const;

  const BpeOptions& options() const { return options_; }

 private:
  struct Merge {
    uint32_t rank;
    uint32_t new_id;
  };
  // The "<0xXX>" ids standing for the byte's stand-in character, or false when one is missing.
  bool FallbackIds(unsigned char byte, std::vector<uint32_t>& ids) const;
  static uint64_t PairKey(uint32_t left, uint32_t right) { return (uint64_t{left} << 32) | right; }

  std::array<int64_t, 256> byte_id_;       // id of each single byte's token, -1 when the vocabulary lacks it
  std::array<int64_t, 256> fallback_id_;   // id of "<0xXX>" tokens, for byte_fallback
  std::unordered_map<uint64_t, Merge> merges_;
  std::unordered_map<std::string, uint32_t> words_;  // raw bytes -> id, for ignore_merges
  BpeOptions options_;
};

}  // namespace claimbench::tokenizer
