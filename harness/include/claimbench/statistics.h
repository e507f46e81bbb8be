// Statistics over benchmark repetitions: summaries, bootstrap intervals, a rank test, and the rule that
// decides when to stop repeating.
//
// Design: every function is pure (no globals, no hidden state) and every random choice comes from an
// explicit seed, so a result file can be re-analysed to the same numbers. The bootstrap draws its indexes
// from a generator defined here (xoshiro256** seeded through splitmix64, bounded with Lemire's method)
// rather than from <random>'s distributions, whose output differs between standard libraries: the same
// seed gives the same interval with any compiler. Medians and ratios of medians are preferred to means
// because run times are skewed and a single slow repetition should not move the answer.
//
// Thread-safety: all functions are safe to call concurrently (they share nothing). Failure: invalid
// arguments throw std::invalid_argument; nothing here is meant for a hot path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace claimbench::stats {

// The q-quantile (q in [0, 1]) of an ascending-sorted sample, Hyndman & Fan type 7 (R's default, NumPy's
// "linear"): linear interpolation between the order statistics around h = (n - 1) * q. Same unit as
// the values. Throws std::invalid_argument for an empty sample or q outside [0, 1] (NaN included).
// Unsorted input is a caller bug; it is not detected.
double Quantile(std::span<const double> sorted, double q);

// Descriptive statistics of a sample, in the values' unit (cv and the counts are unitless). Quartiles are
// type 7; stddev is the sample standard deviation (divisor n - 1; 0 when n < 2); cv = stddev / mean, or 0
// when the mean is 0. Outliers lie strictly beyond Tukey's fences q1 - 1.5 iqr and q3 + 1.5 iqr; they are
// counted, never removed.
struct Summary {
  size_t n = 0;
  double min = 0, max = 0, mean = 0, median = 0, q1 = 0, q3 = 0, iqr = 0, stddev = 0, cv = 0;
  size_t low_outliers = 0, high_outliers = 0;
};

// Values in any order. An empty sample gives n = 0 and all zeros. Throws std::invalid_argument if a value
// is not finite.
Summary Summarize(std::span<const double> values);

// A point estimate with a confidence interval, in the unit of the estimate (low <= point <= high is
// usual but not guaranteed for percentile bootstrap intervals).
struct Interval {
  double point = 0;
  double low = 0;
  double high = 0;
};

// Half the interval's width relative to |point|: 0.02 means "within ±2% of the point". When point is 0
// it is 0 for a zero-width interval and +infinity otherwise. Never throws.
double RelativeCiHalfWidth(const Interval& interval) noexcept;

// The sample median with a percentile-bootstrap interval at `confidence` (in (0, 1)): `resamples`
// resamples of the same size drawn with replacement, the interval being the type-7 quantiles
// (1 -/+ confidence) / 2 of their medians. Values in any order; a single value gives point = low = high.
// Deterministic for a given seed. O(n log n + resamples * n). Throws std::invalid_argument for an empty
// sample, a value that is not finite, confidence outside (0, 1) or resamples < 1.
Interval BootstrapMedianCi(std::span<const double> values, double confidence = 0.95, int resamples = 10000,
                           uint64_t seed = 42);

// For interleaved paired repetitions (contender[i] ran next to baseline[i]): point is the median of the
// per-pair ratios contender[i] / baseline[i], the interval a percentile bootstrap over the pairs. The
// suite runner used it before ComparePairs; it stays for tools/pair_coverage, which shows why it was
// replaced (it covers the true ratio far less often than it claims with few pairs). Pairs
// whose baseline is 0 are skipped. Unitless. Throws std::invalid_argument if the sizes differ, no pair
// is left, a value is not finite, or as BootstrapMedianCi for confidence and resamples.
Interval PairedRatioCi(std::span<const double> contender, std::span<const double> baseline,
                       double confidence = 0.95, int resamples = 10000, uint64_t seed = 42);

// The fewest paired repetitions for which a comparison gets a 95% interval and a Wilcoxon p-value. Below
// it, intervals from this few pairs are not honest: the percentile bootstrap of the median covered the
// true ratio 0% / 51% / 74% / 89% of the time at 1 / 2 / 3 / 4 pairs, and the distribution-free interval
// PairedRatio uses does not exist at 95% below 6 values. Chosen by tools/pair_coverage (docs/statistics.md
// has its table and the command that repeats it).
inline constexpr size_t kMinPairs = 6;

// The 1-based rank k of the distribution-free interval [x_(k), x_(n+1-k)] for the median of n values at
// `confidence` (in (0, 1)): the largest k with 2 * P(Binomial(n, 1/2) <= k - 1) <= 1 - confidence. Its
// coverage is at least 1 - 2 * P(Binomial(n, 1/2) <= k - 1) >= confidence for any distribution (ties
// included), because the population median lies between x_(k) and x_(n+1-k) unless k or more values fall
// on one side of it. nullopt when no k exists (n < 6 at 95%). Throws std::invalid_argument for
// confidence outside (0, 1).
std::optional<size_t> MedianOrderStatisticRank(size_t n, double confidence = 0.95);

// The guaranteed coverage 1 - 2 * P(Binomial(n, 1/2) <= k - 1) of the interval of rank k for n values
// (a probability in (0, 1]). Throws std::invalid_argument unless 1 <= k <= (n + 1) / 2.
double MedianOrderStatisticCoverage(size_t n, size_t k);

