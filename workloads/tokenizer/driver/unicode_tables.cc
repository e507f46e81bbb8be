#include "unicode_tables.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "adversarial_corpus.h"

namespace claimbench::tokenizer_workload {
namespace {

// "15.1" -> (15, 1).
std::pair<int, int> Parse(std::string_view version) {
  const size_t dot = version.find('.');
  return {std::stoi(std::string(version.substr(0, dot))), std::stoi(std::string(version.substr(dot + 1)))};
}

// Decodes the code point at `text[i]` (text is valid UTF-8) and advances `i` past it.
char32_t NextCodePoint(std::string_view text, size_t& i) {
  const auto byte = static_cast<unsigned char>(text[i]);
  const int length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
  char32_t code_point = length == 1 ? byte : byte & (0x7F >> length);
  for (int k = 1; k < length && i + k < text.size(); ++k) {
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  }
  i += length;
  return code_point;
}

}  // namespace

const std::vector<UnicodeTables>& KnownUnicodeTables() {
  static const std::vector<UnicodeTables> kTables = {
      {"hf", "16.0", "Oniguruma 6.9.10 in tokenizers 0.23.3"},
      {"hf_rust", "17.0", "the tokenizers 1.0.0-rc.3 crate's own classes"},
      {"rust", "16.0", "Oniguruma 6.9.10's classes (onig 6.5.3)"},
      {"cpp", "14.0", "PCRE2 10.42's tables"},
      {"go", "15.0", "Go's unicode package"},
      {"hf_next", "17.0", "tokenizers 1.0.0rc3's own classes"},
      {"python", "18.0", "the regex module 2026.11.15"},
  };
  return kTables;
}

std::set<std::string> VersionsThatMayDiffer(std::string_view implementation) {
  const auto& tables = KnownUnicodeTables();
  const auto found = std::find_if(tables.begin(), tables.end(),
                                  [&](const UnicodeTables& known) { return known.implementation == implementation; });
  std::set<std::string> versions;
  if (found == tables.end()) return versions;
  const std::pair<int, int> own = Parse(found->version), hf = Parse(kHuggingFaceUnicodeVersion);
  const std::pair<int, int> older = std::min(own, hf), newer = std::max(own, hf);
  for (const NewCodePoints& block : NewCodePointBlocks()) {
    const auto version = Parse(block.unicode_version);
    if (older < version && version <= newer) versions.insert(block.unicode_version);
  }
  return versions;
}

std::set<std::string> NewCodePointVersionsIn(std::string_view document) {
  std::set<std::string> versions;
  for (size_t i = 0; i < document.size();) {
    const char32_t code_point = NextCodePoint(document, i);
    if (code_point < 0x10000) continue;  // every block of NewCodePointBlocks() lies above the BMP
    for (const NewCodePoints& block : NewCodePointBlocks()) {
      if (block.first <= code_point && code_point <= block.last) versions.insert(block.unicode_version);
    }
  }
  return versions;
}

UnicodeCheck CheckAgainstHuggingFace(std::string_view implementation, std::string_view corpus, std::string_view want,
                                     std::string_view got) {
  auto lines = [](std::string_view text) {
    std::vector<std::string_view> out;
    for (size_t begin = 0; begin < text.size();) {
      size_t end = text.find('\n', begin);
      if (end == std::string_view::npos) end = text.size();
      out.push_back(text.substr(begin, end - begin));
      begin = end + 1;
    }
    return out;
  };
  const std::vector<std::string_view> documents = lines(corpus), want_lines = lines(want), got_lines = lines(got);
  UnicodeCheck check;
  if (got_lines.size() != want_lines.size() || (!got.empty() && got.back() != '\n')) {
    check.error = fmt::format("expected {} lines (one per document, each ending in a newline), got {}",
                              want_lines.size(), got_lines.size());
    return check;
  }
  const std::set<std::string> allowed = VersionsThatMayDiffer(implementation);
  for (size_t i = 0; i < want_lines.size(); ++i) {
    if (want_lines[i] == got_lines[i]) continue;
    ++check.differing;
    const std::set<std::string> present = NewCodePointVersionsIn(i < documents.size() ? documents[i] : "");
    if (std::none_of(present.begin(), present.end(), [&](const std::string& v) { return allowed.contains(v); })) {
      check.error = fmt::format(
          "ids differ from Hugging Face's on document {}, which holds no code point that SPEC.md lets {} classify "
          "otherwise (its allowed Unicode versions: {}): expected '{}', got '{}'",
          i + 1, implementation, allowed.empty() ? "none" : fmt::format("{}", fmt::join(allowed, ", ")),
          want_lines[i].substr(0, 60), got_lines[i].substr(0, 60));
      return check;
    }
  }
  return check;
}

}  // namespace claimbench::tokenizer_workload
