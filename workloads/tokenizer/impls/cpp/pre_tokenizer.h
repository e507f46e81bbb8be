// The pre-tokenizer steps of a byte-level tokenizer.json: Split (a regex or a literal, any of HF's five
// delimiter behaviours, invert) and ByteLevel (optional prefix space, optional GPT-2 regex). Each step
// splits every piece further; pieces are byte ranges of the document (raw bytes: the byte-level mapping is
// folded into the vocabulary at load time, so no step copies text).
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "pattern_scanner.h"
#include "regex_splitter.h"

namespace claimbench::tokenizer {

enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

struct PreTokenizerStep {
  RegexSplitter regex;  // for ByteLevel: GPT-2's pattern (used only when use_regex)
  SplitBehavior behavior = SplitBehavior::kIsolated;
  bool invert = false;
  bool byte_level = false;       // a ByteLevel step rather than a Split
  bool add_prefix_space = false; // ByteLevel only
  bool use_regex = true;         // ByteLevel only
};

// The whole chain. Immutable after construction; Split() is thread-safe.
class PreTokenizer {
 public:
  PreTokenizer() = default;
  explicit PreTokenizer(std::vector<PreTokenizerStep> steps) : steps_(std::move(steps)) {}

  // Splits `text` into the words the model sees, in order; `out` is cleared first. Pieces are views of
  // `text`, except where ByteLevel's add_prefix_space prepends a space: those live in `storage`, which must
  // outlive the use of `out`.
  void Split(std::string_view text, std::vector<std::string_view>& out, std::deque<std::string>& storage) const;

 private:
  std::vector<PreTokenizerStep> steps_;
};

}  // namespace claimbench::tokenizer
