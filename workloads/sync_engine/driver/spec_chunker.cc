#include "spec_chunker.h"

#include <bit>
#include <fstream>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench::sync_engine_workload {

std::array<uint64_t, 256> GearTable() {
  std::array<uint64_t, 256> gear{};
  uint64_t state = 0;
  for (uint64_t& value : gear) {  // SplitMix64, as SPEC.md gives it (Service mode)
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    value = z ^ (z >> 31);
  }
  return gear;
}

uint64_t SpreadMask(int one_bits) {
  uint64_t mask = 0;
  for (int j = 0; j < one_bits; ++j) mask |= uint64_t{1} << (63 - j * 48 / one_bits);
  return mask;
}

SpecChunker::SpecChunker(ChunkLimits limits) : limits_(limits), gear_(GearTable()) {
  if (!(1 <= limits.min && limits.min < limits.avg && limits.avg < limits.max) || limits.avg < 8 ||
      !std::has_single_bit(static_cast<uint64_t>(limits.avg))) {
    throw SetupError(fmt::format("chunk sizes min {} avg {} max {}: SPEC.md needs 1 <= min < avg < max and avg a "
                                 "power of two of at least 8",
                                 limits.min, limits.avg, limits.max));
  }
  const int log2_avg = std::countr_zero(static_cast<uint64_t>(limits.avg));
  mask_small_ = SpreadMask(log2_avg + 2);
  mask_large_ = SpreadMask(log2_avg - 2);
}

void SpecChunker::Feed(std::span<const uint8_t> bytes, std::vector<int64_t>& lengths) {
  for (const uint8_t byte : bytes) {
    const int64_t i = length_++;  // this byte's index in the chunk
    if (i < limits_.min) continue;  // a chunk never ends before min bytes; the hash starts at min
    fp_ = (fp_ << 1) + gear_[byte];
    const uint64_t mask = i < limits_.avg ? mask_small_ : mask_large_;
    if ((fp_ & mask) == 0 || length_ == limits_.max) {  // a boundary after byte i, or max bytes at the latest
      lengths.push_back(length_);
      length_ = 0;
      fp_ = 0;
    }
  }
}

void SpecChunker::Finish(std::vector<int64_t>& lengths) {
  if (length_ > 0) lengths.push_back(length_);
  length_ = 0;
  fp_ = 0;
}

std::vector<Chunk> SpecChunks(const std::filesystem::path& file, ChunkLimits limits) {
  SpecChunker chunker(limits);
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw SetupError(fmt::format("cannot read {}; delete the harness cache (.cache/sync_engine)", file.string()));
  }
  std::vector<int64_t> lengths;
  std::vector<char> buffer(1 << 20);
  while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0) {
    chunker.Feed({reinterpret_cast<const uint8_t*>(buffer.data()), static_cast<size_t>(in.gcount())}, lengths);
  }
  if (in.bad()) {
    throw SetupError(fmt::format("reading {} failed; delete the harness cache (.cache/sync_engine)", file.string()));
  }
  chunker.Finish(lengths);
  std::vector<Chunk> chunks;
  int64_t offset = 0;
  for (const int64_t length : lengths) {
    chunks.push_back({offset, length, ""});
    offset += length;
  }
  return chunks;
}

}  // namespace claimbench::sync_engine_workload
