// Verification of `chunk` output (SPEC.md, chunk): the boundaries an implementation found against the
// harness's own (spec_chunker.h), the lengths against the file, and the chunk hashes against the harness's
// own SHA-256.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench::sync_engine_workload {

struct Chunk {
  int64_t offset = 0;
  int64_t length = 0;
  std::string hash;  // lowercase hex; empty in `--mode chunk` output
};

// Parses `<offset> <length>[ <hash>]` lines. On a malformed line returns false and says which in `error`.
bool ParseChunks(std::string_view text, bool with_hashes, std::vector<Chunk>& chunks, std::string& error);

// Empty when `chunks` tile [0, file_size) and no chunk but the last is shorter than `min` or any longer
// than `max`; else one line saying what is wrong.
std::string CheckTiling(const std::vector<Chunk>& chunks, int64_t file_size, int64_t min, int64_t max);

// Empty when `actual` has exactly the boundaries (and, when compare_hashes, the hashes) of `expected`;
// else one line naming the first difference.
std::string CompareChunks(const std::vector<Chunk>& expected, const std::vector<Chunk>& actual, bool compare_hashes);

// The SHA-256 of every chunk of `file`, computed by the harness; fills each chunk's hash.
void HashChunks(const std::filesystem::path& file, std::vector<Chunk>& chunks);

// One `<offset> <length> <hash>` line per chunk.
std::string FormatChunks(const std::vector<Chunk>& chunks);

}  // namespace claimbench::sync_engine_workload
