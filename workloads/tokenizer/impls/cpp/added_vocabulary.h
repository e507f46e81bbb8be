// Added and special tokens: found in the text before pre-tokenization, as HF's AddedVocabulary does.
//
// Matching follows HF exactly: leftmost-longest, non-overlapping (Aho-Corasick semantics); a single_word
// token is dropped (not retried) when a word character touches it; lstrip and rstrip widen a match over
// Unicode whitespace. Tokens with normalized=false are matched on the whole text first, then those with
// normalized=true in the gaps (this reference accepts no normalizer, so the gaps are unchanged text).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "regex_splitter.h"

namespace claimbench::tokenizer {

struct AddedToken {
  uint32_t id = 0;
  std::string content;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

// One piece of a document after added-token extraction: either an added token's id or a gap of text.
struct Segment {
  Span span;
  bool is_token = false;
  uint32_t id = 0;
};

// Unicode White_Space (what Rust's regex \s means, used by lstrip and rstrip).
bool IsWhiteSpace(uint32_t code_point);
// Rust regex's \w: Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control.
bool IsWordCharacter(uint32_t code_point);

class AddedVocabulary {
 public:
  AddedVocabulary() = default;
  // `tokens` in the order HF refreshes them: special tokens first, then the others, each in file order.
  explicit AddedVocabulary(std::vector<AddedToken> tokens);

  bool empty() const { return tokens_.empty(); }

  // Splits `text` into token and gap segments covering it (empty gaps omitted), into `out` (cleared).
  // Thread-safe.
  void Split(std::string_view text, std::vector<Segment>& out) const;

 private:
  struct Set {
    std::vector<uint32_t> tokens;  // indices into tokens_
    std::array<bool, 256> first_byte{};
    // The tokens starting with each byte (indices into tokens_), so that a candidate position is compared
    // with those only: Llama-3 files have 256 reserved tokens, all starting with "<".
    std::array<std::vector<uint32_t>, 256> by_first_byte;
    // The distinct first bytes when there are at most kFewFirstBytes of them (GPT-2 and Llama-3 files
    // have one to three), found with memchr; empty when there are more, found by the table above.
    std::vector<unsigned char> few_first_bytes;
  };
  static constexpr size_t kFewFirstBytes = 4;
  // The first position at or after `pos` whose byte starts a token of `set`, or text.size().
  static size_t NextCandidate(const Set& set, std::string_view text, size_t pos);
  void FindMatches(const Set& set, std::string_view text, size_t base, std::vector<Segment>& out) const;

  std::vector<AddedToken> tokens_;
  Set raw_;         // normalized == false
  Set normalized_;  // normalized == true
};

}  // namespace claimbench::tokenizer
