#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex_splitter.h"

#include <pcre2.h>

#include "pattern_scanner.h"

#include <optional>
#include <stdexcept>

namespace claimbench::tokenizer {

std::string OnigurumaToPcre2(std::string_view pattern) {
  constexpr std::string_view kWordInClass = "\\p{L}\\p{M}\\p{Nd}\\p{Pc}";
  std::string out;
  out.reserve(pattern.size() + 32);
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char next = pattern[++i];
      switch (next) {
        case 's': out += "\\p{White_Space}"; break;
        case 'S': out += "\\P{White_Space}"; break;
        case 'w': out += in_class ? std::string(kWordInClass) : "[" + std::string(kWordInClass) + "]"; break;
        case 'W':
          // Outside a class the complement is a negated class; inside one PCRE2 cannot nest it, so keep \W
          // (PCRE2's own, nearly identical set) rather than refuse the pattern.
          out += in_class ? std::string("\\W") : "[^" + std::string(kWordInClass) + "]";
          break;
        default:
          out.push_back('\\');
          out.push_back(next);
      }
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out.push_back(c);
      // A ']' right after '[' or '[^' is a literal, not the end of the class.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out.push_back(c);
  }
  return out;
}

std::string QuoteLiteral(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 static_cast<unsigned char>(c) >= 0x80 || c == ' ';
    if (!plain) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

class CompiledRegex {
 public:
  explicit CompiledRegex(std::string_view oniguruma_pattern) {
    std::string pattern = OnigurumaToPcre2(oniguruma_pattern);
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP,
                          &error, &offset, nullptr);
    if (code_ == nullptr) {
      PCRE2_UCHAR message[256];
      pcre2_get_error_message(error, message, sizeof message);
      throw std::invalid_argument("the pre-tokenizer regex '" + std::string(oniguruma_pattern) +
                                  "' does not compile: " + reinterpret_cast<char*>(message) + " at offset " +
                                  std::to_string(offset));
    }
    // Without the JIT (an unsupported CPU) PCRE2 interprets the same pattern: slower, same answers.
    jit_ = pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0;
  }
  ~CompiledRegex() { pcre2_code_free(code_); }
  CompiledRegex(const CompiledRegex&) = delete;
  CompiledRegex& operator=(const CompiledRegex&) = delete;

  void FindAll(std::string_view text, std::vector<Span>& matches) const {
    // One match-data block per thread and pattern size: allocation stays off the per-piece path.
    thread_local struct MatchData {
      pcre2_match_data* data = pcre2_match_data_create(8, nullptr);
      ~MatchData() { pcre2_match_data_free(data); }
    } scratch;
    auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
    size_t pos = 0;
    while (pos <= text.size()) {
      int rc = jit_ ? pcre2_jit_match(code_, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, scratch.data, nullptr)
                    : pcre2_match(code_, subject, text.size(), pos, PCRE2_NO_UTF_CHECK, scratch.data, nullptr);
      if (rc < 0) break;  // PCRE2_ERROR_NOMATCH, or a resource limit: no further matches
      const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(scratch.data);
      Span match{ovector[0], ovector[1]};
      matches.push_back(match);
      if (match.end > match.begin) {
        pos = match.end;
      } else {
        if (match.end >= text.size()) break;
        pos = match.end + 1;
        while (pos < text.size() && (static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) ++pos;
      }
    }
  }

 private:
  pcre2_code* code_ = nullptr;
  bool jit_ = false;
};

RegexSplitter::RegexSplitter(std::string_view oniguruma_pattern, Engine engine) {
  std::optional<ScannerKind> scanner = engine == Engine::kAuto ? ScannerFor(oniguruma_pattern) : std::nullopt;
  if (scanner) {
    scanner_ = *scanner;
  } else {
    regex_ = std::make_unique<CompiledRegex>(oniguruma_pattern);
  }
}
RegexSplitter::~RegexSplitter() = default;
RegexSplitter::RegexSplitter(RegexSplitter&&) noexcept = default;
RegexSplitter& RegexSplitter::operator=(RegexSplitter&&) noexcept = default;

void RegexSplitter::FindAll(std::string_view text, std::vector<Span>& matches) const {
  if (regex_ == nullptr) {
    ScanAll(scanner_, text, matches);
  } else {
    regex_->FindAll(text, matches);
  }
}

}  // namespace claimbench::tokenizer
