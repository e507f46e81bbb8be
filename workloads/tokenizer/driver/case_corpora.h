// Which corpus a case encodes, made the same on every machine: the seeded sample of the training text
// (benchmark_corpus.h), the held-out text (heldout_corpus.h), the adversarial corpus or the new-code-point
// corpus (adversarial_corpus.h). Every corpus but the seeded one is checked against the sha256 its case
// records, so a corpus that would come out different on some machine stops the case with a clear error
// instead of being measured and compared with figures made on other bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace claimbench::tokenizer_workload {

// The sha256 the corpus `kind` ("heldout", "adversarial", "unicode_new") assembles to for `target_bytes`
// and `seed`, as recorded when the sources were listed; "unknown" for a size or seed no profile uses (then
// the case's error gives the sha256 to pass with --param corpus_sha256=). Pure; thread-safe.
std::string KnownCorpusSha256(std::string_view kind, int64_t target_bytes, uint64_t seed);

// Everything the corpus `kind` is made from, besides its parameters (the manifests and committed lines it
// reads), for the cache's stamp. Throws SetupError when a file of data/ is missing.
std::string CorpusInputsText(std::string_view kind, const std::filesystem::path& data_dir);

// Writes corpus `kind` ("seeded" or one of the above) of at least `target_bytes` (less when the held-out
// sources hold less: then all of them) to `out`. For every kind but "seeded", throws SetupError when the
// result's sha256 is not `want_sha256`, naming both and saying what to do; also when a source is missing or
// changed (debian_sources.h). Thread-safe for distinct `out`.
void WriteCaseCorpus(std::string_view kind, const std::filesystem::path& data_dir, uint64_t seed,
                     int64_t target_bytes, std::string_view want_sha256, const std::filesystem::path& out);

}  // namespace claimbench::tokenizer_workload
