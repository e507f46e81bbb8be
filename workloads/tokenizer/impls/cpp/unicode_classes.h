// The three Unicode classes HF's two standard pre-tokenizer regexes look at: letters (\p{L}), numbers
// (\p{N}) and White_Space (Oniguruma's \s); everything else is "other".
//
// Design: the answer for a code point comes from PCRE2's own Unicode tables (one single-character match,
// the first time a code point is seen), so the hand-written scanners agree with the PCRE2 path by
// construction. ASCII is a constant table; other code points are remembered in a process-wide table of
// relaxed atomics, read inline, so threads share what any of them has learned.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace claimbench::tokenizer {

enum class CharClass : uint8_t { kOther = 1, kLetter = 2, kNumber = 3, kSpace = 4 };

namespace detail {
// Non-ASCII code points' classes as learned so far (0: not looked up yet), one byte per code point up to
// U+10FFFF; read inline, filled out of line by ClassifySlow.
extern std::atomic<uint8_t>* const kLearnedClasses;
// Looks a code point up (and learns it).
CharClass ClassifySlow(uint32_t code_point);

inline constexpr std::array<CharClass, 0x80> kAsciiClasses = [] {
  std::array<CharClass, 0x80> table{};
  for (uint32_t c = 0; c < 0x80; ++c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      table[c] = CharClass::kLetter;
    } else if (c >= '0' && c <= '9') {
      table[c] = CharClass::kNumber;
    } else if (c == ' ' || (c >= 0x09 && c <= 0x0D)) {
      table[c] = CharClass::kSpace;
    } else {
      table[c] = CharClass::kOther;
    }
  }
  return table;
}();
}  // namespace detail

// Thread-safe. `code_point` must be <= U+10FFFF.
inline CharClass Classify(uint32_t code_point) {
  if (code_point < 0x80) return detail::kAsciiClasses[code_point];
  const uint8_t known = detail::kLearnedClasses[code_point].load(std::memory_order_relaxed);
  return known != 0 ? static_cast<CharClass>(known) : detail::ClassifySlow(code_point);
}

}  // namespace claimbench::tokenizer
