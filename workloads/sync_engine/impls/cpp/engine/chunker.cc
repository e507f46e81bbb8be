#include "chunker.h"

#include <bit>
#include <charconv>
#include <string>

#include "errors.h"

namespace claimbench::sync {

void ValidateChunkParams(const ChunkParams& p) {
  auto text = [](std::uint64_t v) { return std::to_string(v); };
  if (p.min < 1 || !(p.min < p.avg && p.avg < p.max)) {
    throw UsageError("chunk sizes need 1 <= --min < --avg < --max; got min " + text(p.min) + ", avg " +
                     text(p.avg) + ", max " + text(p.max));
  }
  if (!std::has_single_bit(p.avg) || p.avg < 8 || p.avg > (1ULL << 30)) {
    throw UsageError("--avg must be a power of two from 8 to 1G; got " + text(p.avg));
  }
  if (p.max > (1ULL << 31)) throw UsageError("--max must be at most 2G; got " + text(p.max));
}

std::uint64_t ParseSize(std::string_view text, std::string_view flag) {
  std::uint64_t multiplier = 1;
  std::string_view digits = text;
  if (!digits.empty() && (digits.back() == 'K' || digits.back() == 'M')) {
    multiplier = digits.back() == 'K' ? 1024 : 1024 * 1024;
    digits.remove_suffix(1);
  }
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() ||
      value > (~0ULL) / multiplier) {
    throw UsageError(std::string(flag) + " takes a byte count such as 65536, 64K or 1M, not '" +
                     std::string(text) + "'");
  }
  return value * multiplier;
}

const std::array<std::uint64_t, 256>& GearTable() {
  static const std::array<std::uint64_t, 256> table = [] {
    std::array<std::uint64_t, 256> gear{};
    std::uint64_t state = 0;  // SplitMix64 (Steele, Lea, Flood 2014), seed 0
    for (std::uint64_t& value : gear) {
      state += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = state;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      value = z ^ (z >> 31);
    }
    return gear;
  }();
  return table;
}

std::uint64_t SpreadMask(unsigned bits) {
  std::uint64_t mask = 0;
  for (unsigned j = 0; j < bits; ++j) mask |= 1ULL << (63 - (j * 48) / bits);
  return mask;
}

Chunker::Chunker(const ChunkParams& params) : params_(params) {
  ValidateChunkParams(params);
  unsigned log2_avg = static_cast<unsigned>(std::countr_zero(params.avg));
  mask_s_ = SpreadMask(log2_avg + 2);
  mask_l_ = SpreadMask(log2_avg - 2);
}

std::size_t Chunker::NextLength(std::span<const std::uint8_t> data) const {
  const std::size_t size = data.size();
  if (size <= params_.min) return size;
  const std::size_t end = size < params_.max ? size : static_cast<std::size_t>(params_.max);
  const std::size_t normal = end < params_.avg ? end : static_cast<std::size_t>(params_.avg);
  const std::uint64_t* gear = GearTable().data();
  const std::uint8_t* bytes = data.data();
  std::uint64_t fp = 0;
  std::size_t i = params_.min;
  // Before avg the stricter mask (more one-bits) makes a cut less likely; after it, the looser one.
  const std::uint64_t mask_s = mask_s_;
  for (; i < normal; ++i) {
    fp = (fp << 1) + gear[bytes[i]];
    if ((fp & mask_s) == 0) return i + 1;
  }
  const std::uint64_t mask_l = mask_l_;
  for (; i < end; ++i) {
    fp = (fp << 1) + gear[bytes[i]];
    if ((fp & mask_l) == 0) return i + 1;
  }
  return end;
}

std::vector<std::uint32_t> Chunker::Split(std::span<const std::uint8_t> data) const {
  std::vector<std::uint32_t> lengths;
  lengths.reserve(data.size() / params_.avg + 1);
  while (!data.empty()) {
    std::size_t length = NextLength(data);
    lengths.push_back(static_cast<std::uint32_t>(length));
    data = data.subspan(length);
  }
  return lengths;
}

}  // namespace claimbench::sync
