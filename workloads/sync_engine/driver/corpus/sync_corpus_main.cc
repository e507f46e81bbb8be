// sync_corpus: writes the sync_engine corpus (corpus.h) for people and scripts; the harness driver makes
// the same corpus in its cache itself.
//   sync_corpus --out DIR [--seed N] [--size 32M]
#include <cstdint>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "claimbench/error.h"
#include "corpus.h"
#include "size_text.h"

int main(int argc, char** argv) {
  CLI::App app{"Writes DIR/v0, DIR/v1 and DIR/manifest.json: a seeded tree, its next version, and what a sync "
               "engine must report on them"};
  std::string out, size_text = "32M";
  uint64_t seed = 1;
  app.add_option("--out", out, "where to write the corpus (replaced)")->required();
  app.add_option("--seed", seed, "the generator's seed; same seed, same trees");
  app.add_option("--size", size_text, "v0's logical size: bytes, or with K/M/G (powers of 1024)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "sync_corpus: error: " << error.what() << "; see --help\n";
    return 2;
  }
  const auto size = claimbench::sync_corpus::ParseSize(size_text);
  if (!size || *size == 0) {
    std::cerr << "sync_corpus: error: --size " << size_text << " is not a positive size (e.g. 32M)\n";
    return 2;
  }
  try {
    const auto manifest = claimbench::sync_corpus::GenerateCorpus({seed, *size}, out);
    std::cout << fmt::format("v0: {} files, {} bytes, {} unique; v1: {} files, {} bytes; {} operations; tree {}\n",
                             manifest.v0.files, manifest.v0.logical_bytes, manifest.v0.unique_bytes,
                             manifest.v1.files, manifest.v1.logical_bytes, manifest.operations.size(),
                             manifest.v0.tree_hash);
  } catch (const claimbench::SetupError& error) {
    std::cerr << "sync_corpus: error: " << error.what() << "\n";
    return 2;
  }
  return 0;
}
