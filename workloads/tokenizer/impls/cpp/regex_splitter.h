// HF's pre-tokenizer regexes (Oniguruma dialect) run by PCRE2 with its JIT.
//
// Design: both engines are backtracking, leftmost-first, and agree on the constructs HF files use
// (alternation, \p{L}, \p{N}, (?i:...), lookahead, bounded repeats). They disagree on the shorthand classes:
// Oniguruma's \s is the Unicode White_Space property and its \w is Letter|Mark|Decimal_Number|
// Connector_Punctuation, while PCRE2 10.42's are slightly different sets. The pattern is therefore
// rewritten (\s -> \p{White_Space}, ...) before compiling; the goldens from HF prove the result equal.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench::tokenizer {

// A half-open byte range [begin, end) of the text being split.
struct Span {
  size_t begin = 0;
  size_t end = 0;
};

// Rewrites an Oniguruma pattern into the PCRE2 pattern with the same meaning (see the header comment).
std::string OnigurumaToPcre2(std::string_view pattern);

// PCRE2's quoting of `literal`: a pattern that matches exactly that text.
std::string QuoteLiteral(std::string_view literal);

class CompiledRegex;
enum class ScannerKind;

// A compiled pattern. Immutable after construction and safe to share between threads.
class RegexSplitter {
 public:
  // kAuto runs GPT-2's and Llama-3's patterns with the hand-written scanners (pattern_scanner.h), others
  // with PCRE2; kPcre2 always uses PCRE2 (the tests compare the two).
  enum class Engine { kAuto, kPcre2 };

  // Throws std::invalid_argument naming the pattern and PCRE2's reason when it does not compile.
  explicit RegexSplitter(std::string_view oniguruma_pattern, Engine engine = Engine::kAuto);
  ~RegexSplitter();
  RegexSplitter(RegexSplitter&&) noexcept;
  RegexSplitter& operator=(RegexSplitter&&) noexcept;

  // Appends every non-overlapping match of the pattern in `text` (valid UTF-8), left to right, to
  // `matches`. After an empty match the search resumes one character later, as Oniguruma's iterator does.
  void FindAll(std::string_view text, std::vector<Span>& matches) const;

  bool uses_scanner() const { return regex_ == nullptr; }

 private:
  std::unique_ptr<CompiledRegex> regex_;  // null when a scanner runs the pattern
  ScannerKind scanner_{};
};

}  // namespace claimbench::tokenizer
