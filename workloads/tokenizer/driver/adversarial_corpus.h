// The adversarial corpora: text chosen to find where implementations part from Hugging Face's ids or fall
// off their fast paths, not text a user would send. Both are made from a seed, the same bytes on every
// machine.
//
// - The adversarial corpus: long runs of one character (64 to 40,000 of it, ASCII, accented, CJK, emoji,
//   digits, whitespace), documents mixing scripts inside words (words drawn from the held-out corpus's
//   translations), emoji with ZWJ, skin-tone, flag, keycap and tag sequences, source code with its
//   indentation (Debian's Python and C files, data/adversarial_sources.txt), runs of Unicode whitespace,
//   and the lines of the committed adversarial corpus (special tokens, contractions, combining marks).
//   Every character in it was assigned by Unicode 14, which every implementation's tables know.
// - The new-code-point corpus: letters and digits assigned in Unicode 15.0, 15.1, 16.0 and 17.0, next to
//   ASCII letters, digits, spaces and punctuation, where a table that lacks them splits words differently
//   (a letter it does not know is punctuation to it; a digit it does not know breaks a run of digits).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "debian_sources.h"

namespace claimbench::tokenizer_workload {

// Documents (one per line, each ending in '\n') until at least `target_bytes` are made. `committed_lines`
// are the committed adversarial corpus's non-empty lines, `code` the streams of adversarial_sources.txt,
// `languages` the held-out corpus's streams (their texts give the mixed-script words). Throws SetupError
// when `committed_lines`, `code` or `languages` is empty. Pure; thread-safe.
std::string AssembleAdversarialCorpus(const std::vector<std::string>& committed_lines,
                                      const std::vector<SourceStream>& code, const std::vector<SourceStream>& languages,
                                      uint64_t seed, int64_t target_bytes);

// One block of code points a Unicode version assigned as letters or digits.
struct NewCodePoints {
  char32_t first;
  char32_t last;
  const char* unicode_version;  // "15.0", "15.1", "16.0" or "17.0"
  bool digits;                  // \p{N} (else \p{L})
  const char* script;
};

// The blocks the new-code-point corpus draws from (checked against Python's unicodedata 14.0, Go's unicode
// 15.0 and Rust's char tables 17.0; see README.md).
const std::vector<NewCodePoints>& NewCodePointBlocks();

// Documents (one per line) of the new-code-point corpus until at least `target_bytes` are made. Pure;
// thread-safe.
std::string AssembleUnicodeNewCorpus(uint64_t seed, int64_t target_bytes);

}  // namespace claimbench::tokenizer_workload
