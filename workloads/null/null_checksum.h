// The null workload's unit of work (SPEC.md): SplitMix64 folded order-sensitively. Shared by the C++
// implementation and by the harness, which recomputes the expected answer for every N it asks for;
// the known-answer test keeps both honest.
#pragma once

#include <bit>
#include <cstdint>

namespace claimbench::null_workload {

constexpr uint64_t Checksum(uint64_t work_units) {
  uint64_t state = 0;
  uint64_t acc = 0;
  for (uint64_t i = 0; i < work_units; ++i) {
    state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    acc = std::rotl(acc, 1) ^ z;
  }
  return acc;
}

static_assert(Checksum(1) == 0xe220a8397b1dcdafULL, "SplitMix64's first output for seed 0");
static_assert(Checksum(3) == 0x52b7c1282f0cb818ULL, "known answer in SPEC.md");

}  // namespace claimbench::null_workload
