// How often does the interval of a paired comparison really contain the true ratio? A Monte Carlo
// simulation of interleaved pairs under the noise a shared 2-vCPU virtual machine gives, run through the
// harness's own estimators (claimbench/statistics.h), so the table in docs/statistics.md describes the
// numbers the suite reports and not a re-implementation of them.
//
// Design: each scenario multiplies a true time by a random noise factor per repetition, independently
// for the baseline and the contender of a pair (noise shared by a pair, such as a slow minute of the
// machine, cancels in the ratio and would only flatter the estimators). The true ratio is the population
// median of contender / baseline, the quantity the harness's ratio estimates: the contender's true
// slow-down when both sides have the same noise, and a Monte Carlo median otherwise. Everything is seeded:
// a table is reproduced exactly by the same command.
//
// Thread-safety: functions share no state. Failure: std::invalid_argument for bad arguments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "claimbench/seeded_random.h"

namespace claimbench::pair_coverage {

// Uniform, normal and exponential draws from the harness's specified generator.
class NoiseRandom {
 public:
  explicit NoiseRandom(uint64_t seed) : random_(seed) {}
  double Uniform();                  // [0, 1)
  double Normal();                   // standard normal (Box-Muller)
  double Exponential(double mean);   // > 0
  double Pareto(double alpha);       // >= 1, Pareto with scale 1 and shape alpha

 private:
  stats::detail::SeededRandom random_;
};

// A positive multiplicative noise factor for one repetition.
using NoiseFactor = std::function<double(NoiseRandom&)>;

struct Scenario {
  std::string name;         // short, for table headers
  std::string description;  // one line: the distribution and what on a 2-vCPU VM it stands for
  NoiseFactor baseline;
  NoiseFactor contender;    // empty: the same distribution as the baseline
};

// The scenarios of the published table, from quiet to hostile.
std::vector<Scenario> Scenarios();

// The contender's true slow-down in every simulated pair (contender time / baseline time before noise).
inline constexpr double kSimulatedSlowdown = 1.5;

// The population median of the per-pair ratio: kSimulatedSlowdown when both sides share one distribution
// (the log ratio is then symmetric about log kSimulatedSlowdown), else the median of `draws` simulated
// ratios. Throws std::invalid_argument for draws < 1.
double TrueRatio(const Scenario& scenario, int64_t draws = 2'000'000, uint64_t seed = 1);

enum class Estimator {
  kHarness,              // stats::ComparePairs: what the suite reports (order-statistic interval)
  kPercentileBootstrap,  // stats::PairedRatioCi with the suite's former settings (10000 resamples, seed 7)
};

struct Coverage {
  int64_t trials = 0;
  int64_t intervals = 0;  // trials that gave an interval (the harness gives none below kMinPairs)
  int64_t covered = 0;    // intervals that contained the true ratio
  double median_relative_width = 0;  // median of (high - low) / true ratio over the intervals; NaN if none
  double Fraction() const;           // covered / intervals; NaN when there was no interval
};

// Simulates `trials` comparisons of `pairs` pairs each and counts the intervals that contain
// `true_ratio`. Deterministic for a seed. Throws std::invalid_argument for pairs < 1 or trials < 1.
Coverage SimulateCoverage(const Scenario& scenario, double true_ratio, size_t pairs, int64_t trials,
                          uint64_t seed, Estimator estimator);

}  // namespace claimbench::pair_coverage
