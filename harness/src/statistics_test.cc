#include "claimbench/statistics.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "claimbench/seeded_random.h"

namespace claimbench::stats {
namespace {

using detail::SeededRandom;
using detail::SplitMix64;

// std::mt19937_64's output is fixed by the standard (unlike <random>'s distributions), so test data built
// from it with our own transforms is the same everywhere.
class TestData {
 public:
  explicit TestData(uint64_t seed) : engine_(seed) {}
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Normal(double mean = 0, double stddev = 1) {  // Box-Muller
    const double u1 = 1.0 - Uniform();
    const double u2 = Uniform();
    return mean + stddev * std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
  std::vector<double> NormalSample(size_t n, double mean, double stddev) {
    std::vector<double> values(n);
    for (double& value : values) value = Normal(mean, stddev);
    return values;
  }

 private:
  std::mt19937_64 engine_;
};

bool Contains(const Interval& interval, double value) {
  return interval.low <= value && value <= interval.high;
}

// ---------------------------------------------------------------------------------------------------------
// The generator: pinned outputs, so a bootstrap interval computed today can be recomputed anywhere.

TEST(StatisticsSeededRandomTest, SplitMix64MatchesItsReferenceOutput) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64(state), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(SplitMix64(state), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(SplitMix64(state), 0x06C45D188009454FULL);
}

// Expected values come from an independent Python transcription of xoshiro256** and Lemire's method.
TEST(StatisticsSeededRandomTest, SequenceIsPinned) {
  SeededRandom random(42);
  EXPECT_EQ(random.Next(), 0x15780B2E0C2EC716ULL);
  EXPECT_EQ(random.Next(), 0x6104D9866D113A7EULL);
  EXPECT_EQ(random.Next(), 0xAE17533239E499A1ULL);
  EXPECT_EQ(random.Next(), 0xECB8AD4703B360A1ULL);

  SeededRandom digits(42);
  const std::array<uint64_t, 10> expected_digits = {0, 3, 6, 9, 9, 7, 7, 8, 7, 5};
  for (uint64_t expected : expected_digits) EXPECT_EQ(digits.Below(10), expected);

  SeededRandom large(7);
  for (uint64_t expected : {700578ULL, 278752ULL, 839629ULL, 981100ULL, 990863ULL}) {
    EXPECT_EQ(large.Below(1'000'003), expected);
  }
}

TEST(StatisticsSeededRandomTest, BelowIsInRangeAndUniform) {
  SeededRandom random(1);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(random.Below(1), 0u);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60'000; ++i) ++counts[random.Below(6)];
  for (int count : counts) EXPECT_NEAR(count, 10'000, 500);  // ~5.5 standard deviations
  // A bound just above 2^63 rejects almost half the draws: the slow path must still land in range.
  const uint64_t huge = (uint64_t{1} << 63) + 1;
  for (int i = 0; i < 1000; ++i) ASSERT_LT(random.Below(huge), huge);
}

// ---------------------------------------------------------------------------------------------------------
// Quantile

TEST(StatisticsQuantileTest, Type7MatchesHandComputedValues) {
  const std::vector<double> one_to_ten = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  // h = (n - 1) q: q = 0.25 gives h = 2.25, so x[2] + 0.25 (x[3] - x[2]) = 3.25 (R: quantile(1:10, .25)).
  EXPECT_DOUBLE_EQ(Quantile(one_to_ten, 0.25), 3.25);
  EXPECT_DOUBLE_EQ(Quantile(one_to_ten, 0.5), 5.5);
  EXPECT_DOUBLE_EQ(Quantile(one_to_ten, 0.9), 9.1);
  EXPECT_DOUBLE_EQ(Quantile(one_to_ten, 0), 1);
  EXPECT_DOUBLE_EQ(Quantile(one_to_ten, 1), 10);

  const std::vector<double> uneven = {7, 15, 36, 39, 40, 41};
  EXPECT_DOUBLE_EQ(Quantile(uneven, 0.25), 20.25);  // h = 1.25: 15 + 0.25 * 21
  EXPECT_DOUBLE_EQ(Quantile(uneven, 0.5), 37.5);
  EXPECT_DOUBLE_EQ(Quantile(uneven, 0.75), 39.75);  // h = 3.75: 39 + 0.75 * 1

  const std::vector<double> single = {4.2};
  EXPECT_DOUBLE_EQ(Quantile(single, 0), 4.2);
  EXPECT_DOUBLE_EQ(Quantile(single, 0.37), 4.2);
  EXPECT_DOUBLE_EQ(Quantile(single, 1), 4.2);
}

TEST(StatisticsQuantileTest, RejectsEmptyInputAndBadQ) {
  const std::vector<double> values = {1, 2, 3};
  EXPECT_THROW(Quantile({}, 0.5), std::invalid_argument);
  EXPECT_THROW(Quantile(values, -0.01), std::invalid_argument);
  EXPECT_THROW(Quantile(values, 1.01), std::invalid_argument);
  EXPECT_THROW(Quantile(values, std::nan("")), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------
// Summarize

TEST(StatisticsSummaryTest, KnownSmallSet) {
  const std::vector<double> values = {5, 2, 9, 4, 7, 4, 5, 4};  // sorted: 2 4 4 4 5 5 7 9
  const Summary s = Summarize(values);
  EXPECT_EQ(s.n, 8u);
  EXPECT_DOUBLE_EQ(s.min, 2);
  EXPECT_DOUBLE_EQ(s.max, 9);
  EXPECT_DOUBLE_EQ(s.mean, 5);
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_DOUBLE_EQ(s.q1, 4);    // h = 1.75 between 4 and 4
  EXPECT_DOUBLE_EQ(s.q3, 5.5);  // h = 5.25: 5 + 0.25 * 2
  EXPECT_DOUBLE_EQ(s.iqr, 1.5);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(32.0 / 7));  // squared deviations add up to 32, n - 1 = 7
  EXPECT_DOUBLE_EQ(s.cv, std::sqrt(32.0 / 7) / 5);
  // Fences 1.75 and 7.75: 9 is a high outlier, 2 is inside.
  EXPECT_EQ(s.low_outliers, 0u);
  EXPECT_EQ(s.high_outliers, 1u);
}

TEST(StatisticsSummaryTest, EmptyIsAllZeros) {
  const Summary s = Summarize({});
  EXPECT_EQ(s.n, 0u);
  EXPECT_EQ(s.min, 0);
  EXPECT_EQ(s.max, 0);
  EXPECT_EQ(s.mean, 0);
  EXPECT_EQ(s.median, 0);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.cv, 0);
  EXPECT_EQ(s.low_outliers + s.high_outliers, 0u);
}

TEST(StatisticsSummaryTest, SingleValueHasNoSpread) {
  const std::vector<double> values = {3.5};
  const Summary s = Summarize(values);
  EXPECT_EQ(s.n, 1u);
  EXPECT_DOUBLE_EQ(s.median, 3.5);
  EXPECT_DOUBLE_EQ(s.q1, 3.5);
  EXPECT_DOUBLE_EQ(s.q3, 3.5);
  EXPECT_EQ(s.stddev, 0);
  EXPECT_EQ(s.cv, 0);
}

TEST(StatisticsSummaryTest, ZeroMeanGivesZeroCv) {
  const std::vector<double> values = {-1, 1};
  const Summary s = Summarize(values);
  EXPECT_DOUBLE_EQ(s.mean, 0);
  EXPECT_DOUBLE_EQ(s.stddev, std::sqrt(2.0));
  EXPECT_EQ(s.cv, 0);
}

TEST(StatisticsSummaryTest, OutliersOnBothSides) {
  // Sorted -50 10 11 12 13 14 100: q1 = 10.5, q3 = 13.5, fences 6 and 18.
  const std::vector<double> values = {12, 100, 10, -50, 14, 11, 13};
  const Summary s = Summarize(values);
  EXPECT_DOUBLE_EQ(s.q1, 10.5);
  EXPECT_DOUBLE_EQ(s.q3, 13.5);
  EXPECT_EQ(s.low_outliers, 1u);
  EXPECT_EQ(s.high_outliers, 1u);
}

TEST(StatisticsSummaryTest, OutliersAreStrictlyBeyondTheFences) {
  const std::vector<double> constant = {7, 7, 7, 7, 7};
  EXPECT_EQ(Summarize(constant).high_outliers, 0u);  // iqr 0: the fences are 7, and 7 is not beyond them
  const std::vector<double> one_off = {7, 7, 7, 7, 8};
  EXPECT_EQ(Summarize(one_off).high_outliers, 1u);
}

TEST(StatisticsSummaryTest, RejectsNonFiniteValues) {
  const std::vector<double> with_nan = {1, std::nan(""), 3};
  const std::vector<double> with_inf = {1, std::numeric_limits<double>::infinity()};
  EXPECT_THROW(Summarize(with_nan), std::invalid_argument);
  EXPECT_THROW(Summarize(with_inf), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------
// Bootstrap intervals

TEST(StatisticsRelativeCiHalfWidthTest, Cases) {
  EXPECT_DOUBLE_EQ(RelativeCiHalfWidth({100, 98, 102}), 0.02);
  EXPECT_DOUBLE_EQ(RelativeCiHalfWidth({-100, -102, -98}), 0.02);
  EXPECT_EQ(RelativeCiHalfWidth({0, 0, 0}), 0);
  EXPECT_EQ(RelativeCiHalfWidth({0, -1, 1}), std::numeric_limits<double>::infinity());
}

TEST(StatisticsBootstrapMedianCiTest, SingleValueIsAPoint) {
  const std::vector<double> values = {12.5};
  const Interval ci = BootstrapMedianCi(values);
  EXPECT_EQ(ci.point, 12.5);
  EXPECT_EQ(ci.low, 12.5);
  EXPECT_EQ(ci.high, 12.5);
}

TEST(StatisticsBootstrapMedianCiTest, ConstantSampleIsAPoint) {
  const std::vector<double> values(20, 3.0);
  const Interval ci = BootstrapMedianCi(values, 0.95, 500);
  EXPECT_EQ(ci.point, 3.0);
  EXPECT_EQ(ci.low, 3.0);
  EXPECT_EQ(ci.high, 3.0);
}

// Expected values from an independent Python reference that draws the same indexes but takes each
// resample's median by sorting a copy: this pins the counting shortcut and the interval's quantiles.
TEST(StatisticsBootstrapMedianCiTest, MatchesTheSortingReference) {
  const std::vector<double> even = {3.1, 1.2, 5.5, 2.2, 9.9, 4.4};
  const Interval a = BootstrapMedianCi(even, 0.95, 1000, 42);
  EXPECT_DOUBLE_EQ(a.point, 3.75);
  EXPECT_DOUBLE_EQ(a.low, 1.7);
  EXPECT_DOUBLE_EQ(a.high, 7.7);

  const std::vector<double> odd = {3.1, 1.2, 5.5, 2.2, 9.9, 4.4, 7.0};
  const Interval b = BootstrapMedianCi(odd, 0.9, 1000, 7);
  EXPECT_DOUBLE_EQ(b.point, 4.4);
  EXPECT_DOUBLE_EQ(b.low, 2.2);
  EXPECT_DOUBLE_EQ(b.high, 7.0);
}

TEST(StatisticsBootstrapMedianCiTest, DeterministicForASeedAndIndependentOfOrder) {
  TestData data(11);
  std::vector<double> values = data.NormalSample(60, 50, 5);
  const Interval first = BootstrapMedianCi(values, 0.95, 3000, 1234);
  const Interval again = BootstrapMedianCi(values, 0.95, 3000, 1234);
  EXPECT_EQ(first.point, again.point);
  EXPECT_EQ(first.low, again.low);
  EXPECT_EQ(first.high, again.high);

  std::reverse(values.begin(), values.end());
  const Interval reversed = BootstrapMedianCi(values, 0.95, 3000, 1234);
  EXPECT_EQ(first.low, reversed.low);
  EXPECT_EQ(first.high, reversed.high);

  const Interval other_seed = BootstrapMedianCi(values, 0.95, 3000, 1235);
  EXPECT_EQ(first.point, other_seed.point);
  EXPECT_TRUE(first.low != other_seed.low || first.high != other_seed.high);
}

TEST(StatisticsBootstrapMedianCiTest, ContainsTheTrueMedianOfALargeNormalSample) {
  TestData data(12);
  const std::vector<double> values = data.NormalSample(1000, 100, 10);
  const Interval ci = BootstrapMedianCi(values);
  EXPECT_TRUE(Contains(ci, 100)) << ci.low << " .. " << ci.high;
  EXPECT_LE(ci.low, ci.point);
  EXPECT_GE(ci.high, ci.point);
  // The median's standard error is about 1.2533 * 10 / sqrt(1000) = 0.40, so the 95% half-width is ~0.8.
  const double half_width = (ci.high - ci.low) / 2;
  EXPECT_GT(half_width, 0.4);
  EXPECT_LT(half_width, 1.6);
}

TEST(StatisticsBootstrapMedianCiTest, CoverageIsCloseToNominal) {
  // 200 independent samples of 101 values: a 95% interval should hold the true median ~190 times.
  TestData data(13);
  int covered = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const std::vector<double> values = data.NormalSample(101, 0, 1);
    covered += Contains(BootstrapMedianCi(values, 0.95, 1000, static_cast<uint64_t>(trial)), 0) ? 1 : 0;
  }
  EXPECT_GE(covered, 176);  // 88%
  EXPECT_LE(covered, 199);
}

TEST(StatisticsBootstrapMedianCiTest, HigherConfidenceIsWider) {
  TestData data(14);
  const std::vector<double> values = data.NormalSample(80, 10, 2);
  const Interval narrow = BootstrapMedianCi(values, 0.8);
  const Interval wide = BootstrapMedianCi(values, 0.99);
  EXPECT_LT(wide.low, narrow.low);
  EXPECT_GT(wide.high, narrow.high);
}

TEST(StatisticsBootstrapMedianCiTest, RejectsBadArguments) {
  const std::vector<double> values = {1, 2, 3};
  const std::vector<double> with_nan = {1, std::nan(""), 3};
  EXPECT_THROW(BootstrapMedianCi({}), std::invalid_argument);
  EXPECT_THROW(BootstrapMedianCi(with_nan), std::invalid_argument);
  EXPECT_THROW(BootstrapMedianCi(values, 0), std::invalid_argument);
  EXPECT_THROW(BootstrapMedianCi(values, 1), std::invalid_argument);
  EXPECT_THROW(BootstrapMedianCi(values, std::nan("")), std::invalid_argument);
  EXPECT_THROW(BootstrapMedianCi(values, 0.95, 0), std::invalid_argument);
}

TEST(StatisticsPairedRatioCiTest, TwiceAsSlowIsAboutTwo) {
  TestData data(21);
  std::vector<double> baseline(40), contender(40);
  for (size_t i = 0; i < baseline.size(); ++i) {
    // Pairs share drift (the machine got slower for a while); the ratio cancels it.
    baseline[i] = 100 * (1 + 0.3 * data.Uniform());
    contender[i] = 2 * baseline[i] * (1 + 0.02 * (data.Uniform() - 0.5));
  }
  const Interval ci = PairedRatioCi(contender, baseline);
  EXPECT_NEAR(ci.point, 2.0, 0.01);
  EXPECT_TRUE(Contains(ci, 2.0)) << ci.low << " .. " << ci.high;
  EXPECT_LT(ci.high - ci.low, 0.03);
}

TEST(StatisticsPairedRatioCiTest, SkipsPairsWithAZeroBaseline) {
  const std::vector<double> contender = {2, 4, 6, 99, 8, 10};
  const std::vector<double> baseline = {1, 2, 3, 0, 4, 4};
  const std::vector<double> kept_contender = {2, 4, 6, 8, 10};
  const std::vector<double> kept_baseline = {1, 2, 3, 4, 4};
  const Interval with_zero = PairedRatioCi(contender, baseline, 0.9, 2000, 5);
  const Interval without = PairedRatioCi(kept_contender, kept_baseline, 0.9, 2000, 5);
  EXPECT_EQ(with_zero.point, 2.0);
  EXPECT_EQ(with_zero.point, without.point);
  EXPECT_EQ(with_zero.low, without.low);
  EXPECT_EQ(with_zero.high, without.high);
}

TEST(StatisticsPairedRatioCiTest, RejectsBadInput) {
  const std::vector<double> three = {1, 2, 3};
  const std::vector<double> two = {1, 2};
  const std::vector<double> zeros = {0, 0, 0};
  EXPECT_THROW(PairedRatioCi(three, two), std::invalid_argument);
  EXPECT_THROW(PairedRatioCi(three, zeros), std::invalid_argument);
  EXPECT_THROW(PairedRatioCi({}, {}), std::invalid_argument);
  EXPECT_THROW(PairedRatioCi(three, three, 1.5), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------
// The distribution-free interval of the median

TEST(StatisticsMedianOrderStatisticTest, RanksFromTheBinomialTails) {
  // 2 * 2^-n > 5% below six values: no interval at all.
  for (size_t n = 0; n < 6; ++n) EXPECT_FALSE(MedianOrderStatisticRank(n).has_value()) << n;
  EXPECT_EQ(MedianOrderStatisticRank(6), 1u);  // [min, max]: 1 - 2/64
  EXPECT_EQ(MedianOrderStatisticRank(8), 1u);  // k = 2 would cover only 1 - 2 * 9/256 = 93%
  EXPECT_EQ(MedianOrderStatisticRank(9), 2u);  // 1 - 2 * 10/512
  EXPECT_EQ(MedianOrderStatisticRank(20), 6u);  // P(B <= 5) = 0.0207, P(B <= 6) = 0.0577
  EXPECT_EQ(MedianOrderStatisticRank(100), 40u);  // P(B <= 39) = 0.0176, P(B <= 40) = 0.0284
  EXPECT_EQ(MedianOrderStatisticRank(5, 0.9), 1u);  // 1 - 2/32 = 93.75% >= 90%
  EXPECT_DOUBLE_EQ(MedianOrderStatisticCoverage(6, 1), 1 - 2.0 / 64);
  EXPECT_DOUBLE_EQ(MedianOrderStatisticCoverage(9, 2), 1 - 2.0 * 10 / 512);
  EXPECT_DOUBLE_EQ(MedianOrderStatisticCoverage(1, 1), 0.0);
  for (size_t n = 6; n <= 200; ++n) {
    const size_t k = *MedianOrderStatisticRank(n);
    EXPECT_GE(MedianOrderStatisticCoverage(n, k), 0.95) << n;
    if (k < (n + 1) / 2) {
      EXPECT_LT(MedianOrderStatisticCoverage(n, k + 1), 0.95) << n << " could be narrower";
    }
  }
  EXPECT_THROW(MedianOrderStatisticRank(10, 1.0), std::invalid_argument);
  EXPECT_THROW(MedianOrderStatisticCoverage(6, 0), std::invalid_argument);
  EXPECT_THROW(MedianOrderStatisticCoverage(6, 4), std::invalid_argument);
}

TEST(StatisticsMedianOrderStatisticTest, IntervalIsThoseOrderStatistics) {
  const std::vector<double> nine = {9, 1, 8, 2, 7, 3, 6, 4, 5};
  const std::optional<Interval> ci = MedianOrderStatisticCi(nine);
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->point, 5);
  EXPECT_EQ(ci->low, 2);   // x_(2)
  EXPECT_EQ(ci->high, 8);  // x_(8)
  const std::vector<double> five = {1, 2, 3, 4, 5};
  EXPECT_FALSE(MedianOrderStatisticCi(five).has_value());
  const std::vector<double> with_inf = {1, 2, 3, 4, 5, std::numeric_limits<double>::infinity()};
  EXPECT_THROW(MedianOrderStatisticCi(with_inf), std::invalid_argument);
  EXPECT_THROW(MedianOrderStatisticCi({}), std::invalid_argument);
}

TEST(StatisticsMedianOrderStatisticTest, CoversAtLeastNominallyEvenForSkewedData) {
  // Exponential data (a long right tail): the true median is ln 2. 2000 samples of 7 values.
  TestData data(31);
  int covered = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<double> values(7);
    for (double& value : values) value = -std::log(1 - data.Uniform());
    const std::optional<Interval> ci = MedianOrderStatisticCi(values);
    covered += Contains(*ci, std::numbers::ln2) ? 1 : 0;
  }
  // Guaranteed 1 - 2/128 = 98.4%; 2000 trials put the observed share within about ±0.6% of it.
  EXPECT_GE(covered, 1940);
}

// ---------------------------------------------------------------------------------------------------------
// Wilcoxon signed-rank

// P(W+ >= w) or P(W+ <= w), whichever is smaller, doubled: by enumerating all 2^n sign patterns.
double BruteForceSignedRankP(const std::vector<double>& ranks, double w_plus) {
  const size_t n = ranks.size();
  double total = 0;
  for (double r : ranks) total += r;
  const double w = std::min(w_plus, total - w_plus);
  size_t at_most = 0;
  for (uint64_t signs = 0; signs < (uint64_t{1} << n); ++signs) {
    double sum = 0;
    for (size_t i = 0; i < n; ++i) sum += (signs >> i & 1) != 0 ? ranks[i] : 0;
    at_most += sum <= w + 1e-9 ? 1 : 0;
  }
  return std::min(1.0, 2.0 * static_cast<double>(at_most) / static_cast<double>(uint64_t{1} << n));
}

TEST(StatisticsWilcoxonTest, RDocumentationExample) {
  // Hollander & Wolfe's depression scores, from R's ?wilcox.test: wilcox.test(x, y, paired = TRUE) gives
  // V = 40, p-value = 0.03906.
  const std::vector<double> x = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
  const std::vector<double> y = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
  std::vector<double> differences(x.size());
  for (size_t i = 0; i < x.size(); ++i) differences[i] = x[i] - y[i];
  const Wilcoxon test = WilcoxonSignedRank(differences);
  EXPECT_EQ(test.n, 9u);
  EXPECT_EQ(test.w_plus, 40);
  EXPECT_TRUE(test.exact);
  EXPECT_NEAR(test.p_value, 0.03906, 5e-5);
  EXPECT_GT(test.z, 0);
}

TEST(StatisticsWilcoxonTest, ExactAgreesWithBruteForceEnumeration) {
  TestData data(41);
  for (size_t n : {1u, 2u, 5u, 6u, 10u, 14u}) {
    std::vector<double> differences = data.NormalSample(n, 0.3, 1);
    const Wilcoxon test = WilcoxonSignedRank(differences);
    ASSERT_TRUE(test.exact);
    std::vector<double> ranks(n);
    for (size_t i = 0; i < n; ++i) ranks[i] = static_cast<double>(i + 1);
    EXPECT_NEAR(test.p_value, BruteForceSignedRankP(ranks, test.w_plus), 1e-12) << n;
  }
  // Six pairs all one way: the smallest two-sided p-value six pairs can give, 2 / 2^6.
  const std::vector<double> all_up = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6};
  EXPECT_DOUBLE_EQ(WilcoxonSignedRank(all_up).p_value, 2.0 / 64);
}

TEST(StatisticsWilcoxonTest, ZerosAndTiesUseTheCorrectedNormalApproximation) {
  // Zeros dropped: n = 10; |d| ranks 1.5 1.5 3.5 3.5 5 7 7 7 9 10; the negatives (-1, -3) hold 1.5 + 5, so
  // W+ = 55 - 6.5 = 48.5. Mean 27.5; variance 10*11*21/24 - (6 + 6 + 24)/48 = 95.5;
  // z = (21 - 0.5) / sqrt(95.5) = 2.09775, two-sided p = 0.035925.
  const std::vector<double> differences = {1, 2, 2, -3, 0, 4, 4, 4, -1, 5, 6};
  const Wilcoxon test = WilcoxonSignedRank(differences);
  EXPECT_EQ(test.n, 10u);
  EXPECT_EQ(test.w_plus, 48.5);
  EXPECT_FALSE(test.exact);
  EXPECT_NEAR(test.z, 20.5 / std::sqrt(95.5), 1e-12);
  EXPECT_NEAR(test.p_value, 0.035925, 1e-5);
}

TEST(StatisticsWilcoxonTest, NormalApproximationIsCloseToExactAtModerateSizes) {
  TestData data(42);
  const std::vector<double> differences = data.NormalSample(40, 0.2, 1);
  const Wilcoxon exact = WilcoxonSignedRank(differences);
  ASSERT_TRUE(exact.exact);
  std::vector<double> with_zero = differences;
  with_zero.push_back(0);  // forces the approximation, same ranks otherwise
  const Wilcoxon approximate = WilcoxonSignedRank(with_zero);
  ASSERT_FALSE(approximate.exact);
  EXPECT_NEAR(approximate.p_value, exact.p_value, 0.01);
}

TEST(StatisticsWilcoxonTest, DegenerateInputs) {
  EXPECT_EQ(WilcoxonSignedRank({}).p_value, 1);
  const std::vector<double> zeros = {0, 0, 0};
  const Wilcoxon none = WilcoxonSignedRank(zeros);
  EXPECT_EQ(none.n, 0u);
  EXPECT_EQ(none.p_value, 1);
  const std::vector<double> with_infinity = {-std::numeric_limits<double>::infinity(), -1, -2, -3, -4, -5};
  EXPECT_DOUBLE_EQ(WilcoxonSignedRank(with_infinity).p_value, 2.0 / 64);
  const std::vector<double> with_nan = {1, std::nan("")};
  EXPECT_THROW(WilcoxonSignedRank(with_nan), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------
// ComparePairs: what every comparison in a result file is

TEST(StatisticsComparePairsTest, OnePairGivesARatioButNoInterval) {
  const std::vector<double> contender = {30};
  const std::vector<double> baseline = {10};
  const PairedRatio one = ComparePairs(contender, baseline);
  EXPECT_EQ(one.pairs, 1u);
  EXPECT_EQ(one.ratio, 3);
  EXPECT_TRUE(std::isnan(one.ci95_low));
  EXPECT_TRUE(std::isnan(one.ci95_high));
  EXPECT_TRUE(std::isnan(one.wilcoxon_p));
}

TEST(StatisticsComparePairsTest, BelowTheMinimumThereIsNoInterval) {
  std::vector<double> contender, baseline;
  for (size_t n = 1; n < kMinPairs; ++n) {
    contender.push_back(20 + static_cast<double>(n));
    baseline.push_back(10);
    const PairedRatio below = ComparePairs(contender, baseline);
    EXPECT_EQ(below.pairs, n);
    EXPECT_GT(below.ratio, 2);
    EXPECT_TRUE(std::isnan(below.ci95_low)) << n << " pairs";
    EXPECT_TRUE(std::isnan(below.wilcoxon_p)) << n << " pairs";
  }
}

TEST(StatisticsComparePairsTest, AtTheMinimumTheIntervalIsDistributionFree) {
  const std::vector<double> contender = {21, 26, 23, 22, 25, 24, 99};
  const std::vector<double> baseline = {10, 10, 10, 10, 10, 10, 0};  // the last pair has no ratio
  const PairedRatio at = ComparePairs(contender, baseline);
  ASSERT_EQ(at.pairs, kMinPairs);
  EXPECT_DOUBLE_EQ(at.ratio, 2.35);
  EXPECT_DOUBLE_EQ(at.ci95_low, 2.1);   // x_(1) of six ratios
  EXPECT_DOUBLE_EQ(at.ci95_high, 2.6);  // x_(6)
  EXPECT_DOUBLE_EQ(at.wilcoxon_p, 2.0 / 64);
  EXPECT_TRUE(std::isnan(ComparePairs(contender, baseline, 7).ci95_low)) << "a larger minimum is respected";
}

TEST(StatisticsComparePairsTest, EqualImplementationsAreNotSignificant) {
  TestData data(51);
  std::vector<double> contender(20), baseline(20);
  for (size_t i = 0; i < 20; ++i) {
    baseline[i] = 100 * std::exp(0.05 * data.Normal());
    contender[i] = 100 * std::exp(0.05 * data.Normal());
  }
  const PairedRatio equal = ComparePairs(contender, baseline);
  EXPECT_LE(equal.ci95_low, 1);
  EXPECT_GE(equal.ci95_high, 1);
  EXPECT_GT(equal.wilcoxon_p, 0.05);
}

TEST(StatisticsComparePairsTest, DegenerateAndBadInput) {
  const std::vector<double> three = {1, 2, 3};
  const std::vector<double> two = {1, 2};
  EXPECT_THROW(ComparePairs(three, two), std::invalid_argument);
  EXPECT_THROW(ComparePairs(three, three, 5), std::invalid_argument) << "no 95% interval exists at 5";
  const std::vector<double> zeros = {0, 0, 0};
  const PairedRatio none = ComparePairs(three, zeros);
  EXPECT_EQ(none.pairs, 0u);
  EXPECT_TRUE(std::isnan(none.ratio));
  const std::vector<double> with_nan = {1, std::nan(""), 3};
  EXPECT_THROW(ComparePairs(with_nan, three), std::invalid_argument);
  // A contender value of 0 (no system time at all) is a ratio of 0, which the rank test ranks lowest.
  const std::vector<double> contender = {0, 1, 1.1, 1.2, 1.3, 1.4};
  const std::vector<double> baseline = {2, 2, 2, 2, 2, 2};
  const PairedRatio zero_ratio = ComparePairs(contender, baseline);
  EXPECT_EQ(zero_ratio.ci95_low, 0);
  EXPECT_DOUBLE_EQ(zero_ratio.wilcoxon_p, 2.0 / 64);
}

TEST(StatisticsRatioOfMediansCiTest, MatchesTheSortingReference) {
  const std::vector<double> contender = {10.5, 11.0, 9.8, 12.1, 10.9};
  const std::vector<double> baseline = {5.1, 5.0, 4.9, 5.3, 5.2, 5.05};
  const Interval ci = RatioOfMediansCi(contender, baseline, 0.95, 1000, 42);
  EXPECT_DOUBLE_EQ(ci.point, 2.1477832512315276);
  EXPECT_DOUBLE_EQ(ci.low, 1.9307978363759302);
  EXPECT_DOUBLE_EQ(ci.high, 2.396039603960396);
}

TEST(StatisticsRatioOfMediansCiTest, ThreeTimesAsFastIsAboutOneThird) {
  TestData data(22);
  const std::vector<double> baseline = data.NormalSample(50, 300, 15);
  const std::vector<double> contender = data.NormalSample(70, 100, 5);
  const Interval ci = RatioOfMediansCi(contender, baseline);
  EXPECT_NEAR(ci.point, 1.0 / 3, 0.02);
  EXPECT_TRUE(Contains(ci, 1.0 / 3)) << ci.low << " .. " << ci.high;
}

TEST(StatisticsRatioOfMediansCiTest, IdenticalSamplesGiveOne) {
  TestData data(23);
  const std::vector<double> values = data.NormalSample(30, 10, 1);
  const Interval ci = RatioOfMediansCi(values, values);
  EXPECT_EQ(ci.point, 1.0);
  EXPECT_TRUE(Contains(ci, 1.0));
}

TEST(StatisticsRatioOfMediansCiTest, DegenerateResamplesWidenRatherThanBreak) {
  // Baseline median 1, but a resample of mostly zeros has median 0: the ratio becomes infinite.
  const std::vector<double> contender = {5, 5, 5};
  const std::vector<double> baseline = {0, 1, 1};
  const Interval ci = RatioOfMediansCi(contender, baseline, 0.99, 2000);
  EXPECT_EQ(ci.point, 5.0);
  EXPECT_EQ(ci.high, std::numeric_limits<double>::infinity());
}

TEST(StatisticsRatioOfMediansCiTest, RejectsBadInput) {
  const std::vector<double> values = {1, 2, 3};
  const std::vector<double> zero_median = {0, 0, 1};
  EXPECT_THROW(RatioOfMediansCi({}, values), std::invalid_argument);
  EXPECT_THROW(RatioOfMediansCi(values, {}), std::invalid_argument);
  EXPECT_THROW(RatioOfMediansCi(values, zero_median), std::invalid_argument);
  EXPECT_THROW(RatioOfMediansCi(values, values, 0.95, -1), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------
// Mann-Whitney U

TEST(StatisticsMannWhitneyTest, ExactTextbookValues) {
  // Fully separated samples of 3: U = 0 is 1 of C(6, 3) = 20 orderings, two-sided p = 2/20.
  const MannWhitney three = MannWhitneyU(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6});
  EXPECT_TRUE(three.exact);
  EXPECT_EQ(three.u, 0);
  EXPECT_DOUBLE_EQ(three.p_value, 0.1);
  EXPECT_LT(three.z, 0);

  // Samples of 5: 2 / C(10, 5) = 2/252.
  const MannWhitney five =
      MannWhitneyU(std::vector<double>{10, 11, 12, 13, 14}, std::vector<double>{1, 2, 3, 4, 5});
  EXPECT_TRUE(five.exact);
  EXPECT_EQ(five.u, 25);
  EXPECT_NEAR(five.p_value, 2.0 / 252, 1e-15);
  EXPECT_GT(five.z, 0);

  // U = 1 with samples of 3: orderings with U <= 1 are 2 of 20, so p = 0.2.
  const MannWhitney one_swap = MannWhitneyU(std::vector<double>{1, 2, 4}, std::vector<double>{3, 5, 6});
  EXPECT_EQ(one_swap.u, 1);
  EXPECT_DOUBLE_EQ(one_swap.p_value, 0.2);

  // Interleaved evenly: U at its mean, p = 1.
  const MannWhitney even = MannWhitneyU(std::vector<double>{1, 4}, std::vector<double>{2, 3});
  EXPECT_EQ(even.u, 2);
  EXPECT_DOUBLE_EQ(even.p_value, 1.0);
}

TEST(StatisticsMannWhitneyTest, ExactAtTheLargestExactSize) {
  std::vector<double> low(25), high(25);
  for (size_t i = 0; i < 25; ++i) {
    low[i] = static_cast<double>(i);
    high[i] = 100.0 + static_cast<double>(i);
  }
  const MannWhitney result = MannWhitneyU(low, high);
  EXPECT_TRUE(result.exact);
  EXPECT_EQ(result.u, 0);
  EXPECT_NEAR(result.p_value / (2.0 / 126'410'606'437'752.0), 1.0, 1e-12);  // 2 / C(50, 25)

  low.push_back(25);  // 26 values: normal approximation
  EXPECT_FALSE(MannWhitneyU(low, high).exact);
}

// Brute force: enumerate every assignment of the pooled ranks to sample a and count how many give a U as
// far from the mean as the observed one. Independent of the recurrence the implementation uses.
double BruteForceTwoSidedP(size_t n1, size_t n2, double u) {
  const size_t n = n1 + n2;
  const double mean = static_cast<double>(n1 * n2) / 2;
  int64_t total = 0, as_extreme = 0;
  for (uint32_t mask = 0; mask < (1u << n); ++mask) {
    if (static_cast<size_t>(std::popcount(mask)) != n1) continue;
    // U of a = sum over a's members of the number of b members below them.
    int64_t u_mask = 0;
    size_t b_below = 0;
    for (size_t position = 0; position < n; ++position) {
      if (mask & (1u << position)) {
        u_mask += static_cast<int64_t>(b_below);
      } else {
        ++b_below;
      }
    }
    ++total;
    if (std::abs(static_cast<double>(u_mask) - mean) >= std::abs(u - mean)) ++as_extreme;
  }
  return static_cast<double>(as_extreme) / static_cast<double>(total);
}

TEST(StatisticsMannWhitneyTest, ExactAgreesWithBruteForceEnumeration) {
  TestData data(31);
  for (int trial = 0; trial < 40; ++trial) {
    const size_t n1 = 1 + static_cast<size_t>(data.Uniform() * 7);
    const size_t n2 = 1 + static_cast<size_t>(data.Uniform() * 7);
    std::vector<double> a(n1), b(n2);
    for (double& value : a) value = data.Uniform();
    for (double& value : b) value = data.Uniform() + 0.2;
    const MannWhitney result = MannWhitneyU(a, b);
    ASSERT_TRUE(result.exact);
    EXPECT_NEAR(result.p_value, BruteForceTwoSidedP(n1, n2, result.u), 1e-12)
        << "n1 " << n1 << " n2 " << n2 << " u " << result.u;
  }
}

TEST(StatisticsMannWhitneyTest, TiesUseTheCorrectedNormalApproximation) {
  // Reference: U counted pair by pair; sigma^2 = n1 n2 / 12 ((N + 1) - sum(t^3 - t) / (N (N - 1)));
  // z = (|U - n1 n2 / 2| - 0.5) / sigma with U's sign; p = erfc(|z| / sqrt 2).
  const std::vector<double> a = {1, 2, 2, 3, 4, 5};
  const std::vector<double> b = {3, 4, 4, 5, 6, 7, 8};
  const MannWhitney result = MannWhitneyU(a, b);
  EXPECT_FALSE(result.exact);
  EXPECT_DOUBLE_EQ(result.u, 6.0);
  EXPECT_NEAR(result.z, -2.091638109232091, 1e-12);
  EXPECT_NEAR(result.p_value, 0.0364709007712748, 1e-12);
}

TEST(StatisticsMannWhitneyTest, SwappingSamplesMirrorsU) {
  TestData data(32);
  const std::vector<double> a = data.NormalSample(12, 0, 1);
  const std::vector<double> b = data.NormalSample(9, 0.5, 1);
  const MannWhitney ab = MannWhitneyU(a, b);
  const MannWhitney ba = MannWhitneyU(b, a);
  EXPECT_DOUBLE_EQ(ab.u + ba.u, 12 * 9);
  EXPECT_DOUBLE_EQ(ab.z, -ba.z);
  EXPECT_DOUBLE_EQ(ab.p_value, ba.p_value);
}

TEST(StatisticsMannWhitneyTest, NormalApproximationIsCloseToExactAtModerateSizes) {
  TestData data(33);
  const std::vector<double> a = data.NormalSample(20, 0, 1);
  const std::vector<double> b = data.NormalSample(20, 0.6, 1);
  const MannWhitney result = MannWhitneyU(a, b);
  ASSERT_TRUE(result.exact);
  const double normal_p = std::erfc(std::abs(result.z) / std::sqrt(2.0));
  EXPECT_NEAR(result.p_value, normal_p, 0.01);
}

TEST(StatisticsMannWhitneyTest, LargeSamplesFromOneDistributionAreNotSignificant) {
  TestData data(34);
  const std::vector<double> a = data.NormalSample(400, 100, 10);
  const std::vector<double> b = data.NormalSample(300, 100, 10);
  const MannWhitney result = MannWhitneyU(a, b);
  EXPECT_FALSE(result.exact);
  EXPECT_GT(result.p_value, 0.05);
}

TEST(StatisticsMannWhitneyTest, LargeShiftedSamplesAreSignificant) {
  TestData data(35);
  const std::vector<double> a = data.NormalSample(400, 100, 10);
  const std::vector<double> b = data.NormalSample(300, 105, 10);
  const MannWhitney result = MannWhitneyU(a, b);
  EXPECT_FALSE(result.exact);
  EXPECT_LT(result.p_value, 1e-6);
  EXPECT_LT(result.z, 0);
}

TEST(StatisticsMannWhitneyTest, DegenerateInputs) {
  const std::vector<double> values = {1, 2, 3};
  const MannWhitney empty = MannWhitneyU(values, {});
  EXPECT_EQ(empty.p_value, 1);
  EXPECT_EQ(empty.u, 0);
  EXPECT_FALSE(empty.exact);
  EXPECT_EQ(MannWhitneyU({}, values).p_value, 1);

  const std::vector<double> fives(10, 5.0);
  const MannWhitney tied = MannWhitneyU(fives, fives);
  EXPECT_EQ(tied.p_value, 1);
  EXPECT_EQ(tied.z, 0);
  EXPECT_EQ(tied.u, 50);

  const std::vector<double> with_nan = {1, std::nan("")};
  EXPECT_THROW(MannWhitneyU(with_nan, values), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------------------
// ShouldStop

TEST(StatisticsShouldStopTest, TightDataStopsAtTheMinimum) {
  const StoppingRule rule;  // 5..30 repetitions, ±2%, 60 s
  const std::vector<double> four = {100, 100.4, 99.7, 100.1};
  EXPECT_FALSE(ShouldStop(rule, four, 1).stop);
  EXPECT_EQ(ShouldStop(rule, four, 1).reason, "4 of at least 5 repetitions done");

  const std::vector<double> five = {100, 100.4, 99.7, 100.1, 99.9};
  const StopDecision decision = ShouldStop(rule, five, 1);
  EXPECT_TRUE(decision.stop);
  EXPECT_EQ(decision.reason, "95% CI within ±2.0% of median after 5 repetitions");
}

TEST(StatisticsShouldStopTest, NoisyDataContinues) {
  const StoppingRule rule;
  const std::vector<double> noisy = {100, 150, 80, 120, 60, 135, 90};
  const StopDecision decision = ShouldStop(rule, noisy, 10);
  EXPECT_FALSE(decision.stop);
  EXPECT_NE(decision.reason.find("after 7 repetitions, target ±2.0%"), std::string::npos) << decision.reason;
}

TEST(StatisticsShouldStopTest, MaximumStops) {
  StoppingRule rule;
  rule.max_repetitions = 8;
  const std::vector<double> noisy = {100, 150, 80, 120, 60, 135, 90, 110};
  const StopDecision decision = ShouldStop(rule, noisy, 10);
  EXPECT_TRUE(decision.stop);
  EXPECT_EQ(decision.reason, "maximum of 8 repetitions reached");
}

TEST(StatisticsShouldStopTest, TimeBudgetStopsAndSaysWhenTheMinimumWasMissed) {
  const StoppingRule rule;
  const std::vector<double> four = {100, 150, 80, 120};
  const StopDecision short_of_minimum = ShouldStop(rule, four, 61);
  EXPECT_TRUE(short_of_minimum.stop);
  EXPECT_EQ(short_of_minimum.reason, "time budget 60 s spent after 4 repetitions, short of the minimum of 5");

  const std::vector<double> six = {100, 150, 80, 120, 60, 135};
  const StopDecision after_minimum = ShouldStop(rule, six, 60);
  EXPECT_TRUE(after_minimum.stop);
  EXPECT_EQ(after_minimum.reason, "time budget 60 s spent after 6 repetitions");

  StoppingRule fractional;
  fractional.time_budget_s = 0.5;
  const std::vector<double> one = {100};
  EXPECT_EQ(ShouldStop(fractional, one, 0.7).reason,
            "time budget 0.5 s spent after 1 repetition, short of the minimum of 5");
}

TEST(StatisticsShouldStopTest, NeverStopsBeforeTheFirstRepetition) {
  const StoppingRule rule;
  const StopDecision decision = ShouldStop(rule, {}, 1e6);
  EXPECT_FALSE(decision.stop);
  EXPECT_EQ(decision.reason, "0 of at least 5 repetitions done");
}

TEST(StatisticsShouldStopTest, ConvergenceIsReportedEvenAtTheLimits) {
  StoppingRule rule;
  rule.max_repetitions = 5;
  const std::vector<double> tight = {100, 100.4, 99.7, 100.1, 99.9};
  EXPECT_EQ(ShouldStop(rule, tight, 1000).reason, "95% CI within ±2.0% of median after 5 repetitions");
}

TEST(StatisticsShouldStopTest, IdenticalValuesConverge) {
  StoppingRule rule;
  rule.target_relative_ci = 0;
  const std::vector<double> counts(5, 123456.0);  // e.g. instruction counts
  EXPECT_TRUE(ShouldStop(rule, counts, 1).stop);
}

TEST(StatisticsShouldStopTest, AConfidenceIntervalNeedsThreeValues) {
  StoppingRule rule;
  rule.min_repetitions = 1;
  const std::vector<double> one = {100};
  const StopDecision decision = ShouldStop(rule, one, 1);
  EXPECT_FALSE(decision.stop);
  EXPECT_EQ(decision.reason, "1 repetition done, a confidence interval needs 3");
  const std::vector<double> three = {100, 100, 100};
  EXPECT_TRUE(ShouldStop(rule, three, 1).stop);
}

TEST(StatisticsShouldStopTest, RejectsInvalidRules) {
  const std::vector<double> values = {1, 2, 3};
  StoppingRule rule;
  rule.min_repetitions = 0;
  EXPECT_THROW(ShouldStop(rule, values, 0), std::invalid_argument);
  rule = {};
  rule.max_repetitions = 4;
  EXPECT_THROW(ShouldStop(rule, values, 0), std::invalid_argument);
  rule = {};
  rule.target_relative_ci = -0.1;
  EXPECT_THROW(ShouldStop(rule, values, 0), std::invalid_argument);
  rule = {};
  rule.time_budget_s = 0;
  EXPECT_THROW(ShouldStop(rule, values, 0), std::invalid_argument);
  rule = {};
  EXPECT_THROW(ShouldStop(rule, values, std::nan("")), std::invalid_argument);
  const std::vector<double> with_inf = {1, std::numeric_limits<double>::infinity()};
  EXPECT_THROW(ShouldStop(rule, with_inf, 0), std::invalid_argument);
}

}  // namespace
}  // namespace claimbench::stats
