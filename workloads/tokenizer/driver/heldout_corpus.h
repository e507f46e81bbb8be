// The held-out corpus: natural English and multilingual text the tokenizers were not trained on (git's
// release notes and its translations, the licences every Debian ships; data/heldout_sources.txt), so that
// words repeat as they do in real text and not because the corpus samples the training text. Documents are
// paragraphs, each kept once (a paragraph seen before is left out), and are taken from the streams in
// proportion to their size, so a small prefix mixes English and the other languages as the whole does.
// There is no more of it than the sources hold: a target above that gives the whole corpus.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "debian_sources.h"

namespace claimbench::tokenizer_workload {

// The paragraphs of `text`: runs of lines that are not blank, each line trimmed of spaces, tabs, \r, \f and
// \v at both ends and joined to the next by one space; a blank line ends a paragraph. Pure; thread-safe.
std::vector<std::string> Paragraphs(std::string_view text);

// The non-empty pieces of `text` between `separator`s, in order (views into `text`). Pure; thread-safe.
std::vector<std::string_view> SplitNonEmpty(std::string_view text, char separator);

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF).
// Pure; thread-safe.
bool IsValidUtf8(std::string_view text);

// A corpus made in memory: one document per line, each ending in '\n'.
struct AssembledCorpus {
  std::string text;
  int64_t documents = 0;
  bool exhausted = false;  // every source paragraph was used: the corpus is all there is
};

// Documents from `streams` (their texts cut into Paragraphs, a paragraph already written left out), taken
// in turn from the stream that has given the smallest share of its own bytes so far (the first such in
// `streams`' order on a tie), until at least `target_bytes` are written or every stream is used up. The
// same streams and target give the same bytes on every machine. Throws SetupError naming the stream when a
// paragraph is not valid UTF-8. Pure; thread-safe.
AssembledCorpus AssembleHeldOutCorpus(const std::vector<SourceStream>& streams, int64_t target_bytes);

}  // namespace claimbench::tokenizer_workload
