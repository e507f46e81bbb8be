#include "adversarial_corpus.h"

#include <array>
#include <string_view>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/seeded_random.h"
#include "heldout_corpus.h"

namespace claimbench::tokenizer_workload {
namespace {

using stats::detail::SeededRandom;

// The characters (or short sequences) repeated in the long runs: ASCII letters, digits, punctuation and
// whitespace, two- three- and four-byte characters, a ZWJ sequence, \r (part of its document).
constexpr std::array<std::string_view, 16> kRunUnits = {
    "a", "Z", " ", "\t", "1", "!", "-", "\xC3\xA9" /* é */, "\xE4\xB8\xAD" /* 中 */, "\xF0\x9F\x98\x80" /* 😀 */,
    "ab", "\r", "\xE3\x80\x80" /* ideographic space */, "\xD9\xA3" /* Arabic-Indic 3 */, "\\",
    "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7" /* family ZWJ */};
// Tens of kilobytes at the top: one pre-tokenizer word the size of a document.
constexpr std::array<int, 4> kRunLengths = {64, 1000, 10000, 40000};

// Emoji sequences whose characters Unicode 14 assigned: ZWJ families and professions, skin tones, flags
// (regional indicators and a tag sequence), keycaps, variation selectors.
constexpr std::array<std::string_view, 16> kEmoji = {
    "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",
    "\U0001F3F3\uFE0F\u200D\U0001F308",
    "\U0001F3F4\u200D\u2620\uFE0F",
    "\U0001F469\U0001F3FD\u200D\U0001F4BB",
    "\U0001F9D1\U0001F3FF\u200D\U0001F91D\u200D\U0001F9D1\U0001F3FB",
    "\u2764\uFE0F\u200D\U0001F525",
    "\U0001F1FA\U0001F1E6",
    "\U0001F1EF\U0001F1F5\U0001F1EB\U0001F1F7",
    "\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F",
    "1\uFE0F\u20E3",
    "#\uFE0F\u20E3",
    "\U0001F44D\U0001F3FD",
    "\U0001F636\u200D\U0001F32B\uFE0F",
    "\U0001F408\u200D\u2B1B",
    "\U0001F600",
    "\u263A\uFE0F",
};
constexpr std::array<std::string_view, 6> kEmojiGlue = {"", " ", " and ", "!", "\u200D", "x"};

// Unicode White_Space and its near misses (zero width space, Mongolian vowel separator: not White_Space).
constexpr std::array<std::string_view, 20> kSpaces = {
    " ", "  ", "\t", "\r", "\f", "\v", "\u00A0", "\u1680", "\u2000", "\u2003", "\u2009", "\u200A", "\u2028",
    "\u2029", "\u202F", "\u205F", "\u3000", "\u0085", "\u200B", "\u180E"};
constexpr std::array<std::string_view, 8> kSpacedWords = {"word", "x", "42", "I'm", "\xE6\x97\xA5\xE6\x9C\xAC",
                                                          "don't", "a.b", "caf\xC3\xA9"};
// How words of different scripts are put together: inside one word, or apart.
constexpr std::array<std::string_view, 4> kScriptGlue = {"", "", " ", "-"};

// The number of documents of each kind per round, after one long run: about half of the bytes are runs.
constexpr int kDocumentsPerKind = 16;

std::string Repeat(std::string_view unit, int times) {
  std::string out;
  out.reserve(unit.size() * static_cast<size_t>(times));
  for (int i = 0; i < times; ++i) out.append(unit);
  return out;
}

template <typename Container>
const auto& Pick(const Container& items, SeededRandom& random) {
  return items[random.Below(items.size())];
}

// Lines of code (indentation kept, blank lines left out) of every file of `code`, per file.
std::vector<std::vector<std::string>> CodeFiles(const std::vector<SourceStream>& code) {
  std::vector<std::vector<std::string>> files;
  for (const SourceStream& stream : code) {
    for (const std::string& text : stream.texts) {
      std::vector<std::string> lines;
      for (std::string_view line : SplitNonEmpty(text, '\n')) {
        if (line.find_first_not_of(" \t\r") != std::string_view::npos) lines.emplace_back(line);
      }
      if (!lines.empty()) files.push_back(std::move(lines));
    }
  }
  return files;
}

void AppendUtf8(std::string& out, char32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

}  // namespace

std::string AssembleAdversarialCorpus(const std::vector<std::string>& committed_lines,
                                      const std::vector<SourceStream>& code, const std::vector<SourceStream>& languages,
                                      uint64_t seed, int64_t target_bytes) {
  const std::vector<std::vector<std::string>> code_files = CodeFiles(code);
  // Each language's paragraphs, for words in several scripts at once.
  std::vector<std::vector<std::string>> paragraphs;
  for (const SourceStream& stream : languages) {
    std::vector<std::string> all;
    for (const std::string& text : stream.texts) {
      for (std::string& paragraph : Paragraphs(text)) all.push_back(std::move(paragraph));
    }
    if (!all.empty()) paragraphs.push_back(std::move(all));
  }
  if (committed_lines.empty() || code_files.empty() || paragraphs.empty()) {
    throw SetupError("the adversarial corpus needs the committed adversarial lines, source code and the held-out "
                     "corpus's languages; restore data/ from git");
  }
  SeededRandom random(seed);
  std::string corpus;
  std::string doc;
  auto emit = [&] {
    doc.push_back('\n');
    corpus.append(doc);
    doc.clear();
  };
  for (uint64_t round = 0; static_cast<int64_t>(corpus.size()) < target_bytes; ++round) {
    // Every unit at every length, in turn; alone, or inside text.
    const std::string run = Repeat(kRunUnits[round % kRunUnits.size()],
                                   kRunLengths[(round / kRunUnits.size()) % kRunLengths.size()]);
    doc = random.Below(2) == 0 ? run
                               : fmt::format("{} {}{}", Pick(kSpacedWords, random), run, Pick(kEmojiGlue, random));
    emit();
    for (int i = 0; i < kDocumentsPerKind; ++i) {
      doc = Pick(committed_lines, random);
      emit();

      const size_t scripts = 2 + random.Below(4);
      for (size_t k = 0; k < scripts; ++k) {
        const std::vector<std::string_view> words = SplitNonEmpty(Pick(Pick(paragraphs, random), random), ' ');
        if (words.empty()) continue;
        if (!doc.empty()) doc.append(Pick(kScriptGlue, random));
        doc.append(Pick(words, random));
      }
      emit();

      const size_t emoji = 1 + random.Below(12);
      for (size_t k = 0; k < emoji; ++k) {
        if (k > 0) doc.append(Pick(kEmojiGlue, random));
        doc.append(Pick(kEmoji, random));
      }
      emit();

      const std::vector<std::string>& file = Pick(code_files, random);
      const size_t start = random.Below(file.size());
      const size_t lines = std::min<size_t>(file.size() - start, 1 + random.Below(24));
      for (size_t k = start; k < start + lines; ++k) {
        if (k > start) doc.push_back(' ');
        doc.append(file[k]);
      }
      emit();

      const size_t words = 2 + random.Below(10);
      for (size_t k = 0; k < words; ++k) {
        const size_t spaces = 1 + random.Below(random.Below(4) == 0 ? 200 : 4);
        for (size_t s = 0; s < spaces; ++s) doc.append(Pick(kSpaces, random));
        if (k + 1 < words) doc.append(Pick(kSpacedWords, random));
      }
      emit();
    }
  }
  return corpus;
}

const std::vector<NewCodePoints>& NewCodePointBlocks() {
  static const std::vector<NewCodePoints> kBlocks = {
      {0x11F04, 0x11F10, "15.0", false, "Kawi"},
      {0x11F50, 0x11F59, "15.0", true, "Kawi digits"},
      {0x1E4D0, 0x1E4EA, "15.0", false, "Nag Mundari"},
      {0x1E4F0, 0x1E4F9, "15.0", true, "Nag Mundari digits"},
      {0x1D2C0, 0x1D2D3, "15.0", true, "Kaktovik numerals"},
      {0x1E030, 0x1E06D, "15.0", false, "Cyrillic Extended-D"},
      {0x31350, 0x323AF, "15.0", false, "CJK Extension H"},
      {0x2EBF0, 0x2EE5D, "15.1", false, "CJK Extension I"},
      {0x10D4A, 0x10D65, "16.0", false, "Garay"},
      {0x10D40, 0x10D49, "16.0", true, "Garay digits"},
      {0x16D43, 0x16D6A, "16.0", false, "Kirat Rai"},
      {0x16D70, 0x16D79, "16.0", true, "Kirat Rai digits"},
      {0x1E5D0, 0x1E5ED, "16.0", false, "Ol Onal"},
      {0x1E5F1, 0x1E5FA, "16.0", true, "Ol Onal digits"},
      {0x11BC0, 0x11BE0, "16.0", false, "Sunuwar"},
      {0x11BF0, 0x11BF9, "16.0", true, "Sunuwar digits"},
      {0x16100, 0x1611D, "16.0", false, "Gurung Khema"},
      {0x16130, 0x16139, "16.0", true, "Gurung Khema digits"},
      {0x105C0, 0x105F3, "16.0", false, "Todhri"},
      {0x116D0, 0x116E3, "16.0", true, "Myanmar Extended-C digits"},
      {0x1CCF0, 0x1CCF9, "16.0", true, "outlined digits"},
      {0x13460, 0x143FA, "16.0", false, "Egyptian Hieroglyphs Extended-A"},
      {0x10940, 0x10959, "17.0", false, "Sidetic"},
      {0x11DB0, 0x11DDB, "17.0", false, "Tolong Siki"},
      {0x11DE0, 0x11DE9, "17.0", true, "Tolong Siki digits"},
      {0x16EA0, 0x16EB8, "17.0", false, "Beria Erfe"},
      {0x1E6C0, 0x1E6DE, "17.0", false, "Tai Yo"},
      {0x323B0, 0x33479, "17.0", false, "CJK Extension J"},
  };
  return kBlocks;
}

std::string AssembleUnicodeNewCorpus(uint64_t seed, int64_t target_bytes) {
  static constexpr std::array<std::string_view, 8> kAsciiWords = {"the", "x", "I", "data", "Tokenizer", "ok", "a",
                                                                  "QR"};
  static constexpr std::array<std::string_view, 6> kAsciiDigits = {"1", "12", "123", "2026", "7", "45"};
  static constexpr std::array<std::string_view, 8> kPunctuation = {"'s", "'ll", "!!", "(", ")", ".", ",", "?"};
  const std::vector<NewCodePoints>& blocks = NewCodePointBlocks();
  SeededRandom random(seed);
  auto from = [&](bool digits) {
    std::string out;
    const size_t count = 1 + random.Below(6);
    // One block per run of new characters, as text in one script is.
    const NewCodePoints* block = nullptr;
    while (block == nullptr || block->digits != digits) block = &Pick(blocks, random);
    for (size_t i = 0; i < count; ++i) AppendUtf8(out, block->first + random.Below(block->last - block->first + 1));
    return out;
  };
  std::string corpus;
  while (static_cast<int64_t>(corpus.size()) < target_bytes) {
    std::string doc;
    const size_t pieces = 1 + random.Below(6);
    for (size_t i = 0; i < pieces; ++i) {
      if (i > 0) doc.append(random.Below(3) == 0 ? "" : " ");
      switch (random.Below(8)) {
        case 0:  // a new letter inside an ASCII word
          doc += fmt::format("{}{}{}", Pick(kAsciiWords, random), from(false), Pick(kAsciiWords, random));
          break;
        case 1:  // a new digit inside a run of ASCII digits (Llama-3 groups digits by three)
          doc += fmt::format("{}{}{}", Pick(kAsciiDigits, random), from(true), Pick(kAsciiDigits, random));
          break;
        case 2:  // new digits alone, then letters
          doc += from(true) + from(false);
          break;
        case 3:  // a contraction or punctuation after new letters
          doc += from(false) + std::string(Pick(kPunctuation, random));
          break;
        case 4:  // punctuation before new letters (a table without them sees one run of punctuation)
          doc += std::string(Pick(kPunctuation, random)) + from(false) + std::string(Pick(kAsciiWords, random));
          break;
        case 5:  // ASCII digits, then new letters
          doc += std::string(Pick(kAsciiDigits, random)) + from(false);
          break;
        case 6:  // new letters after a space
          doc += fmt::format(" {} {}", from(false), Pick(kAsciiWords, random));
          break;
        default:  // new digits between spaces
          doc += fmt::format("{} {} {}", Pick(kAsciiWords, random), from(true), Pick(kAsciiDigits, random));
          break;
      }
    }
    doc.push_back('\n');
    corpus += doc;
  }
  return corpus;
}

}  // namespace claimbench::tokenizer_workload
