#include "pattern_scanner.h"

#include "unicode_classes.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace claimbench::tokenizer {
namespace {

// The character at text[pos] (valid UTF-8), its class and its end.
struct Char {
  uint32_t code_point;
  CharClass cls;
  size_t end;
};

inline Char At(std::string_view text, size_t pos) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data()) + pos;
  if (bytes[0] < 0x80) return {bytes[0], Classify(bytes[0]), pos + 1};
  // Decoded here rather than by a call to NextCodePoint (byte_level.h): the text is valid UTF-8 (the
  // caller checked), and on text with many non-ASCII letters the call was a tenth of the scan (callgrind).
  uint32_t code_point;
  size_t length;
  if (bytes[0] < 0xE0) {
    code_point = ((bytes[0] & 0x1Fu) << 6) | (bytes[1] & 0x3Fu);
    length = 2;
  } else if (bytes[0] < 0xF0) {
    code_point = ((bytes[0] & 0x0Fu) << 12) | ((bytes[1] & 0x3Fu) << 6) | (bytes[2] & 0x3Fu);
    length = 3;
  } else {
    code_point = ((bytes[0] & 0x07u) << 18) | ((bytes[1] & 0x3Fu) << 12) | ((bytes[2] & 0x3Fu) << 6) |
                 (bytes[3] & 0x3Fu);
    length = 4;
  }
  return {code_point, Classify(code_point), pos + length};
}

#ifdef __SSE2__
// How many of the 16 bytes at `bytes` begin with ASCII letters: 16 compares at once, then the first
// non-letter's index, where a byte-at-a-time loop mispredicted the branch that ends each word.
inline size_t AsciiLetterPrefix(const unsigned char* bytes) {
  const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes));
  // (b | 0x20) - 'a' < 26, unsigned: as signed bytes, b - 'a' + (-128) < 26 - 128.
  const __m128i folded = _mm_or_si128(chunk, _mm_set1_epi8(0x20));
  const __m128i shifted = _mm_add_epi8(folded, _mm_set1_epi8(static_cast<char>(-'a' - 128)));
  const __m128i letter = _mm_cmplt_epi8(shifted, _mm_set1_epi8(static_cast<char>(26 - 128)));
  const unsigned not_letter = ~static_cast<unsigned>(_mm_movemask_epi8(letter)) & 0xFFFF;
  return not_letter == 0 ? 16 : static_cast<size_t>(__builtin_ctz(not_letter));
}
#endif

// End of the run of characters of class `cls` starting at `pos`.
inline size_t RunEnd(std::string_view text, size_t pos, CharClass cls) {
#ifdef __SSE2__
  if (cls == CharClass::kLetter) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
    while (pos + 16 <= text.size()) {
      const size_t letters = AsciiLetterPrefix(bytes + pos);
      pos += letters;
      if (letters < 16) break;  // a non-letter or a non-ASCII byte: the loop below decides
    }
  }
#endif
  while (pos < text.size()) {
    Char c = At(text, pos);
    if (c.cls != cls) break;
    pos = c.end;
  }
  return pos;
}

// Where the White_Space run starting at `start` ends, and where its last character starts.
struct SpaceRun {
  size_t end;
  size_t last_start;
};

inline SpaceRun SpaceRunAt(std::string_view text, size_t start) {
  SpaceRun run{start, start};
  while (run.end < text.size()) {
    Char c = At(text, run.end);
    if (c.cls != CharClass::kSpace) break;
    run.last_start = run.end;
    run.end = c.end;
  }
  return run;
}

// \s+(?!\S) then \s+ at a White_Space character: the whole run at the end of the text; otherwise the run
// less its last character (which the lookahead needs), unless that leaves nothing, when \s+ takes the one.
inline size_t TrailingSpaceMatch(std::string_view text, size_t start, const SpaceRun& run) {
  if (run.end == text.size()) return run.end;
  return run.last_start > start ? run.last_start : run.end;
}

// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
size_t Gpt2MatchAt(std::string_view text, size_t i) {
  const size_t n = text.size();
  Char c = At(text, i);
  if (c.code_point == '\'' && i + 1 < n) {
    char second = text[i + 1];
    if (second == 's' || second == 't' || second == 'm' || second == 'd') return i + 2;
    if (i + 2 < n) {
      char third = text[i + 2];
      if ((second == 'r' && third == 'e') || (second == 'v' && third == 'e') || (second == 'l' && third == 'l')) {
        return i + 3;
      }
    }
  }
  if (c.code_point == ' ' && c.end < n) {
    Char next = At(text, c.end);
    if (next.cls != CharClass::kSpace) return RunEnd(text, next.end, next.cls);
  }
  if (c.cls != CharClass::kSpace) return RunEnd(text, c.end, c.cls);
  return TrailingSpaceMatch(text, i, SpaceRunAt(text, i));
}

inline bool IsNewline(uint32_t c) { return c == '\r' || c == '\n'; }

// The case-insensitive (Unicode simple folding) contraction letters: s also matches U+017F (long s).
inline bool FoldsTo(uint32_t c, char lower) {
  if (c == static_cast<uint32_t>(lower) || c == static_cast<uint32_t>(lower - 'a' + 'A')) return true;
  return lower == 's' && c == 0x17F;
}

// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
size_t Llama3MatchAt(std::string_view text, size_t i) {
  const size_t n = text.size();
  Char c = At(text, i);
  if (c.code_point == '\'' && c.end < n) {
    Char second = At(text, c.end);
    for (char letter : {'s', 't', 'm', 'd'}) {
      if (FoldsTo(second.code_point, letter)) return second.end;
    }
    if (second.end < n) {
      Char third = At(text, second.end);
      if ((FoldsTo(second.code_point, 'r') && FoldsTo(third.code_point, 'e')) ||
          (FoldsTo(second.code_point, 'v') && FoldsTo(third.code_point, 'e')) ||
          (FoldsTo(second.code_point, 'l') && FoldsTo(third.code_point, 'l'))) {
        return third.end;
      }
    }
  }
  if (c.cls == CharClass::kLetter) return RunEnd(text, c.end, CharClass::kLetter);
  Char next{0, CharClass::kOther, n};
  bool has_next = c.end < n;
  if (has_next) next = At(text, c.end);
  if (c.cls != CharClass::kNumber && !IsNewline(c.code_point) && has_next && next.cls == CharClass::kLetter) {
    return RunEnd(text, next.end, CharClass::kLetter);
  }
  if (c.cls == CharClass::kNumber) {
    size_t end = c.end;
    for (int count = 1; count < 3 && end < n; ++count) {
      Char more = At(text, end);
      if (more.cls != CharClass::kNumber) break;
      end = more.end;
    }
    return end;
  }
  size_t others_from = std::string_view::npos;
  if (c.cls == CharClass::kOther) {
    others_from = c.end;
  } else if (c.code_point == ' ' && has_next && next.cls == CharClass::kOther) {
    others_from = next.end;
  }
  if (others_from != std::string_view::npos) {
    size_t end = RunEnd(text, others_from, CharClass::kOther);
    while (end < n && (text[end] == '\r' || text[end] == '\n')) ++end;
    return end;
  }
  // White_Space: \s*[\r\n]+ ends after the run's last newline, if it has one.
  SpaceRun run = SpaceRunAt(text, i);
  for (size_t pos = run.end; pos > i; --pos) {
    if (text[pos - 1] == '\r' || text[pos - 1] == '\n') return pos;
  }
  return TrailingSpaceMatch(text, i, run);
}

}  // namespace

std::optional<ScannerKind> ScannerFor(std::string_view pattern) {
  if (pattern == kGpt2Pattern) return ScannerKind::kGpt2;
  if (pattern == kLlama3Pattern) return ScannerKind::kLlama3;
  return std::nullopt;
}

void ScanAll(ScannerKind kind, std::string_view text, std::vector<Span>& matches) {
  size_t i = 0;
  while (i < text.size()) {
    size_t end = kind == ScannerKind::kGpt2 ? Gpt2MatchAt(text, i) : Llama3MatchAt(text, i);
    matches.push_back({i, end});
    i = end;
  }
}

}  // namespace claimbench::tokenizer
