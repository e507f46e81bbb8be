#include "claimbench/histogram.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace claimbench {
namespace {

constexpr int64_t kHour = 3'600'000'000'000;

// A percentile given exactly as num / den percent, so the expected rank can be computed with integers:
// the point is to compare against the true order statistic, not against the same floating-point formula.
struct ExactPercentile {
  int64_t num;
  int64_t den;
  double Value() const { return static_cast<double>(num) / static_cast<double>(den); }
};

const std::vector<ExactPercentile>& StandardPercentiles() {
  static const std::vector<ExactPercentile> percentiles = {
      {1, 10}, {1, 1}, {10, 1}, {25, 1}, {333, 10}, {50, 1}, {75, 1}, {90, 1}, {95, 1},
      {99, 1}, {999, 10}, {9999, 100}, {99999, 1000}, {999999, 10000}};
  return percentiles;
}

// The HdrHistogram definition: the ceil(p/100 * N)-th smallest value (1-based), at least the first.
int64_t ExactValueAtPercentile(const std::vector<int64_t>& sorted, ExactPercentile p) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t divisor = p.den * 100;
  const int64_t rank = std::clamp<int64_t>((p.num * n + divisor - 1) / divisor, 1, n);
  return sorted[static_cast<size_t>(rank - 1)];
}

// Checks ValueAtPercentile against the exact order statistic: same bucket, reported as the bucket's highest
// equivalent value (capped at Max()), and within the advertised relative precision.
void ExpectPercentilesMatch(const Histogram& histogram, std::vector<int64_t> values,
                            const std::vector<ExactPercentile>& percentiles) {
  std::sort(values.begin(), values.end());
  const double precision = std::pow(10.0, -histogram.significant_digits());
  for (ExactPercentile p : percentiles) {
    const int64_t exact = ExactValueAtPercentile(values, p);
    const int64_t got = histogram.ValueAtPercentile(p.Value());
    SCOPED_TRACE(testing::Message() << "p" << p.Value() << " exact " << exact << " got " << got);
    EXPECT_TRUE(histogram.ValuesAreEquivalent(got, exact));
    EXPECT_EQ(got, std::min(histogram.HighestEquivalentValue(exact), histogram.Max()));
    EXPECT_LE(std::abs(static_cast<double>(got - exact)), precision * static_cast<double>(exact));
  }
}

// std::mt19937_64's output is fixed by the standard (unlike <random>'s distributions), so test data built
// from it with our own transforms is the same everywhere.
class TestData {
 public:
  explicit TestData(uint64_t seed) : engine_(seed) {}
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double Normal() {  // Box-Muller
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  }
  int64_t LogNormal(double median, double sigma) {
    return std::max<int64_t>(1, std::llround(median * std::exp(sigma * Normal())));
  }

 private:
  std::mt19937_64 engine_;
};

Histogram Record(const std::vector<int64_t>& values, Histogram histogram = Histogram::ForLatencyNs()) {
  for (int64_t value : values) histogram.Record(value);
  return histogram;
}

