// FastCDC written from SPEC.md's text alone ("Chunking and hashing"), for the harness: the boundaries every
// implementation's `chunk` output is checked against come from here, never from an implementation under
// test (the C++ reference is measured too). Clarity over speed: one byte at a time, in SPEC.md's words and
// order; it shares no code with impls/cpp/engine/chunker.*, and data/chunks_*.txt pin it to the contract.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "chunk_check.h"

namespace claimbench::sync_engine_workload {

// SPEC.md's size parameters, in bytes: 1 <= min < avg < max, avg a power of two of at least 8.
struct ChunkLimits {
  int64_t min = 16384;
  int64_t avg = 65536;
  int64_t max = 262144;
};

// SPEC.md's Gear table: gear[i] is the i-th output (from 0) of SplitMix64 seeded with 0.
std::array<uint64_t, 256> GearTable();

// A mask with `one_bits` one-bits (1..48), at bit positions 63 - floor(j * 48 / one_bits), j = 0 .. one_bits-1.
uint64_t SpreadMask(int one_bits);

// Finds chunk boundaries in a file fed to it in pieces of any size. One per file; not thread-safe.
class SpecChunker {
 public:
  // Throws SetupError when `limits` break SPEC.md's rules.
  explicit SpecChunker(ChunkLimits limits);

  // The next bytes of the file: appends to `lengths` the length of every chunk that ends within them.
  void Feed(std::span<const uint8_t> bytes, std::vector<int64_t>& lengths);

  // The end of the file: appends the last chunk's length, when bytes are left over (the last chunk of a
  // file ends with the file).
  void Finish(std::vector<int64_t>& lengths);

 private:
  ChunkLimits limits_;
  std::array<uint64_t, 256> gear_;
  uint64_t mask_small_;  // log2(avg) + 2 one-bits: the test before `avg` bytes
  uint64_t mask_large_;  // log2(avg) - 2 one-bits: the test from `avg` bytes on
  int64_t length_ = 0;   // bytes of the current chunk seen so far
  uint64_t fp_ = 0;      // its Gear fingerprint
};

// The chunks (offsets and lengths; no hashes) of `file` under `limits`, read in 1 MiB pieces. Throws
// SetupError when the file cannot be read or `limits` are invalid.
std::vector<Chunk> SpecChunks(const std::filesystem::path& file, ChunkLimits limits);

}  // namespace claimbench::sync_engine_workload
