// The null workload's unit of work (SPEC.md), as the harness computes it to check every answer: the
// harness's own SplitMix64 (claimbench/seeded_random.h) folded order-sensitively. Implementations compute
// it themselves; the known answers below keep this side honest.
#pragma once

#include <bit>
#include <cstdint>

#include "claimbench/seeded_random.h"

namespace claimbench::null_workload {

constexpr uint64_t Checksum(uint64_t work_units) {
  uint64_t state = 0;
  uint64_t acc = 0;
  for (uint64_t i = 0; i < work_units; ++i) acc = std::rotl(acc, 1) ^ stats::detail::SplitMix64(state);
  return acc;
}

static_assert(Checksum(1) == 0xe220a8397b1dcdafULL, "SplitMix64's first output for seed 0");
static_assert(Checksum(3) == 0x52b7c1282f0cb818ULL, "known answer in SPEC.md");

}  // namespace claimbench::null_workload
