// The abstractions workload's inputs (SPEC.md, "The input"): SplitMix64 from a seed, drawn in the SPEC's
// order. The C++ program and the harness's driver both build their inputs here, so that the harness checks
// answers on exactly the input the program saw; the Rust port builds the same input from the SPEC alone, and
// a difference shows as a wrong answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace claimbench::abstractions {

// SPEC.md's generator. Not thread-safe (one stream per thread); never fails.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}

  // The next 64-bit draw.
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

// `count` values (a draw's top 16 bits each, 0 to 65,535), in draw order.
std::vector<uint32_t> MakeValues(SplitMix64& draws, size_t count);

// The `word_lengths` text: words of 1-12 lower-case letters, each followed by 1-3 spaces, cut to exactly
// `bytes` bytes.
std::string MakeText(SplitMix64& draws, size_t bytes);

}  // namespace claimbench::abstractions
