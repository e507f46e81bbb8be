// FastCDC content-defined chunking (SPEC.md, Chunking and hashing): the Gear rolling hash, normalised
// chunking level 2, and the exact table and masks that make boundaries equal across implementations.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace claimbench::sync {

struct ChunkParams {
  std::uint64_t min = 16384;
  std::uint64_t avg = 65536;
  std::uint64_t max = 262144;
};

// Throws UsageError unless 1 <= min < avg < max <= 2^31 and avg is a power of two in [2^3, 2^30].
void ValidateChunkParams(const ChunkParams& params);

// "16384", "16K", "1M" (powers of 1024) -> bytes; throws UsageError naming `flag` otherwise.
std::uint64_t ParseSize(std::string_view text, std::string_view flag);

// gear[i] is the i-th output of SplitMix64 seeded with 0.
const std::array<std::uint64_t, 256>& GearTable();

// A mask with `bits` one-bits at positions 63 - floor(j * 48 / bits), j = 0..bits-1: spread evenly over
// the top 48 bits, which depend on the most bytes of the Gear window. 1 <= bits <= 48.
std::uint64_t SpreadMask(unsigned bits);

class Chunker {
 public:
  explicit Chunker(const ChunkParams& params);  // validates

  // The length of the chunk that starts at data[0] (data is the rest of the file): `data.size()` when it
  // is at most `min`, else the first cut point, at most `max`.
  std::size_t NextLength(std::span<const std::uint8_t> data) const;

  // Every chunk length of `data`, in order (empty for empty data).
  std::vector<std::uint32_t> Split(std::span<const std::uint8_t> data) const;

  const ChunkParams& params() const { return params_; }
  std::uint64_t mask_s() const { return mask_s_; }
  std::uint64_t mask_l() const { return mask_l_; }

 private:
  ChunkParams params_;
  std::uint64_t mask_s_;
  std::uint64_t mask_l_;
};

}  // namespace claimbench::sync
