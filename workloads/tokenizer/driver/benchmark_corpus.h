// The benchmark corpus: documents made, deterministically from a seed, of the repository text the test
// tokenizers were trained on (runs of consecutive lines, so words repeat as in real text) with one in
// twenty carrying a line of the adversarial corpus (CJK, Arabic, emoji, long runs, special tokens).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace claimbench::tokenizer_workload {

// Writes at least `target_bytes` of documents (whole lines) to `out`. Same inputs, same file, on any
// machine. Throws SetupError when the source texts cannot be read.
void WriteBenchmarkCorpus(const std::filesystem::path& testdata_dir, uint64_t seed, int64_t target_bytes,
                          const std::filesystem::path& out);

}  // namespace claimbench::tokenizer_workload
