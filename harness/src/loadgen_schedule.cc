#include "claimbench/loadgen_schedule.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench::loadgen {
namespace {

constexpr double kNsPerS = 1e9;

// Validates the arguments and returns the expected number of requests (used to reserve).
int64_t CheckedExpectedCount(double rate_per_s, int64_t duration_ns) {
  if (!std::isfinite(rate_per_s) || rate_per_s <= 0) {
    throw SetupError(fmt::format("load schedule: the rate must be a finite number > 0 requests/s, got {}",
                                 rate_per_s));
  }
  if (duration_ns < 0) {
    throw SetupError(fmt::format("load schedule: the duration must be >= 0 ns, got {}", duration_ns));
  }
  const double expected = rate_per_s * static_cast<double>(duration_ns) / kNsPerS;
  if (expected > static_cast<double>(kMaxScheduledRequests)) {
    throw SetupError(fmt::format(
        "load schedule: {} requests/s for {} s is {:.0f} requests, more than the {} a schedule may hold",
        rate_per_s, static_cast<double>(duration_ns) / kNsPerS, expected, kMaxScheduledRequests));
  }
  return static_cast<int64_t>(expected) + 1;
}

}  // namespace

uint64_t SplitMix64::Next() noexcept {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double SplitMix64::NextUnitInterval() noexcept {
  // The top 53 bits scaled by 2^-53: exactly representable, uniform, never 1.
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

std::vector<int64_t> ConstantRateSchedule(double rate_per_s, int64_t duration_ns) {
  const int64_t expected = CheckedExpectedCount(rate_per_s, duration_ns);
  std::vector<int64_t> offsets_ns;
  offsets_ns.reserve(static_cast<size_t>(expected));
  // Each offset is computed from k rather than by adding a rounded period, so rounding never accumulates.
  // k * 1e9 stays exact in a double for any k below kMaxScheduledRequests.
  for (int64_t k = 0;; ++k) {
    // Compared as a double first: for a tiny rate the offset may not fit in an int64_t.
    const double offset_ns = std::floor(static_cast<double>(k) * kNsPerS / rate_per_s);
    if (offset_ns >= static_cast<double>(duration_ns)) break;
    offsets_ns.push_back(static_cast<int64_t>(offset_ns));
  }
  return offsets_ns;
}

std::vector<int64_t> PoissonSchedule(double rate_per_s, int64_t duration_ns, uint64_t seed) {
  const int64_t expected = CheckedExpectedCount(rate_per_s, duration_ns);
  std::vector<int64_t> offsets_ns;
  offsets_ns.reserve(static_cast<size_t>(expected + expected / 16 + 16));
  SplitMix64 rng(seed);
  const double mean_gap_ns = kNsPerS / rate_per_s;
  int64_t t_ns = 0;
  // Bounded: each step adds a gap >= 0; the count is checked so a pathological stream of zero gaps
  // (impossible in practice at 53 bits) cannot grow the vector without limit.
  while (static_cast<int64_t>(offsets_ns.size()) < kMaxScheduledRequests) {
    // Inverse transform: -ln(1 - u) is Exp(1); log1p keeps precision for small u.
    const double gap_ns = -std::log1p(-rng.NextUnitInterval()) * mean_gap_ns;
    // Compared before rounding so that a huge gap (a tiny rate) cannot overflow llround or t_ns.
    if (gap_ns >= static_cast<double>(duration_ns - t_ns)) break;
    t_ns += std::llround(gap_ns);
    if (t_ns >= duration_ns) break;
    offsets_ns.push_back(t_ns);
  }
  return offsets_ns;
}

}  // namespace claimbench::loadgen
