// Where the tokenizer workload's expected ids come from, and the untimed encoder runs that make them.
//
// No implementation is checked against ids it alone computed. A generated benchmark corpus's expected
// ids are those two independent implementations agree on byte for byte, the C++ reference and the
// plain-Python port (impls/python/), each run once per corpus, untimed, when a case is prepared; Hugging
// Face's tokenizers (the hf peer) is measured against them like every other implementation. The
// committed corpora have Hugging Face's own goldens (data/<style>/*.ids), and every implementation must
// reproduce those before it is measured (TokenizerCase::BeforeRepetition), HF included.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/implementation.h"

namespace claimbench::tokenizer_workload {

// One line naming the first document (1-based line) where `got` differs from `want`: the id counts and
// the first 40 characters of each line. Pure; thread-safe.
std::string FirstDifference(std::string_view want, std::string_view got);

// What one implementation printed for one corpus.
struct EncodedCorpus {
  std::string implementation;  // its name, e.g. "cpp", "python"
  std::string ids;             // its stdout: one line of ids per document
};

// `a.ids` when `a` and `b` are byte-identical; otherwise throws SetupError naming both implementations,
// `corpus` and the first differing document. Pure; thread-safe.
std::string AgreedIds(const EncodedCorpus& a, const EncodedCorpus& b, std::string_view corpus);

// The outcome of one untimed run.
struct EncodeRun {
  bool ok = false;
  std::string ids;    // stdout, when ok
  std::string error;  // one line when not ok: what failed, the last line of stderr, where the log is
};

// Runs `implementation` with `arguments` (everything after its command), untimed, with the environment
// the suite runner gives implementations; stdout and stderr go to `<log_dir>/<name>.stdout|.stderr`
// (removed when the run succeeds: the ids are returned). Never throws for the child's failure.
EncodeRun RunEncoder(const Implementation& implementation, const ProjectPaths& paths,
                     const std::vector<std::string>& arguments, const std::filesystem::path& log_dir,
                     const std::string& name, std::chrono::seconds timeout);

}  // namespace claimbench::tokenizer_workload
