// Helpers for sync_engine's tests: seeded bytes, the golden input, files and trees on disk, and running
// the CLI as a child process.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "claimbench/seeded_random.h"

namespace claimbench::sync::testing {

// `size` bytes of SplitMix64 output (little-endian words) from `seed`.
std::vector<std::uint8_t> SeededBytes(std::uint64_t seed, std::size_t size);
// The golden input of golden/README.md.
std::vector<std::uint8_t> GoldenInput();

std::string ReadFile(const std::filesystem::path& path);
void WriteFile(const std::filesystem::path& path, const std::string& content);

// Every regular file under `dir` (not .claimsync/), relative path -> content.
std::map<std::string, std::string> FilesUnder(const std::filesystem::path& dir);

struct CliResult {
  int exit_code = -1;  // -1 when killed
  int signal = 0;
  std::string out;
  std::string err;
};
// Runs the sync_engine_cpp binary with `args` and extra environment; `kill_after_us` > 0 sends SIGKILL
// after that many microseconds if it is still running.
CliResult RunCli(const std::vector<std::string>& args,
                 const std::vector<std::pair<std::string, std::string>>& env = {},
                 std::int64_t kill_after_us = 0);

}  // namespace claimbench::sync::testing
