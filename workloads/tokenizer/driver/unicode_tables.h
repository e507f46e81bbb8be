// Which Unicode version each implementation's character classes (\p{L}, \p{N}, \s) follow, and so where
// its ids may part from Hugging Face's on the new-code-point corpus (adversarial_corpus.h). The ids are
// HF 0.23's (SPEC.md), whose Oniguruma 6.9.10 has Unicode 16.0's tables; a letter or digit assigned after
// an implementation's tables is punctuation to it, so it splits words elsewhere. The SPEC allows exactly
// that: a document may give other ids only if it holds a code point assigned after the older and up to the
// newer of the two versions. These versions were measured (README.md, "Unicode versions"), not assumed.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench::tokenizer_workload {

// The Unicode version of Hugging Face tokenizers 0.23's tables (Oniguruma 6.9.10): the expected ids'.
inline constexpr std::string_view kHuggingFaceUnicodeVersion = "16.0";

struct UnicodeTables {
  std::string_view implementation;  // impls/<name>
  std::string_view version;         // e.g. "14.0"
  std::string_view source;          // where its tables come from, for messages and the README
};

// Every implementation whose tables are known; the ones at HF's version are listed too. Pure; thread-safe.
const std::vector<UnicodeTables>& KnownUnicodeTables();

// The versions of NewCodePointBlocks() whose code points `implementation` may classify differently from
// Hugging Face 0.23: those after the older and up to the newer of its and HF's version. Empty for an
// implementation at HF's version or not listed (it must give HF's ids everywhere). Pure; thread-safe.
std::set<std::string> VersionsThatMayDiffer(std::string_view implementation);

// The Unicode versions of the NewCodePointBlocks() code points in `document` (UTF-8). Pure; thread-safe.
std::set<std::string> NewCodePointVersionsIn(std::string_view document);

// The outcome of checking one output of the new-code-point corpus against Hugging Face's ids.
struct UnicodeCheck {
  std::string error;       // empty when every differing document is one the SPEC allows
  int64_t differing = 0;   // documents whose ids differ from HF's (all allowed when `error` is empty)
};

// Compares `got` with `want` (one line of ids per document of `corpus`) document by document: a document
// may differ only if it holds a code point of VersionsThatMayDiffer(implementation). The error names the
// first document that may not differ, or the line counts when they differ. Pure; thread-safe.
UnicodeCheck CheckAgainstHuggingFace(std::string_view implementation, std::string_view corpus, std::string_view want,
                                     std::string_view got);

}  // namespace claimbench::tokenizer_workload