std::vector<int64_t> LogNormalSample(size_t n, uint64_t seed) {
  TestData data(seed);
  std::vector<int64_t> values(n);
  for (int64_t& value : values) value = data.LogNormal(50'000, 1.0);
  return values;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(HistogramTest, InvalidConfigurationThrows) {
  EXPECT_THROW(Histogram(0, 1000, 3), std::invalid_argument);
  EXPECT_THROW(Histogram(-5, 1000, 3), std::invalid_argument);
  EXPECT_THROW(Histogram(10, 19, 3), std::invalid_argument);
  EXPECT_NO_THROW(Histogram(10, 20, 3));
  EXPECT_THROW(Histogram(1, 1000, 0), std::invalid_argument);
  EXPECT_THROW(Histogram(1, 1000, 6), std::invalid_argument);
  EXPECT_NO_THROW(Histogram(1, 1000, 1));
  EXPECT_NO_THROW(Histogram(1, 1000, 5));
  // 2^50 resolution with 5 digits (2^17 sub-buckets per half) cannot be indexed in 64 bits.
  EXPECT_THROW(Histogram(int64_t{1} << 50, INT64_MAX, 5), std::invalid_argument);
  EXPECT_NO_THROW(Histogram(1, INT64_MAX, 3));
  EXPECT_THROW(Histogram::FromBuckets(0, 1000, 3, {}), std::invalid_argument);
}

TEST(HistogramTest, ForLatencyNsCoversOneNanosecondToOneHour) {
  Histogram histogram = Histogram::ForLatencyNs();
  EXPECT_EQ(histogram.lowest_discernible_value(), 1);
  EXPECT_EQ(histogram.highest_trackable_value(), kHour);
  EXPECT_EQ(histogram.significant_digits(), 3);
  histogram.Record(1);
  histogram.Record(kHour);
  EXPECT_EQ(histogram.OverflowCount(), 0);
  EXPECT_EQ(histogram.Min(), 1);
  EXPECT_EQ(histogram.Max(), kHour);
  histogram.Record(kHour + 1);
  EXPECT_EQ(histogram.OverflowCount(), 1);
}

// Every value belongs to exactly one range [lowest, highest]; consecutive ranges touch; each range is at
// most 10^-digits of its values wide; and below 2 * 10^digits the resolution is one unit.
void ExpectEquivalenceRangesTile(const Histogram& histogram) {
  SCOPED_TRACE(testing::Message() << "histogram(" << histogram.lowest_discernible_value() << ", "
                                  << histogram.highest_trackable_value() << ", "
                                  << histogram.significant_digits() << ")");
  const double precision = std::pow(10.0, -histogram.significant_digits());
  int64_t unit = 1;
  while (unit * 2 <= histogram.lowest_discernible_value()) unit *= 2;
  int64_t ranges = 0;
  for (int64_t lowest = 0; lowest <= histogram.highest_trackable_value();) {
    const int64_t highest = histogram.HighestEquivalentValue(lowest);
    ASSERT_GE(highest, lowest);
    ASSERT_EQ(histogram.LowestEquivalentValue(lowest), lowest);
    ASSERT_EQ(histogram.LowestEquivalentValue(highest), lowest);
    ASSERT_TRUE(histogram.ValuesAreEquivalent(lowest, highest));
    ASSERT_FALSE(histogram.ValuesAreEquivalent(highest, highest + 1));
    const int64_t width = highest - lowest + 1;
    if (lowest > 0 && width > unit) {
      ASSERT_LE(static_cast<double>(width - 1), precision * static_cast<double>(lowest)) << lowest;
    }
    lowest = highest + 1;
    ++ranges;
  }
  EXPECT_GT(ranges, 0);
}

TEST(HistogramTest, EquivalenceRangesTileTheTrackableRange) {
  ExpectEquivalenceRangesTile(Histogram::ForLatencyNs());
  ExpectEquivalenceRangesTile(Histogram(1000, 1'000'000'000, 2));
  ExpectEquivalenceRangesTile(Histogram(1, 100'000, 5));
  ExpectEquivalenceRangesTile(Histogram(3, 1'000'000'000, 1));
}

TEST(HistogramTest, SmallValuesHaveUnitResolution) {
  const Histogram histogram = Histogram::ForLatencyNs();
  for (int64_t value = 0; value < 2048; ++value) {
    ASSERT_EQ(histogram.LowestEquivalentValue(value), value);
    ASSERT_EQ(histogram.HighestEquivalentValue(value), value);
  }
  EXPECT_EQ(histogram.HighestEquivalentValue(2048), 2049);
  EXPECT_EQ(histogram.LowestEquivalentValue(-7), 0);
}

TEST(HistogramTest, ValuesBelowTheResolutionShareTheFirstRange) {
  const Histogram histogram(1000, 1'000'000, 3);  // resolution 512
  EXPECT_TRUE(histogram.ValuesAreEquivalent(0, 511));
  EXPECT_FALSE(histogram.ValuesAreEquivalent(511, 512));
  EXPECT_EQ(histogram.HighestEquivalentValue(1000), 1023);
}

TEST(HistogramTest, EmptyHistogram) {
  const Histogram histogram = Histogram::ForLatencyNs();
  EXPECT_EQ(histogram.TotalCount(), 0);
  EXPECT_EQ(histogram.Min(), 0);
  EXPECT_EQ(histogram.Max(), 0);
  EXPECT_EQ(histogram.Mean(), 0);
  EXPECT_EQ(histogram.StdDev(), 0);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 0);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 0);
  EXPECT_TRUE(histogram.Buckets().empty());
}

TEST(HistogramTest, UniformOneToAMillionMatchesExactPercentiles) {
  std::vector<int64_t> values(1'000'000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int64_t>(i) + 1;
  const Histogram histogram = Record(values);
  EXPECT_EQ(histogram.TotalCount(), 1'000'000);
  EXPECT_EQ(histogram.Min(), 1);
  EXPECT_EQ(histogram.Max(), 1'000'000);
  ExpectPercentilesMatch(histogram, values, StandardPercentiles());
  EXPECT_NEAR(histogram.Mean(), 500'000.5, 500'000.5 * 1e-3);
  EXPECT_NEAR(histogram.StdDev(), 1e6 / std::sqrt(12.0), 1e6 / std::sqrt(12.0) * 1e-3);
}

TEST(HistogramTest, LogNormalSampleMatchesExactPercentiles) {
  const std::vector<int64_t> values = LogNormalSample(200'000, 1);
  const Histogram histogram = Record(values);
  EXPECT_EQ(histogram.Min(), *std::min_element(values.begin(), values.end()));
  EXPECT_EQ(histogram.Max(), *std::max_element(values.begin(), values.end()));
  ExpectPercentilesMatch(histogram, values, StandardPercentiles());
  std::vector<ExactPercentile> sweep;
  for (int64_t tenths = 1; tenths < 1000; ++tenths) sweep.push_back({tenths, 10});
  ExpectPercentilesMatch(histogram, values, sweep);

  double sum = 0;
  for (int64_t value : values) sum += static_cast<double>(value);
  const double mean = sum / static_cast<double>(values.size());
  EXPECT_NEAR(histogram.Mean(), mean, mean * 1e-3);
}

TEST(HistogramTest, LongTailMatchesExactPercentiles) {
  // 99% fast responses near 1 us, 1% spread log-uniformly over 1 ms .. 1 s: the shape where averages lie.
  TestData data(2);
  std::vector<int64_t> values;
  for (int i = 0; i < 100'000; ++i) {
    if (i % 100 == 0) {
      values.push_back(std::llround(std::pow(10.0, 6 + 3 * data.Uniform())));
    } else {
      values.push_back(900 + static_cast<int64_t>(data.Uniform() * 200));
    }
  }
  const Histogram histogram = Record(values);
  EXPECT_EQ(histogram.Max(), *std::max_element(values.begin(), values.end()));
  ExpectPercentilesMatch(histogram, values, StandardPercentiles());
  EXPECT_LT(histogram.ValueAtPercentile(99), 1'100);
  EXPECT_GT(histogram.ValueAtPercentile(99.5), 1'000'000);
}

TEST(HistogramTest, TwoSignificantDigitsKeepTheirPromise) {
  const std::vector<int64_t> values = LogNormalSample(50'000, 3);
  const Histogram histogram = Record(values, Histogram(1, kHour, 2));
  ExpectPercentilesMatch(histogram, values, StandardPercentiles());
}

TEST(HistogramTest, PercentileEdges) {
  const Histogram histogram = Record({1'234'567, 5, 999, 42, 77'777'777});
  EXPECT_EQ(histogram.ValueAtPercentile(0), 5);
  EXPECT_EQ(histogram.ValueAtPercentile(-3), 5);
  EXPECT_EQ(histogram.ValueAtPercentile(std::nan("")), 5);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 77'777'777);
  EXPECT_EQ(histogram.ValueAtPercentile(250), 77'777'777);
  // The top bucket's highest equivalent value lies above the maximum; percentiles stop at the maximum.
  EXPECT_GT(histogram.HighestEquivalentValue(77'777'777), 77'777'777);
  EXPECT_EQ(histogram.ValueAtPercentile(99.9), 77'777'777);
  EXPECT_EQ(histogram.ValueAtPercentile(20), 5);
  EXPECT_EQ(histogram.ValueAtPercentile(20.0001), 42);
}

TEST(HistogramTest, PercentilesAreMonotoneAndBounded) {
  const Histogram histogram = Record(LogNormalSample(10'000, 4));
  int64_t previous = histogram.ValueAtPercentile(0);
  EXPECT_EQ(previous, histogram.Min());
  for (double p = 0.01; p <= 100; p += 0.01) {
    const int64_t value = histogram.ValueAtPercentile(p);
    ASSERT_GE(value, previous) << p;
    ASSERT_LE(value, histogram.Max()) << p;
    previous = value;
  }
}

TEST(HistogramTest, SingleValue) {
  const Histogram histogram = Record({123'456'789});
  EXPECT_EQ(histogram.Min(), 123'456'789);
  EXPECT_EQ(histogram.Max(), 123'456'789);
  for (double p : {0.0, 1.0, 50.0, 99.999, 100.0}) {
    EXPECT_EQ(histogram.ValueAtPercentile(p), 123'456'789) << p;
  }
  EXPECT_NEAR(histogram.Mean(), 123'456'789, 123'456'789 * 1e-3);
  EXPECT_EQ(histogram.StdDev(), 0);
}

TEST(HistogramTest, MeanAndStdDevAreExactAtUnitResolution) {
  const Histogram histogram = Record({2, 4, 4, 4, 5, 5, 7, 9});
  EXPECT_DOUBLE_EQ(histogram.Mean(), 5);
  EXPECT_DOUBLE_EQ(histogram.StdDev(), 2);  // population standard deviation
}

TEST(HistogramTest, RecordNEqualsRepeatedRecord) {
  Histogram once = Histogram::ForLatencyNs();
  Histogram repeated = Histogram::ForLatencyNs();
  once.RecordN(31'415, 1000);
  once.RecordN(27, 3);
  for (int i = 0; i < 1000; ++i) repeated.Record(31'415);
  for (int i = 0; i < 3; ++i) repeated.Record(27);
  EXPECT_EQ(once.Buckets(), repeated.Buckets());
  EXPECT_EQ(once.TotalCount(), 1003);
  EXPECT_EQ(once.Min(), 27);
  once.RecordN(5, 0);
  once.RecordN(5, -4);
  EXPECT_EQ(once.TotalCount(), 1003);
  EXPECT_EQ(once.Min(), 27);
}

TEST(HistogramTest, NegativeValuesAreRecordedAsZero) {
  Histogram histogram = Histogram::ForLatencyNs();
  histogram.Record(-17);
  EXPECT_EQ(histogram.TotalCount(), 1);
  EXPECT_EQ(histogram.Min(), 0);
  EXPECT_EQ(histogram.Max(), 0);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 0);
}

TEST(HistogramTest, OverflowIsClampedAndCounted) {
  Histogram histogram(1, 1000, 3);
  histogram.Record(500);
  histogram.Record(5000);
  histogram.RecordN(2000, 5);
  histogram.Record(INT64_MAX);
  EXPECT_EQ(histogram.TotalCount(), 8);
  EXPECT_EQ(histogram.OverflowCount(), 7);
  EXPECT_EQ(histogram.Max(), 1000);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 1000);
  EXPECT_EQ(histogram.ValueAtPercentile(10), 500);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  const std::vector<int64_t> values = LogNormalSample(40'000, 5);
  Histogram all = Histogram::ForLatencyNs();
  std::vector<Histogram> parts(4, Histogram::ForLatencyNs());
  for (size_t i = 0; i < values.size(); ++i) {
    all.Record(values[i]);
    parts[i % parts.size()].Record(values[i]);
  }
  parts[2].Record(kHour * 2);  // overflow counts merge too
  all.Record(kHour * 2);
  Histogram merged = Histogram::ForLatencyNs();
  for (const Histogram& part : parts) merged.Merge(part);
  merged.Merge(Histogram::ForLatencyNs());  // an empty one changes nothing

  EXPECT_EQ(merged.Buckets(), all.Buckets());
  EXPECT_EQ(merged.TotalCount(), all.TotalCount());
  EXPECT_EQ(merged.OverflowCount(), 1);
  EXPECT_EQ(merged.Min(), all.Min());
  EXPECT_EQ(merged.Max(), all.Max());
  for (ExactPercentile p : StandardPercentiles()) {
    EXPECT_EQ(merged.ValueAtPercentile(p.Value()), all.ValueAtPercentile(p.Value()));
  }
}

TEST(HistogramTest, MergeIntoItselfDoublesCounts) {
  Histogram histogram = Record({10, 20, 30});
  histogram.Merge(histogram);
  EXPECT_EQ(histogram.TotalCount(), 6);
  EXPECT_EQ(histogram.Buckets(), (std::vector<std::pair<int64_t, int64_t>>{{10, 2}, {20, 2}, {30, 2}}));
}

TEST(HistogramTest, MergeRejectsAnotherConfiguration) {
  Histogram histogram = Histogram::ForLatencyNs();
  EXPECT_THROW(histogram.Merge(Histogram(1, kHour, 2)), std::invalid_argument);
  EXPECT_THROW(histogram.Merge(Histogram(1, kHour / 2, 3)), std::invalid_argument);
  EXPECT_THROW(histogram.Merge(Histogram(2, kHour, 3)), std::invalid_argument);
}

TEST(HistogramTest, ResetEmptiesEverything) {
  Histogram histogram(1, 1000, 3);
  histogram.Record(50);
  histogram.Record(5000);
  histogram.Reset();
  EXPECT_EQ(histogram.TotalCount(), 0);
  EXPECT_EQ(histogram.OverflowCount(), 0);
  EXPECT_EQ(histogram.Min(), 0);
  EXPECT_EQ(histogram.Max(), 0);
  EXPECT_TRUE(histogram.Buckets().empty());
  histogram.Record(70);
  EXPECT_EQ(histogram.Min(), 70);
  EXPECT_EQ(histogram.Max(), 70);
}

TEST(HistogramTest, BucketsRoundTrip) {
  const std::vector<int64_t> values = LogNormalSample(20'000, 6);
  const Histogram original = Record(values);
  const std::vector<std::pair<int64_t, int64_t>> buckets = original.Buckets();
  ASSERT_FALSE(buckets.empty());
  for (size_t i = 1; i < buckets.size(); ++i) ASSERT_LT(buckets[i - 1].first, buckets[i].first);
  for (const auto& [value, count] : buckets) {
    ASSERT_EQ(value, original.HighestEquivalentValue(value));
    ASSERT_GT(count, 0);
  }

  const Histogram rebuilt = Histogram::FromBuckets(1, kHour, 3, buckets);
  EXPECT_EQ(rebuilt.Buckets(), buckets);
  EXPECT_EQ(rebuilt.TotalCount(), original.TotalCount());
  EXPECT_TRUE(rebuilt.ValuesAreEquivalent(rebuilt.Min(), original.Min()));
  EXPECT_TRUE(rebuilt.ValuesAreEquivalent(rebuilt.Max(), original.Max()));
  EXPECT_EQ(rebuilt.Max(), original.HighestEquivalentValue(original.Max()));
  EXPECT_DOUBLE_EQ(rebuilt.Mean(), original.Mean());
  EXPECT_DOUBLE_EQ(rebuilt.StdDev(), original.StdDev());
  for (ExactPercentile p : StandardPercentiles()) {
    const int64_t expected = original.ValueAtPercentile(p.Value());
    if (original.ValuesAreEquivalent(expected, original.Max())) {
      EXPECT_TRUE(rebuilt.ValuesAreEquivalent(rebuilt.ValueAtPercentile(p.Value()), expected));
    } else {
      EXPECT_EQ(rebuilt.ValueAtPercentile(p.Value()), expected);
    }
  }
}

TEST(HistogramTest, FromBucketsKeepsTheTopBucketWithoutOverflow) {
  // The bucket holding the highest trackable value reaches past it; its compact form must still load.
  Histogram original(1, 100'000, 3);
  original.RecordN(99'999, 3);
  const auto buckets = original.Buckets();
  ASSERT_EQ(buckets.size(), 1u);
  ASSERT_GT(buckets[0].first, 100'000);
  const Histogram rebuilt = Histogram::FromBuckets(1, 100'000, 3, buckets);
  EXPECT_EQ(rebuilt.Buckets(), buckets);
  EXPECT_EQ(rebuilt.OverflowCount(), 0);
  EXPECT_EQ(rebuilt.Max(), 100'000);
}

TEST(HistogramTest, FromBucketsAcceptsAnyOrderAndAddsRepeats) {
  const Histogram rebuilt = Histogram::FromBuckets(1, 1'000'000, 3, {{5000, 2}, {10, 1}, {5001, 3}, {7, 0}});
  // 5000 and 5001 share a bucket (width 4 at this magnitude), reported by its highest value, 5003.
  EXPECT_EQ(rebuilt.Buckets(), (std::vector<std::pair<int64_t, int64_t>>{{10, 1}, {5003, 5}}));
  EXPECT_EQ(rebuilt.TotalCount(), 6);
  EXPECT_EQ(rebuilt.Min(), 10);
  EXPECT_EQ(rebuilt.Max(), 5003);
}

TEST(HistogramTest, FromBucketsRejectsBadInput) {
  EXPECT_THROW(Histogram::FromBuckets(1, 1000, 3, {{10, -1}}), std::invalid_argument);
  EXPECT_THROW(Histogram::FromBuckets(1, 1000, 3, {{-10, 1}}), std::invalid_argument);
  EXPECT_THROW(Histogram::FromBuckets(1, 1000, 3, {{1'000'000, 1}}), std::invalid_argument);
  EXPECT_THROW(Histogram::FromBuckets(1, 1000, 3, {{INT64_MAX, 1}}), std::invalid_argument);
}

// HdrHistogram's own coordinated-omission example: 10,000 responses of 1 ms... here 1000 ns, issued every
// 10,000 ns, and one 100,000,000 ns stall during which a closed-loop tool sent nothing.
TEST(HistogramTest, RecordCorrectedReproducesHdrHistogramsExample) {
  Histogram raw = Histogram::ForLatencyNs();
  Histogram corrected = Histogram::ForLatencyNs();
  for (int i = 0; i < 10'000; ++i) {
    raw.Record(1000);
    corrected.RecordCorrected(1000, 10'000);
  }
  raw.Record(100'000'000);
  corrected.RecordCorrected(100'000'000, 10'000);

  EXPECT_EQ(raw.TotalCount(), 10'001);
  // The stall adds 9,999 synthetic values 10,000, 20,000, ..., 99,990,000.
  EXPECT_EQ(corrected.TotalCount(), 20'000);

  auto expect_near = [](int64_t got, int64_t expected) {
    EXPECT_LE(std::abs(static_cast<double>(got - expected)), static_cast<double>(expected) * 1e-3)
        << got << " vs " << expected;
  };
  expect_near(raw.ValueAtPercentile(30), 1000);
  expect_near(raw.ValueAtPercentile(99), 1000);
  expect_near(raw.ValueAtPercentile(99.99), 1000);
  expect_near(raw.ValueAtPercentile(99.999), 100'000'000);
  expect_near(raw.ValueAtPercentile(100), 100'000'000);

  expect_near(corrected.ValueAtPercentile(30), 1000);
  expect_near(corrected.ValueAtPercentile(50), 1000);
  expect_near(corrected.ValueAtPercentile(75), 50'000'000);
  expect_near(corrected.ValueAtPercentile(90), 80'000'000);
  expect_near(corrected.ValueAtPercentile(99), 98'000'000);
  expect_near(corrected.ValueAtPercentile(99.999), 100'000'000);
  expect_near(corrected.ValueAtPercentile(100), 100'000'000);
}

TEST(HistogramTest, RecordCorrectedWithoutAStallIsRecord) {
  Histogram corrected = Histogram::ForLatencyNs();
  Histogram plain = Histogram::ForLatencyNs();
  for (int64_t value : {5, 9'999, 10'000, 10'001, 19'999}) {
    corrected.RecordCorrected(value, 10'000);
    plain.Record(value);
  }
  corrected.RecordCorrected(50'000, 0);
  corrected.RecordCorrected(50'000, -3);
  plain.RecordN(50'000, 2);
  EXPECT_EQ(corrected.Buckets(), plain.Buckets());
}

// The bucket-at-a-time fill must record exactly what HdrHistogram's one-at-a-time loop records.
TEST(HistogramTest, RecordCorrectedMatchesTheOneAtATimeDefinition) {
  TestData data(7);
  int compared = 0;
  for (int trial = 0; trial < 300; ++trial) {
    Histogram fast(1, 10'000'000, 3);
    Histogram slow(1, 10'000'000, 3);
    const int64_t interval = 1 + static_cast<int64_t>(std::pow(10.0, 5 * data.Uniform()));
    // Up to 2x the highest trackable value, so the overflow path is exercised as well.
    const int64_t value = static_cast<int64_t>(std::pow(10.0, 7.3 * data.Uniform()));
    if (value / interval > 200'000) continue;  // keep the reference loop quick
    fast.RecordCorrected(value, interval);
    slow.Record(value);
    for (int64_t missing = value - interval; missing >= interval; missing -= interval) slow.Record(missing);
    SCOPED_TRACE(testing::Message() << "value " << value << " interval " << interval);
    ASSERT_EQ(fast.Buckets(), slow.Buckets());
    ASSERT_EQ(fast.TotalCount(), slow.TotalCount());
    ASSERT_EQ(fast.OverflowCount(), slow.OverflowCount());
    ASSERT_EQ(fast.Min(), slow.Min());
    ASSERT_EQ(fast.Max(), slow.Max());
    ++compared;
  }
  EXPECT_GT(compared, 150);
}

TEST(HistogramTest, RecordCorrectedHourLongStallAtOneNanosecondIsCheap) {
  Histogram histogram = Histogram::ForLatencyNs();
  histogram.RecordCorrected(kHour, 1);  // 3.6e12 values; one at a time this would take an hour
  EXPECT_EQ(histogram.TotalCount(), kHour);
  EXPECT_EQ(histogram.Min(), 1);
  EXPECT_EQ(histogram.Max(), kHour);
  EXPECT_NEAR(static_cast<double>(histogram.ValueAtPercentile(50)), kHour / 2.0, kHour / 2.0 * 1e-3);
}

TEST(HistogramTest, PercentileTextGolden) {
  // Worked by hand from HdrHistogram's percentile iteration: a row each time the cumulative percentile
  // reaches the next level; levels step by 10% up to 50%, 5% up to 75%, 2.5% up to 87.5%, 1.25% next...
  const Histogram histogram = Record({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, Histogram(1, 100'000, 3));
  std::ostringstream out;
  histogram.WritePercentileText(out);
  EXPECT_EQ(out.str(),
            "       Value     Percentile TotalCount 1/(1-Percentile)\n"
            "\n"
            "       1.000 0.000000000000          1           1.00\n"
            "       1.000 0.100000000000          1           1.11\n"
            "       2.000 0.200000000000          2           1.25\n"
            "       3.000 0.300000000000          3           1.43\n"
            "       4.000 0.400000000000          4           1.67\n"
            "       5.000 0.500000000000          5           2.00\n"
            "       6.000 0.550000000000          6           2.22\n"
            "       6.000 0.600000000000          6           2.50\n"
            "       7.000 0.650000000000          7           2.86\n"
            "       7.000 0.700000000000          7           3.33\n"
            "       8.000 0.750000000000          8           4.00\n"
            "       8.000 0.775000000000          8           4.44\n"
            "       8.000 0.800000000000          8           5.00\n"
            "       9.000 0.825000000000          9           5.71\n"
            "       9.000 0.850000000000          9           6.67\n"
            "       9.000 0.875000000000          9           8.00\n"
            "       9.000 0.887500000000          9           8.89\n"
            "       9.000 0.900000000000          9          10.00\n"
            "      10.000 0.912500000000         10          11.43\n"
            "      10.000 1.000000000000         10\n"
            "#[Mean    =        5.500, StdDeviation   =        2.872]\n"
            "#[Max     =       10.000, Total count    =           10]\n"
            "#[Buckets =            7, SubBuckets     =         2048]\n");
}

TEST(HistogramTest, PercentileTextOfEmptyHistogramIsHeaderAndFooter) {
  std::ostringstream out;
  Histogram(1, 100'000, 3).WritePercentileText(out);
  EXPECT_EQ(out.str(),
            "       Value     Percentile TotalCount 1/(1-Percentile)\n"
            "\n"
            "#[Mean    =        0.000, StdDeviation   =        0.000]\n"
            "#[Max     =        0.000, Total count    =            0]\n"
            "#[Buckets =            7, SubBuckets     =         2048]\n");
}

TEST(HistogramTest, PercentileTextRowsAreMonotoneAndEndAtTheMaximum) {
  const Histogram histogram = Record(LogNormalSample(100'000, 8));
  std::ostringstream out;
  histogram.WritePercentileText(out, 5, 1000.0);  // microseconds
  const std::vector<std::string> lines = Lines(out.str());
  ASSERT_GE(lines.size(), 6u);
  EXPECT_EQ(lines[0], "       Value     Percentile TotalCount 1/(1-Percentile)");
  EXPECT_EQ(lines[1], "");

  const size_t footer = lines.size() - 3;
  double previous_value = -1, previous_percentile = -1;
  int64_t previous_count = 0;
  for (size_t i = 2; i < footer; ++i) {
    std::istringstream row(lines[i]);
    double value = 0, percentile = 0, inverse = 0;
    int64_t count = 0;
    ASSERT_TRUE(row >> value >> percentile >> count) << lines[i];
    EXPECT_GE(value, previous_value) << lines[i];
    EXPECT_GE(percentile, previous_percentile) << lines[i];
    EXPECT_GE(count, previous_count) << lines[i];
    EXPECT_LE(value, static_cast<double>(histogram.Max()) / 1000.0 + 0.0005) << lines[i];
    const bool last = i + 1 == footer;
    if (!last) {
      ASSERT_TRUE(row >> inverse) << lines[i];
      EXPECT_NEAR(inverse, 1 / (1 - percentile), 0.01 + 1e-9 / (1 - percentile)) << lines[i];
      EXPECT_LT(percentile, 1.0);
    } else {
      EXPECT_EQ(percentile, 1.0);
      EXPECT_EQ(count, histogram.TotalCount());
      EXPECT_NEAR(value, static_cast<double>(histogram.Max()) / 1000.0, 0.0005);
    }
    previous_value = value;
    previous_percentile = percentile;
    previous_count = count;
  }
  EXPECT_GT(footer - 2, 50u) << "tail levels should be dense";
  EXPECT_EQ(lines[footer].rfind("#[Mean    = ", 0), 0u) << lines[footer];
  EXPECT_NE(lines[footer].find(", StdDeviation   = "), std::string::npos);
  EXPECT_EQ(lines[footer + 1], "#[Max     = " + [&] {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%12.3f", static_cast<double>(histogram.Max()) / 1000.0);
    return std::string(buffer);
  }() + ", Total count    =       100000]");
  EXPECT_EQ(lines[footer + 2], "#[Buckets =           32, SubBuckets     =         2048]");
}

TEST(HistogramTest, PercentileTextTicksControlRowDensity) {
  const Histogram histogram = Record(LogNormalSample(10'000, 9));
  std::ostringstream sparse, dense;
  histogram.WritePercentileText(sparse, 1);
  histogram.WritePercentileText(dense, 20);
  EXPECT_LT(Lines(sparse.str()).size() * 5, Lines(dense.str()).size());
}

TEST(HistogramTest, PercentileTextRejectsBadArguments) {
  const Histogram histogram = Record({1, 2, 3});
  std::ostringstream out;
  EXPECT_THROW(histogram.WritePercentileText(out, 0), std::invalid_argument);
  EXPECT_THROW(histogram.WritePercentileText(out, 5, 0.0), std::invalid_argument);
  EXPECT_THROW(histogram.WritePercentileText(out, 5, -1.0), std::invalid_argument);
  EXPECT_THROW(histogram.WritePercentileText(out, 5, INFINITY), std::invalid_argument);
  EXPECT_THROW(histogram.WritePercentileText(out, 5, NAN), std::invalid_argument);
  EXPECT_TRUE(out.str().empty());
}

}  // namespace
}  // namespace claimbench
