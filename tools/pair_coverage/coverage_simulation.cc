#include "coverage_simulation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include <fmt/format.h>

#include "claimbench/statistics.h"

namespace claimbench::pair_coverage {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The settings the suite runner passed to PairedRatioCi before it switched to ComparePairs.
constexpr int kFormerResamples = 10000;
constexpr uint64_t kFormerSeed = 7;

NoiseFactor LogNormal(double sigma) {
  return [sigma](NoiseRandom& random) { return std::exp(sigma * random.Normal()); };
}

// A floor with an exponential right tail: the common shape of run times.
NoiseFactor Skewed(double mean_excess) {
  return [mean_excess](NoiseRandom& random) { return 1 + random.Exponential(mean_excess); };
}

// Quiet runs, but with probability `share` a neighbour takes the vCPU and the run is 1.3 to 3 times slower.
NoiseFactor WithOutliers(double sigma, double share) {
  return [sigma, share](NoiseRandom& random) {
    const double quiet = std::exp(sigma * random.Normal());
    return random.Uniform() < share ? quiet * (1.3 + 1.7 * random.Uniform()) : quiet;
  };
}

// A steady program: a small exponential tail, and with probability `share` a run 1.3 to 3 times slower.
NoiseFactor SkewedWithOutliers(double mean_excess, double share) {
  return [mean_excess, share](NoiseRandom& random) {
    const double steady = 1 + random.Exponential(mean_excess);
    return random.Uniform() < share ? steady * (1.3 + 1.7 * random.Uniform()) : steady;
  };
}

// A Pareto tail with infinite variance (shape 1.1): rare, very long stalls.
NoiseFactor HeavyTail(double scale) {
  return [scale](NoiseRandom& random) { return 1 + scale * (random.Pareto(1.1) - 1); };
}

}  // namespace

double NoiseRandom::Uniform() { return static_cast<double>(random_.Next() >> 11) * 0x1.0p-53; }

double NoiseRandom::Normal() {
  const double u1 = 1.0 - Uniform();  // (0, 1]: log() stays finite
  const double u2 = Uniform();
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

double NoiseRandom::Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

double NoiseRandom::Pareto(double alpha) { return std::pow(1.0 - Uniform(), -1.0 / alpha); }

std::vector<Scenario> Scenarios() {
  return {
      {"quiet", "log-normal, sigma 0.02: a compiled program on an idle machine", LogNormal(0.02), {}},
      {"noisy", "log-normal, sigma 0.15: an interpreter with a garbage collector, a busy neighbour",
       LogNormal(0.15), {}},
      {"skewed", "1 + exponential (mean 0.1): a floor and a right tail, the usual shape of run times",
       Skewed(0.1), {}},
      {"outliers", "log-normal 0.02, and 10% of runs 1.3-3x slower: a neighbour takes the vCPU",
       WithOutliers(0.02, 0.1), {}},
      {"heavy", "1 + 0.05 (Pareto(1.1) - 1): infinite variance, rare very long stalls", HeavyTail(0.05), {}},
      {"unequal", "contender log-normal 0.15, baseline 1 + exponential (mean 0.03) with 5% outliers: "
                  "a noisy interpreter against a steady compiled program",
       SkewedWithOutliers(0.03, 0.05), LogNormal(0.15)},
  };
}

double TrueRatio(const Scenario& scenario, int64_t draws, uint64_t seed) {
  if (draws < 1) throw std::invalid_argument(fmt::format("TrueRatio: draws must be >= 1, got {}", draws));
  if (!scenario.contender) return kSimulatedSlowdown;
  NoiseRandom random(seed);
  std::vector<double> ratios(static_cast<size_t>(draws));
  for (double& ratio : ratios) {
    const double baseline = scenario.baseline(random);
    ratio = kSimulatedSlowdown * scenario.contender(random) / baseline;
  }
  const auto middle = ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2);
  std::nth_element(ratios.begin(), middle, ratios.end());
  return *middle;
}

double Coverage::Fraction() const {
  return intervals == 0 ? kNaN : static_cast<double>(covered) / static_cast<double>(intervals);
}

Coverage SimulateCoverage(const Scenario& scenario, double true_ratio, size_t pairs, int64_t trials,
                          uint64_t seed, Estimator estimator) {
  if (pairs < 1) throw std::invalid_argument("SimulateCoverage: pairs must be >= 1");
  if (trials < 1) throw std::invalid_argument("SimulateCoverage: trials must be >= 1");
  const NoiseFactor& contender_noise = scenario.contender ? scenario.contender : scenario.baseline;
  NoiseRandom random(seed);
  std::vector<double> baseline(pairs), contender(pairs), widths;
  Coverage coverage;
  coverage.trials = trials;
  for (int64_t trial = 0; trial < trials; ++trial) {
    for (size_t i = 0; i < pairs; ++i) {
      baseline[i] = scenario.baseline(random);
      contender[i] = kSimulatedSlowdown * contender_noise(random);
    }
    double low = kNaN, high = kNaN;
    if (estimator == Estimator::kHarness) {
      const stats::PairedRatio ratio = stats::ComparePairs(contender, baseline);
      low = ratio.ci95_low;
      high = ratio.ci95_high;
    } else {
      const stats::Interval interval = stats::PairedRatioCi(contender, baseline, 0.95, kFormerResamples, kFormerSeed);
      low = interval.low;
      high = interval.high;
    }
    if (std::isnan(low)) continue;
    ++coverage.intervals;
    coverage.covered += low <= true_ratio && true_ratio <= high ? 1 : 0;
    widths.push_back((high - low) / true_ratio);
  }
  std::sort(widths.begin(), widths.end());
  coverage.median_relative_width = widths.empty() ? kNaN : stats::Quantile(widths, 0.5);
  return coverage;
}

}  // namespace claimbench::pair_coverage
