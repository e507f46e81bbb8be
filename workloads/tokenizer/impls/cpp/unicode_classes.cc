#include "unicode_classes.h"

#include <atomic>
#include <string>
#include <vector>

#include "byte_level.h"
#include "regex_splitter.h"

namespace claimbench::tokenizer {
namespace {

constexpr uint32_t kCodePoints = 0x110000;

CharClass AskPcre2(uint32_t code_point) {
  // PCRE2-only patterns (no Oniguruma rewriting needed): each anchored, one character.
  static const RegexSplitter letter(R"(^\p{L})", RegexSplitter::Engine::kPcre2);
  static const RegexSplitter number(R"(^\p{N})", RegexSplitter::Engine::kPcre2);
  static const RegexSplitter space(R"(^\p{White_Space})", RegexSplitter::Engine::kPcre2);
  std::string text;
  AppendUtf8(code_point, text);
  std::vector<Span> matches;
  letter.FindAll(text, matches);
  if (!matches.empty()) return CharClass::kLetter;
  number.FindAll(text, matches);
  if (!matches.empty()) return CharClass::kNumber;
  space.FindAll(text, matches);
  if (!matches.empty()) return CharClass::kSpace;
  return CharClass::kOther;
}

}  // namespace

namespace detail {

// Never freed: scanners may run until the process exits. Zero pages cost nothing until a code point in
// them is learned.
std::atomic<uint8_t>* const kLearnedClasses = new std::atomic<uint8_t>[kCodePoints]();

CharClass ClassifySlow(uint32_t code_point) {
  // A race only makes two threads ask PCRE2 the same question.
  uint8_t known = kLearnedClasses[code_point].load(std::memory_order_relaxed);
  if (known != 0) return static_cast<CharClass>(known);
  CharClass answer = AskPcre2(code_point);
  kLearnedClasses[code_point].store(static_cast<uint8_t>(answer), std::memory_order_relaxed);
  return answer;
}

}  // namespace detail
}  // namespace claimbench::tokenizer
