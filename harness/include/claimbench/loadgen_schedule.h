// Arrival schedules for the open-loop load generator: when each request is meant to be sent.
//
// Design: a schedule is computed in full before the run, from the rate and a seed, and then only read.
// Computing it up front keeps the sending loop free of random-number and math work, and makes the
// intended send times a fixed, reproducible input: the same seed gives the same offsets, which is what
// lets latency be measured from the intended time and lets two runs be compared request by request.
// Offsets are integers in nanoseconds, accumulated in integer arithmetic so that long schedules do not
// drift. The Poisson schedule uses our own PRNG (SplitMix64) rather than <random>'s distributions,
// whose output the C++ standard leaves to each library.
#pragma once

#include <cstdint>
#include <vector>

namespace claimbench::loadgen {

// Requests at exactly 1/rate intervals: offset k is floor(k * 1e9 / rate_per_s) ns, for every k whose
// offset is below duration_ns. Offsets are non-decreasing and in [0, duration_ns).
// Throws SetupError if rate_per_s is not finite and > 0, duration_ns < 0, or the schedule would hold
// more than kMaxScheduledRequests requests. Thread-safe (pure function).
std::vector<int64_t> ConstantRateSchedule(double rate_per_s, int64_t duration_ns);

// A Poisson process: exponential inter-arrival times with mean 1e9 / rate_per_s ns, drawn from a
// SplitMix64 stream seeded with `seed`. Each gap is rounded to whole nanoseconds and summed as an
// integer, so a seed gives the same offsets on every platform whose std::log1p is within an ulp
// (a gap could differ by 1 ns only where its exact value falls on a rounding tie). Offsets are
// non-decreasing and in [0, duration_ns). Same failure behaviour and thread-safety as above.
std::vector<int64_t> PoissonSchedule(double rate_per_s, int64_t duration_ns, uint64_t seed);

// Upper bound on one schedule's length (8 bytes each: 2 GiB), to fail fast on a mistyped rate.
inline constexpr int64_t kMaxScheduledRequests = int64_t{1} << 28;

// SplitMix64 (Steele, Lea, Flood 2014): a tiny, well-mixed 64-bit generator whose output is fully
// specified, used for schedules so that they are identical on every platform. Not thread-safe; not
// for cryptography.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) noexcept : state_(seed) {}
  uint64_t Next() noexcept;
  // Uniform in [0, 1) with 53 random bits.
  double NextUnitInterval() noexcept;

 private:
  uint64_t state_;
};

}  // namespace claimbench::loadgen
