#include "case_corpora.h"

#include <fmt/format.h>

#include "adversarial_corpus.h"
#include "benchmark_corpus.h"
#include "claimbench/atomic_file.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "debian_sources.h"
#include "heldout_corpus.h"

namespace claimbench::tokenizer_workload {
namespace {

namespace fs = std::filesystem;

struct KnownCorpus {
  std::string_view kind;
  int64_t target_bytes;
  uint64_t seed;
  std::string_view sha256;
};

// Recorded from this code and the manifests' files (Debian 12 as of 2026-12-07): the held-out corpus is
// 6,120,052 bytes (91,202 paragraphs) in all, so standard and full both hold all of it and share its sha256.
constexpr KnownCorpus kKnown[] = {
    {"heldout", 8 << 20, 20261121, "3a9bada1af9ed518f3b11adad7c265507cdafba05b844cf1dae98b5d4d2dd095"},
    {"heldout", 64 << 20, 20261121, "3a9bada1af9ed518f3b11adad7c265507cdafba05b844cf1dae98b5d4d2dd095"},
    {"adversarial", 4 << 20, 20261121, "c7e16caabe7a7da70ac6f0fc298e500982b527fa570210585ca438fc06c97d9e"},
    {"adversarial", 32 << 20, 20261121, "356339d3d88e43aeb005651aac36f0ccbd3d5fa9df988fb08aeb4fbfb78fd37c"},
    {"unicode_new", 256 << 10, 20261121, "e61ec128432ab2ea628240a34b55f29909c1fc969c1f06718e3fb2fcf5daafe7"},
    {"unicode_new", 1 << 20, 20261121, "af2c25515b859c532bbb8b0dad6bf83fc516b6f9d40b1767fd1595e307ed73a6"},
};

}  // namespace

std::string KnownCorpusSha256(std::string_view kind, int64_t target_bytes, uint64_t seed) {
  for (const KnownCorpus& known : kKnown) {
    if (known.kind == kind && known.target_bytes == target_bytes && known.seed == seed) {
      return std::string(known.sha256);
    }
  }
  return "unknown";
}

std::string CorpusInputsText(std::string_view kind, const fs::path& data_dir) {
  if (kind == "heldout") return ReadWholeFile(data_dir / "heldout_sources.txt");
  if (kind == "adversarial") {
    return ReadWholeFile(data_dir / "heldout_sources.txt") + ReadWholeFile(data_dir / "adversarial_sources.txt") +
           ReadWholeFile(data_dir / "corpora" / "adversarial.txt");
  }
  if (kind == "unicode_new") return "";  // made from adversarial_corpus.cc's tables alone
  return ReadWholeFile(data_dir / "train_text.txt") + ReadWholeFile(data_dir / "corpora" / "adversarial.txt");
}

void WriteCaseCorpus(std::string_view kind, const fs::path& data_dir, uint64_t seed, int64_t target_bytes,
                     std::string_view want_sha256, const fs::path& out) {
  if (kind == "seeded") {
    WriteBenchmarkCorpus(data_dir, seed, target_bytes, out);
    return;
  }
  std::string text;
  if (kind == "heldout") {
    text = AssembleHeldOutCorpus(ReadDebianSources(data_dir / "heldout_sources.txt"), target_bytes).text;
  } else if (kind == "adversarial") {
    const std::string committed = ReadWholeFile(data_dir / "corpora" / "adversarial.txt");
    std::vector<std::string> lines;
    for (std::string_view line : SplitNonEmpty(committed, '\n')) lines.emplace_back(line);
    text = AssembleAdversarialCorpus(lines,
                                     ReadDebianSources(data_dir / "adversarial_sources.txt"),
                                     ReadDebianSources(data_dir / "heldout_sources.txt"), seed, target_bytes);
  } else if (kind == "unicode_new") {
    text = AssembleUnicodeNewCorpus(seed, target_bytes);
  } else {
    throw SetupError(fmt::format("unknown corpus '{}'; choose seeded, heldout, adversarial or unicode_new", kind));
  }
  if (const std::string got = Sha256Hex(text); got != want_sha256) {
    throw SetupError(fmt::format(
        "the {} corpus for corpus_bytes={} seed={} came out with sha256 {}, not the {} its case records "
        "(corpus_sha256): any source files it reads matched their sha256, so the code that assembles it or the "
        "case's parameters changed; if that was meant, record the new sha256 in driver/case_corpora.cc (or pass --param "
        "corpus_sha256={})",
        kind, target_bytes, seed, got, want_sha256, got));
  }
  WriteFileAtomically(out, text);
}

}  // namespace claimbench::tokenizer_workload