// The sample median (type 7) with the distribution-free interval [x_(k), x_(n+1-k)] of
// MedianOrderStatisticRank. nullopt when the sample is too small for `confidence`. Values in any order.
// O(n log n). Throws std::invalid_argument for an empty sample, a value that is not finite, or confidence
// outside (0, 1).
std::optional<Interval> MedianOrderStatisticCi(std::span<const double> values, double confidence = 0.95);

// Two-sided Wilcoxon signed-rank test of "the differences are symmetric about 0" (for paired samples,
// differences such as log(contender / baseline)). Zero differences are dropped (Wilcoxon's method); the
// others are ranked by absolute value, ties getting their mean rank.
// n: the non-zero differences. w_plus: the sum of the ranks of the positive ones (0..n(n+1)/2).
// z: the normal-approximation statistic, tie- and continuity-corrected; positive when the differences
// tend to be positive. p_value: exact from the distribution of W+ over all 2^n sign patterns when there
// are no zeros, no ties and n <= 50 (exact = true), otherwise from the normal approximation (the method
// of scipy.stats.wilcoxon with zero_method="wilcox", correction=True). With no non-zero difference:
// n = 0, w_plus = z = 0, p_value = 1. Infinite differences rank above every finite one. Throws
// std::invalid_argument if a difference is NaN.
struct Wilcoxon {
  size_t n = 0;
  double w_plus = 0;
  double z = 0;
  double p_value = 1;
  bool exact = false;
};
Wilcoxon WilcoxonSignedRank(std::span<const double> differences);

// The comparison of interleaved paired repetitions (contender[i] ran next to baseline[i]) that the suite
// runner reports. ratio: the median of the per-pair ratios contender[i] / baseline[i] (pairs whose
// baseline is not > 0 are skipped; `pairs` counts the rest). With pairs >= min_pairs: the 95%
// distribution-free interval of that median (MedianOrderStatisticCi) and the two-sided Wilcoxon
// signed-rank p-value of log(contender / baseline), or NaN if a ratio is negative; below min_pairs the
// interval and p-value are NaN (written as null): the ratio is shown, but nothing is concluded from it.
// With no pair left, ratio is NaN too. Unitless. Throws std::invalid_argument if the sizes differ, a value
// is not finite, or min_pairs is below the smallest sample the 95% interval exists for.
struct PairedRatio {
  size_t pairs = 0;
  double ratio = 0;
  double ci95_low = 0;
  double ci95_high = 0;
  double wilcoxon_p = 1;
};
PairedRatio ComparePairs(std::span<const double> contender, std::span<const double> baseline,
                         size_t min_pairs = kMinPairs);

// For unpaired samples: point is median(contender) / median(baseline); each resample redraws both samples
// independently. A resample whose baseline median is 0 contributes an infinite ratio (or 1 if the
// contender's median is 0 too), which widens the interval rather than being dropped. Unitless. Throws
// std::invalid_argument if either sample is empty, the baseline median is 0, a value is not finite, or as
// BootstrapMedianCi for confidence and resamples.
Interval RatioOfMediansCi(std::span<const double> contender, std::span<const double> baseline,
                          double confidence = 0.95, int resamples = 10000, uint64_t seed = 42);

// Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of "a and b come from the same distribution".
// u: U of sample a, the number of pairs (a_i, b_j) with a_i > b_j plus half the tied pairs (0..n1*n2).
// z: the normal-approximation statistic, tie- and continuity-corrected; positive when a tends to be larger.
// p_value: exact from the permutation distribution of U when there are no ties and n1, n2 <= 25
// (exact = true), otherwise from the normal approximation. If a sample is empty: u = z = 0, p_value = 1,
// exact = false. Throws std::invalid_argument if a value is NaN (infinities rank like any value).
struct MannWhitney {
  double u = 0;
  double z = 0;
  double p_value = 1;
  bool exact = false;
};
MannWhitney MannWhitneyU(std::span<const double> a, std::span<const double> b);

// When to stop repeating a measurement. Counts are repetitions that produced a valid value; the budget is
// in seconds of elapsed time for this measurement.
struct StoppingRule {
  int min_repetitions = 5;
  int max_repetitions = 30;
  double target_relative_ci = 0.02;  // stop when the 95% CI of the median is within ± this fraction
  double time_budget_s = 60;
};

struct StopDecision {
  bool stop = false;
  std::string reason;  // one short phrase, why we stop or why we go on, e.g. for the result's stop_reason
};

// Decides whether to stop after values.size() repetitions that took elapsed_s seconds so far. In order:
// stop when n >= min_repetitions (and n >= 3, below which a bootstrap interval means nothing) and the 95%
// bootstrap interval of the median (2000 resamples, fixed seed) is within ±target_relative_ci of it; stop
// when n >= max_repetitions; stop when elapsed_s >= time_budget_s and n >= 1: the budget wins over the
// minimum, and the reason then says the minimum was not reached. With n = 0 it never stops, so an
// implementation slower than the budget still gets one measurement. Throws std::invalid_argument for a
// rule with min_repetitions < 1, max_repetitions < min_repetitions, a negative or NaN target, a
// non-positive budget, a value that is not finite, or a NaN elapsed_s.
StopDecision ShouldStop(const StoppingRule& rule, std::span<const double> values, double elapsed_s);

}  // namespace claimbench::stats
