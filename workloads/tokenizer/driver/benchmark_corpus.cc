#include "benchmark_corpus.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench::tokenizer_workload {
namespace {

// splitmix64: fully specified, so the corpus is the same with every standard library.
uint64_t NextRandom(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::vector<std::string> ReadNonEmptyLines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SetupError(fmt::format("cannot read {}: is the checkout complete?", path.string()));
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    size_t begin = line.find_first_not_of(" \t");
    if (begin == std::string::npos) continue;
    lines.push_back(line.substr(begin));
  }
  if (lines.empty()) throw SetupError(fmt::format("{} has no text", path.string()));
  return lines;
}

}  // namespace

void WriteBenchmarkCorpus(const std::filesystem::path& testdata_dir, uint64_t seed, int64_t target_bytes,
                          const std::filesystem::path& out) {
  std::vector<std::string> prose = ReadNonEmptyLines(testdata_dir / "train_text.txt");
  std::vector<std::string> adversarial = ReadNonEmptyLines(testdata_dir / "corpora" / "adversarial.txt");
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  if (!file) throw SetupError(fmt::format("cannot write {}", out.string()));
  uint64_t state = seed;
  int64_t written = 0;
  std::string doc;
  while (written < target_bytes) {
    doc.clear();
    size_t start = NextRandom(state) % prose.size();
    size_t lines = 1 + NextRandom(state) % 8;
    for (size_t i = start; i < std::min(prose.size(), start + lines); ++i) {
      if (!doc.empty()) doc.push_back(' ');
      doc += prose[i];
    }
    if (NextRandom(state) % 20 == 0) {
      doc.push_back(' ');
      doc += adversarial[NextRandom(state) % adversarial.size()];
    }
    doc.push_back('\n');
    file << doc;
    written += static_cast<int64_t>(doc.size());
  }
  if (!file.flush()) throw SetupError(fmt::format("cannot write {} (disk full?)", out.string()));
}

}  // namespace claimbench::tokenizer_workload
