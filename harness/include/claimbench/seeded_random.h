// A small, fully specified pseudo-random generator: the bootstrap's, and seeded inputs (corpora) anywhere.
//
// Why not <random>: std::mt19937_64 itself is specified, but std::uniform_int_distribution is not, so
// the same seed gives different bootstrap intervals with libstdc++, libc++ and MSVC. Here every step is
// defined: splitmix64 expands the seed into xoshiro256**'s state (as its authors recommend), and
// Lemire's multiply-and-reject method maps 64-bit outputs to an unbiased index. Not cryptographic.
#pragma once

#include <bit>
#include <cstdint>

namespace claimbench::stats::detail {

// unsigned __int128 is a GCC/Clang extension, which is all this project builds with; __extension__ keeps
// -Wpedantic quiet about it.
__extension__ using Uint128 = unsigned __int128;

// One step of splitmix64: advances `state` and returns the next output.
constexpr uint64_t SplitMix64(uint64_t& state) noexcept {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// xoshiro256**. Not thread-safe: one instance per thread. Never throws.
class SeededRandom {
 public:
  explicit SeededRandom(uint64_t seed) noexcept {
    uint64_t sm = seed;
    for (uint64_t& word : state_) word = SplitMix64(sm);
  }

  uint64_t Next() noexcept {
    const uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }

  // A uniformly distributed integer in [0, bound); bound must be > 0. The high 64 bits of
  // Next() * bound are uniform once the few low products that would over-represent some results are
  // rejected; the rejection threshold (2^64 mod bound) is only computed when a draw comes close to it.
  uint64_t Below(uint64_t bound) noexcept {
    Uint128 product = static_cast<Uint128>(Next()) * bound;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < bound) {
      const uint64_t threshold = (0 - bound) % bound;
      while (low < threshold) {
        product = static_cast<Uint128>(Next()) * bound;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<uint64_t>(product >> 64);
  }

 private:
  uint64_t state_[4];
};

}  // namespace claimbench::stats::detail
