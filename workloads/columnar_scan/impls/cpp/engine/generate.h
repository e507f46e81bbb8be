// `generate`: TPC-H data made by an established generator, stored in the columnar format.
//
// Design: we do not write our own dbgen. tpchgen-cli (PyPI; a Rust port of dbgen whose output its
// authors check byte for byte against dbgen's) writes dbgen's .tbl text; we import that text into column
// files, and optionally ask the same generator for Parquet, which the Python peers read. So every
// implementation reads the same rows, and at SF1 the answers are TPC-H's official ones.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace claimbench::columnar {

struct GenerateOptions {
  std::string scale_factor = "1";          // passed to the generator as is, e.g. "0.1"
  std::filesystem::path out_dir;           // created; existing contents are replaced
  std::string generator = "tpchgen-cli";   // a path, or a name looked up on PATH
  bool parquet = false;                    // also write OUT/parquet/<table>.parquet for the peers
};

// Generates, imports and writes OUT/manifest.json last (a directory without it is incomplete). Throws
// DataError when the generator cannot run or fails, or the import fails.
void Generate(const GenerateOptions& options);

// Runs argv (argv[0] looked up on PATH) to completion, stdout to `stdout_path` when not empty. Throws
// DataError when it cannot start or does not exit 0.
void RunProgram(const std::vector<std::string>& argv, const std::filesystem::path& stdout_path = {});

// The generator's version line ("tpchgen-cli 4.0.0"), recorded in the manifest.
std::string GeneratorVersion(const std::string& generator);

}  // namespace claimbench::columnar
