#include "claimbench/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <utility>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include "claimbench/seeded_random.h"

namespace claimbench::stats {
namespace {

using detail::SeededRandom;

// The exact test enumerates C(n1 + n2, n1) arrangements as doubles: C(50, 25) ~ 1.3e14 is still exact
// below 2^53, and the work (n1 * n2)^2 stays well under a millisecond.
constexpr size_t kMaxExactSampleSize = 25;

// The exact signed-rank distribution counts 2^n sign patterns as doubles, exact below 2^53; 50 is where
// scipy.stats.wilcoxon stops being exact too, so both give the same p-values.
constexpr size_t kMaxExactSignedRankSize = 50;

// ShouldStop's interval: cheap enough to run after every repetition, fixed so decisions are repeatable.
constexpr double kStoppingConfidence = 0.95;
constexpr int kStoppingResamples = 2000;
constexpr uint64_t kStoppingSeed = 42;
// A bootstrap interval from one or two values is degenerate (one value gives zero width).
constexpr size_t kMinRepetitionsForCi = 3;

void RequireFinite(std::span<const double> values, const char* function) {
  for (double value : values) {
    if (!std::isfinite(value)) {
      throw std::invalid_argument(fmt::format("{}: values must be finite, got {}", function, value));
    }
  }
}

void RequireBootstrapSettings(double confidence, int resamples, const char* function) {
  if (!(confidence > 0 && confidence < 1)) {
    throw std::invalid_argument(
        fmt::format("{}: confidence must be in (0, 1), got {}", function, confidence));
  }
  if (resamples < 1) {
    throw std::invalid_argument(fmt::format("{}: resamples must be >= 1, got {}", function, resamples));
  }
}

std::vector<double> SortedCopy(std::span<const double> values) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  return sorted;
}

// a + t * (b - a), returning a exactly when there is nothing to interpolate.
double Interpolate(double a, double b, double t) { return (t == 0 || a == b) ? a : a + t * (b - a); }

// Type-7 quantile of a non-empty sorted sample, without argument checks, for the inner loops.
double SortedQuantile(std::span<const double> sorted, double q) {
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const size_t lower = static_cast<size_t>(std::floor(h));
  const size_t upper = std::min(lower + 1, sorted.size() - 1);
  return Interpolate(sorted[lower], sorted[upper], h - static_cast<double>(lower));
}

double SortedMedian(std::span<const double> sorted) { return SortedQuantile(sorted, 0.5); }

// The median of one bootstrap resample of `sorted`, drawn with replacement. Rather than copying and
// partially sorting the resample, count how often each original value was drawn: the resample in order
// is sorted[i] repeated counts[i] times, so its middle order statistics can be read off in one pass.
// `counts` is scratch space of sorted.size() elements.
double ResampledMedian(std::span<const double> sorted, SeededRandom& random, std::vector<size_t>& counts) {
  const size_t n = sorted.size();
  std::fill(counts.begin(), counts.end(), 0);
  for (size_t k = 0; k < n; ++k) ++counts[random.Below(n)];

  // Find the value at 0-based rank `rank`: the i with cumulative(before i) <= rank < cumulative(through i).
  size_t i = 0;
  size_t before_i = 0;
  auto advance_to_rank = [&](size_t rank) {
    while (before_i + counts[i] <= rank) before_i += counts[i++];
    return sorted[i];
  };
  const size_t lower_rank = (n - 1) / 2;
  const double lower = advance_to_rank(lower_rank);
  if (n % 2 == 1) return lower;
  // Same interpolation as SortedMedian() so that a resample equal to the sample gives the same median.
  return Interpolate(lower, advance_to_rank(lower_rank + 1), 0.5);
}

// Percentile interval of bootstrap estimates: sorts `estimates` in place.
std::pair<double, double> PercentileInterval(std::vector<double>& estimates, double confidence) {
  std::sort(estimates.begin(), estimates.end());
  const double tail = (1 - confidence) / 2;
  return {SortedQuantile(estimates, tail), SortedQuantile(estimates, 1 - tail)};
}

Interval BootstrapSortedMedian(std::span<const double> sorted, double confidence, int resamples,
                               uint64_t seed) {
  SeededRandom random(seed);
  std::vector<size_t> counts(sorted.size());
  std::vector<double> medians(static_cast<size_t>(resamples));
  for (double& median : medians) median = ResampledMedian(sorted, random, counts);
  const auto [low, high] = PercentileInterval(medians, confidence);
  return {SortedMedian(sorted), low, high};
}

// contender / baseline, with the division by zero of a degenerate resample made explicit.
double RatioOf(double contender, double baseline) {
  if (baseline != 0) return contender / baseline;
  if (contender == 0) return 1;  // Both medians 0: as equal as they can be.
  return contender > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

// Two-sided exact p-value of U = u for samples of n1 and n2 values without ties. Under the null hypothesis
// all C(n1 + n2, n1) orderings of the pooled sample are equally likely. ways(i, j)[k] counts the orderings
// of i values from a and j from b with U = k; looking at the largest value, which beats all j values of b
// if it is from a and none if it is from b: ways(i, j)[k] = ways(i - 1, j)[k - j] + ways(i, j - 1)[k].
double ExactTwoSidedP(size_t n1, size_t n2, double u) {
  std::vector<std::vector<double>> previous_row(n2 + 1);  // ways(i - 1, j) for every j
  std::vector<std::vector<double>> row(n2 + 1);           // ways(i, j)
  for (size_t i = 0; i <= n1; ++i) {
    for (size_t j = 0; j <= n2; ++j) {
      std::vector<double>& ways = row[j];
      ways.assign(i * j + 1, 0);
      if (i == 0 || j == 0) {
        ways[0] = 1;
        continue;
      }
      const std::vector<double>& largest_from_a = previous_row[j];
      const std::vector<double>& largest_from_b = row[j - 1];
      for (size_t k = 0; k < largest_from_a.size(); ++k) ways[k + j] += largest_from_a[k];
      for (size_t k = 0; k < largest_from_b.size(); ++k) ways[k] += largest_from_b[k];
    }
    std::swap(previous_row, row);
  }
  const std::vector<double>& ways = previous_row[n2];

  // The distribution is symmetric about n1 * n2 / 2, so the two-sided p-value is twice the smaller tail.
  const double max_u = static_cast<double>(n1 * n2);
  const size_t tail_end = static_cast<size_t>(std::llround(std::min(u, max_u - u)));
  double tail = 0;
  double total = 0;
  for (size_t k = 0; k < ways.size(); ++k) {
    total += ways[k];
    if (k <= tail_end) tail += ways[k];
  }
  return std::min(1.0, 2 * tail / total);
}

// Two-sided normal-approximation p-value of a standardised statistic.
double NormalTwoSidedP(double z) {
  const boost::math::normal_distribution<double> standard_normal;
  return std::min(1.0, 2 * boost::math::cdf(boost::math::complement(standard_normal, std::abs(z))));
}

// P(Binomial(n, 1/2) <= j).
double HalfBinomialCdf(size_t n, size_t j) {
  if (j >= n) return 1;
  const boost::math::binomial_distribution<double> binomial(static_cast<double>(n), 0.5);
  return boost::math::cdf(binomial, static_cast<double>(j));
}

// Two-sided exact p-value of W+ = w for n non-zero, untied differences. Under the null hypothesis each of
// the 2^n sign patterns is equally likely; ways[s] counts the subsets of the ranks 1..n summing to s,
// built one rank at a time (ways_r[s] = ways_{r-1}[s] + ways_{r-1}[s - r]).
double ExactSignedRankP(size_t n, double w) {
  const size_t max_sum = n * (n + 1) / 2;
  std::vector<double> ways(max_sum + 1, 0);
  ways[0] = 1;
  for (size_t rank = 1; rank <= n; ++rank) {
    for (size_t sum = rank * (rank + 1) / 2; sum >= rank; --sum) ways[sum] += ways[sum - rank];
  }
  // Symmetric about max_sum / 2: the two-sided p-value is twice the smaller tail.
  const double smaller = std::min(w, static_cast<double>(max_sum) - w);
  const size_t tail_end = static_cast<size_t>(std::llround(smaller));
  double tail = 0;
  for (size_t sum = 0; sum <= tail_end; ++sum) tail += ways[sum];
  return std::min(1.0, 2 * tail / std::ldexp(1.0, static_cast<int>(n)));
}

std::string Repetitions(size_t n) { return fmt::format("{} repetition{}", n, n == 1 ? "" : "s"); }

void RequireValidRule(const StoppingRule& rule) {
  if (rule.min_repetitions < 1) {
    throw std::invalid_argument(
        fmt::format("ShouldStop: min_repetitions must be >= 1, got {}", rule.min_repetitions));
  }
  if (rule.max_repetitions < rule.min_repetitions) {
    throw std::invalid_argument(fmt::format("ShouldStop: max_repetitions {} is below min_repetitions {}",
                                            rule.max_repetitions, rule.min_repetitions));
  }
  if (!(rule.target_relative_ci >= 0)) {
    throw std::invalid_argument(
        fmt::format("ShouldStop: target_relative_ci must be >= 0, got {}", rule.target_relative_ci));
  }
  if (!(rule.time_budget_s > 0)) {
    throw std::invalid_argument(
        fmt::format("ShouldStop: time_budget_s must be > 0, got {}", rule.time_budget_s));
  }
}

}  // namespace

double Quantile(std::span<const double> sorted, double q) {
  if (sorted.empty()) throw std::invalid_argument("Quantile: empty sample");
  if (!(q >= 0 && q <= 1)) {
    throw std::invalid_argument(fmt::format("Quantile: q must be in [0, 1], got {}", q));
  }
  return SortedQuantile(sorted, q);
}

Summary Summarize(std::span<const double> values) {
  Summary summary;
  if (values.empty()) return summary;
  RequireFinite(values, "Summarize");
  const std::vector<double> sorted = SortedCopy(values);
  const size_t n = sorted.size();

  summary.n = n;
  summary.min = sorted.front();
  summary.max = sorted.back();
  double sum = 0;
  for (double value : sorted) sum += value;
  summary.mean = sum / static_cast<double>(n);
  // Two passes: summing squared deviations from the mean avoids the cancellation of sum(x^2) - n*mean^2.
  double sum_of_squares = 0;
  for (double value : sorted) sum_of_squares += (value - summary.mean) * (value - summary.mean);
  summary.stddev = n > 1 ? std::sqrt(sum_of_squares / static_cast<double>(n - 1)) : 0;
  summary.cv = summary.mean != 0 ? summary.stddev / summary.mean : 0;

  summary.median = SortedMedian(sorted);
  summary.q1 = SortedQuantile(sorted, 0.25);
  summary.q3 = SortedQuantile(sorted, 0.75);
  summary.iqr = summary.q3 - summary.q1;
  const double low_fence = summary.q1 - 1.5 * summary.iqr;
  const double high_fence = summary.q3 + 1.5 * summary.iqr;
  for (double value : sorted) {
    if (value < low_fence) ++summary.low_outliers;
    if (value > high_fence) ++summary.high_outliers;
  }
  return summary;
}

double RelativeCiHalfWidth(const Interval& interval) noexcept {
  const double half_width = (interval.high - interval.low) / 2;
  if (interval.point == 0) return half_width == 0 ? 0 : std::numeric_limits<double>::infinity();
  return half_width / std::abs(interval.point);
}

Interval BootstrapMedianCi(std::span<const double> values, double confidence, int resamples, uint64_t seed) {
  if (values.empty()) throw std::invalid_argument("BootstrapMedianCi: empty sample");
  RequireFinite(values, "BootstrapMedianCi");
  RequireBootstrapSettings(confidence, resamples, "BootstrapMedianCi");
  const std::vector<double> sorted = SortedCopy(values);
  return BootstrapSortedMedian(sorted, confidence, resamples, seed);
}

Interval PairedRatioCi(std::span<const double> contender, std::span<const double> baseline, double confidence,
                       int resamples, uint64_t seed) {
  if (contender.size() != baseline.size()) {
    throw std::invalid_argument(fmt::format("PairedRatioCi: {} contender values but {} baseline values",
                                            contender.size(), baseline.size()));
  }
  RequireFinite(contender, "PairedRatioCi");
  RequireFinite(baseline, "PairedRatioCi");
  RequireBootstrapSettings(confidence, resamples, "PairedRatioCi");
  std::vector<double> ratios;
  ratios.reserve(contender.size());
  for (size_t i = 0; i < contender.size(); ++i) {
    if (baseline[i] != 0) ratios.push_back(contender[i] / baseline[i]);
  }
  if (ratios.empty()) throw std::invalid_argument("PairedRatioCi: no pair with a non-zero baseline");
  // Resampling pairs is resampling their ratios: each pair contributes only through its ratio.
  std::sort(ratios.begin(), ratios.end());
  return BootstrapSortedMedian(ratios, confidence, resamples, seed);
}

std::optional<size_t> MedianOrderStatisticRank(size_t n, double confidence) {
  if (!(confidence > 0 && confidence < 1)) {
    throw std::invalid_argument(
        fmt::format("MedianOrderStatisticRank: confidence must be in (0, 1), got {}", confidence));
  }
  const double tail = (1 - confidence) / 2;
  if (n == 0 || HalfBinomialCdf(n, 0) > tail) return std::nullopt;
  // The largest k with P(B <= k - 1) <= tail, by bisection on k - 1 in [0, (n - 1) / 2].
  size_t good = 0;  // P(B <= good) <= tail
  size_t bad = (n + 1) / 2;  // P(B <= bad) > tail: past the middle the tail is at least 1/2
  while (bad - good > 1) {
    const size_t middle = good + (bad - good) / 2;
    (HalfBinomialCdf(n, middle) <= tail ? good : bad) = middle;
  }
  return good + 1;
}

double MedianOrderStatisticCoverage(size_t n, size_t k) {
  if (k < 1 || k > (n + 1) / 2) {
    throw std::invalid_argument(
        fmt::format("MedianOrderStatisticCoverage: rank {} is not in 1..{} for {} values", k, (n + 1) / 2, n));
  }
  return 1 - 2 * HalfBinomialCdf(n, k - 1);
}

std::optional<Interval> MedianOrderStatisticCi(std::span<const double> values, double confidence) {
  if (values.empty()) throw std::invalid_argument("MedianOrderStatisticCi: empty sample");
  RequireFinite(values, "MedianOrderStatisticCi");
  const std::optional<size_t> k = MedianOrderStatisticRank(values.size(), confidence);
  if (!k) return std::nullopt;
  const std::vector<double> sorted = SortedCopy(values);
  return Interval{SortedMedian(sorted), sorted[*k - 1], sorted[sorted.size() - *k]};
}

Wilcoxon WilcoxonSignedRank(std::span<const double> differences) {
  std::vector<std::pair<double, bool>> ranked;  // (|d|, d > 0)
  bool zeros = false;
  for (double d : differences) {
    if (std::isnan(d)) throw std::invalid_argument("WilcoxonSignedRank: NaN difference");
    if (d == 0) {
      zeros = true;
      continue;
    }
    ranked.emplace_back(std::abs(d), d > 0);
  }
  Wilcoxon result;
  result.n = ranked.size();
  if (ranked.empty()) return result;
  std::sort(ranked.begin(), ranked.end());

  // Rank by |d| (1-based), tied magnitudes sharing their mean rank.
  const size_t n = ranked.size();
  double tie_term = 0;  // sum of t^3 - t over groups of t tied magnitudes
  for (size_t first = 0; first < n;) {
    size_t end = first;
    while (end < n && ranked[end].first == ranked[first].first) ++end;
    const double midrank = static_cast<double>(first + 1 + end) / 2;
    for (size_t k = first; k < end; ++k) {
      if (ranked[k].second) result.w_plus += midrank;
    }
    const double tied = static_cast<double>(end - first);
    tie_term += tied * tied * tied - tied;
    first = end;
  }

  const double dn = static_cast<double>(n);
  const double mean = dn * (dn + 1) / 4;
  const double variance = dn * (dn + 1) * (2 * dn + 1) / 24 - tie_term / 48;
  const double sigma = std::sqrt(std::max(variance, 0.0));
  const double deviation = result.w_plus - mean;
  const double corrected = std::max(std::abs(deviation) - 0.5, 0.0);  // continuity, never past the mean
  result.z = sigma > 0 ? std::copysign(corrected, deviation) / sigma : 0;

  if (!zeros && tie_term == 0 && n <= kMaxExactSignedRankSize) {
    result.exact = true;
    result.p_value = ExactSignedRankP(n, result.w_plus);
  } else if (sigma > 0) {
    result.p_value = NormalTwoSidedP(result.z);
  } else {
    result.p_value = 1;  // every magnitude tied with nothing to tell the signs apart
  }
  return result;
}

PairedRatio ComparePairs(std::span<const double> contender, std::span<const double> baseline,
                         size_t min_pairs) {
  if (contender.size() != baseline.size()) {
    throw std::invalid_argument(fmt::format("ComparePairs: {} contender values but {} baseline values",
                                            contender.size(), baseline.size()));
  }
  RequireFinite(contender, "ComparePairs");
  RequireFinite(baseline, "ComparePairs");
  const std::optional<size_t> smallest = MedianOrderStatisticRank(min_pairs);
  if (!smallest) {
    throw std::invalid_argument(
        fmt::format("ComparePairs: min_pairs {} is too few for a 95% distribution-free interval", min_pairs));
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> ratios;
  ratios.reserve(contender.size());
  for (size_t i = 0; i < contender.size(); ++i) {
    if (baseline[i] > 0) ratios.push_back(contender[i] / baseline[i]);
  }
  PairedRatio result;
  result.pairs = ratios.size();
  result.ci95_low = result.ci95_high = result.wilcoxon_p = kNaN;
  if (ratios.empty()) {
    result.ratio = kNaN;
    return result;
  }
  std::sort(ratios.begin(), ratios.end());
  result.ratio = SortedMedian(ratios);
  if (ratios.size() < min_pairs) return result;

  const std::optional<Interval> interval = MedianOrderStatisticCi(ratios, 0.95);
  result.ci95_low = interval->low;
  result.ci95_high = interval->high;
  if (ratios.front() >= 0) {
    std::vector<double> log_ratios(ratios.size());
    std::transform(ratios.begin(), ratios.end(), log_ratios.begin(), [](double r) { return std::log(r); });
    result.wilcoxon_p = WilcoxonSignedRank(log_ratios).p_value;
  }
  return result;
}

Interval RatioOfMediansCi(std::span<const double> contender, std::span<const double> baseline,
                          double confidence, int resamples, uint64_t seed) {
  if (contender.empty() || baseline.empty()) throw std::invalid_argument("RatioOfMediansCi: empty sample");
  RequireFinite(contender, "RatioOfMediansCi");
  RequireFinite(baseline, "RatioOfMediansCi");
  RequireBootstrapSettings(confidence, resamples, "RatioOfMediansCi");
  const std::vector<double> sorted_contender = SortedCopy(contender);
  const std::vector<double> sorted_baseline = SortedCopy(baseline);
  const double baseline_median = SortedMedian(sorted_baseline);
  if (baseline_median == 0) throw std::invalid_argument("RatioOfMediansCi: the baseline median is 0");

  SeededRandom random(seed);
  std::vector<size_t> contender_counts(sorted_contender.size());
  std::vector<size_t> baseline_counts(sorted_baseline.size());
  std::vector<double> ratios(static_cast<size_t>(resamples));
  for (double& ratio : ratios) {
    const double contender_median = ResampledMedian(sorted_contender, random, contender_counts);
    ratio = RatioOf(contender_median, ResampledMedian(sorted_baseline, random, baseline_counts));
  }
  const auto [low, high] = PercentileInterval(ratios, confidence);
  return {SortedMedian(sorted_contender) / baseline_median, low, high};
}

MannWhitney MannWhitneyU(std::span<const double> a, std::span<const double> b) {
  for (double value : a) {
    if (std::isnan(value)) throw std::invalid_argument("MannWhitneyU: NaN value");
  }
  for (double value : b) {
    if (std::isnan(value)) throw std::invalid_argument("MannWhitneyU: NaN value");
  }
  MannWhitney result;
  if (a.empty() || b.empty()) return result;

  const size_t n1 = a.size();
  const size_t n2 = b.size();
  const size_t n = n1 + n2;
  std::vector<std::pair<double, bool>> pooled;  // (value, is from a)
  pooled.reserve(n);
  for (double value : a) pooled.emplace_back(value, true);
  for (double value : b) pooled.emplace_back(value, false);
  std::sort(pooled.begin(), pooled.end());

  // Rank the pooled sample (1-based), giving tied values the mean of the ranks they span.
  double rank_sum_a = 0;
  double tie_term = 0;  // sum of t^3 - t over groups of t tied values
  for (size_t first = 0; first < n;) {
    size_t end = first;
    while (end < n && pooled[end].first == pooled[first].first) ++end;
    const double midrank = static_cast<double>(first + 1 + end) / 2;
    for (size_t k = first; k < end; ++k) {
      if (pooled[k].second) rank_sum_a += midrank;
    }
    const double tied = static_cast<double>(end - first);
    tie_term += tied * tied * tied - tied;
    first = end;
  }
  const double dn1 = static_cast<double>(n1);
  const double dn2 = static_cast<double>(n2);
  const double dn = static_cast<double>(n);
  result.u = rank_sum_a - dn1 * (dn1 + 1) / 2;

  const double mean_u = dn1 * dn2 / 2;
  const double variance_u = dn1 * dn2 / 12 * ((dn + 1) - tie_term / (dn * (dn - 1)));
  const double sigma_u = std::sqrt(std::max(variance_u, 0.0));
  const double deviation = result.u - mean_u;
  // Continuity correction: move half a step towards the mean, never past it.
  const double corrected = std::max(std::abs(deviation) - 0.5, 0.0);
  result.z = sigma_u > 0 ? std::copysign(corrected, deviation) / sigma_u : 0;

  if (tie_term == 0 && n1 <= kMaxExactSampleSize && n2 <= kMaxExactSampleSize) {
    result.exact = true;
    result.p_value = ExactTwoSidedP(n1, n2, result.u);
  } else if (sigma_u > 0) {
    result.p_value = NormalTwoSidedP(result.z);
  } else {
    result.p_value = 1;  // Every value is tied: nothing tells the samples apart.
  }
  return result;
}

StopDecision ShouldStop(const StoppingRule& rule, std::span<const double> values, double elapsed_s) {
  RequireValidRule(rule);
  RequireFinite(values, "ShouldStop");
  if (std::isnan(elapsed_s)) throw std::invalid_argument("ShouldStop: elapsed_s is NaN");
  const size_t n = values.size();
  const auto min_repetitions = static_cast<size_t>(rule.min_repetitions);
  const auto max_repetitions = static_cast<size_t>(rule.max_repetitions);

  std::string progress;
  if (n < min_repetitions) {
    progress = fmt::format("{} of at least {} repetitions done", n, min_repetitions);
  } else if (n < kMinRepetitionsForCi) {
    progress = fmt::format("{} done, a confidence interval needs {}", Repetitions(n), kMinRepetitionsForCi);
  } else {
    const Interval ci = BootstrapMedianCi(values, kStoppingConfidence, kStoppingResamples, kStoppingSeed);
    const double relative = RelativeCiHalfWidth(ci);
    if (relative <= rule.target_relative_ci) {
      return {true, fmt::format("95% CI within ±{:.1f}% of median after {}", rule.target_relative_ci * 100,
                                Repetitions(n))};
    }
    progress = fmt::format("95% CI ±{:.1f}% of median after {}, target ±{:.1f}%", relative * 100,
                           Repetitions(n), rule.target_relative_ci * 100);
  }
  if (n >= max_repetitions) return {true, fmt::format("maximum of {} reached", Repetitions(max_repetitions))};
  if (n >= 1 && elapsed_s >= rule.time_budget_s) {
    std::string reason = fmt::format("time budget {:g} s spent after {}", rule.time_budget_s, Repetitions(n));
    if (n < min_repetitions) reason += fmt::format(", short of the minimum of {}", min_repetitions);
    return {true, reason};
  }
  return {false, progress};
}

}  // namespace claimbench::stats
