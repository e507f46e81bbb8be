// Log-linear latency histogram with HdrHistogram semantics.
//
// Design: values are integers (nanoseconds for latency) bucketed log-linearly, so every recorded value is
// kept to `significant_digits` decimal digits of precision across the whole trackable range, at a fixed
// memory cost. Recording is O(1) and allocation-free, so it is safe on a load generator's hot path.
// Histograms are not thread-safe: keep one per thread and Merge() them when the run ends. Concurrent calls
// to const members are safe; any call concurrent with a non-const member is a data race.
// We wrote this because Debian 12 packages no C/C++ HdrHistogram; the text export follows
// HdrHistogram's "percentile distribution" format (docs/histogram_format.md) so its tools can re-plot it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace claimbench {

class Histogram {
 public:
  // Tracks values in [lowest_discernible_value, highest_trackable_value] with `significant_digits`
  // (1..5) decimal digits of precision. The resolution is the largest power of two <= lowest: values
  // below it are indistinguishable from 0, and ranges near the low end are that wide. Allocates
  // (bucket count + 1) * sub-bucket count / 2 counters: 33,792 (264 KiB) for ForLatencyNs().
  // Throws std::invalid_argument if lowest < 1, highest < 2 * lowest, digits outside 1..5, or the
  // combination of resolution and digits cannot be indexed with 64-bit values.
  Histogram(int64_t lowest_discernible_value, int64_t highest_trackable_value, int significant_digits);

  // A histogram for latencies in nanoseconds: 1 ns .. 1 hour, 3 significant digits.
  static Histogram ForLatencyNs();

  // Records one value (or `count` occurrences), O(1), no allocation. Negative values are recorded as 0;
  // values above the highest trackable value are recorded as the highest (so Max() then equals it) and
  // counted in OverflowCount(). RecordN ignores count <= 0. Never throws.
  void Record(int64_t value) noexcept;
  void RecordN(int64_t value, int64_t count) noexcept;

  // HdrHistogram's recordCorrectedValue: records `value`, and if it exceeds `expected_interval` (> 0),
  // also the synthetic values value - k*expected_interval (k = 1, 2, ...) down to expected_interval.
  // For closed-loop tools only; the open-loop load generator measures from the intended time instead.
  // Costs O(number of buckets the synthetic values span), not O(value / expected_interval), so a one-hour
  // stall with a 1 ns interval is cheap. No allocation; never throws.
  void RecordCorrected(int64_t value, int64_t expected_interval) noexcept;

  // Adds every count of `other`. Throws std::invalid_argument if the configurations differ.
  void Merge(const Histogram& other);
  void Reset() noexcept;

  int64_t TotalCount() const noexcept { return total_count_; }
  int64_t OverflowCount() const noexcept { return overflow_count_; }
  // Min/Max are exact recorded extremes (0 when empty); after FromBuckets() they are the lowest/highest
  // equivalent values of the end buckets. Mean/StdDev (population, divisor N) are computed from bucket
  // midpoints, so they are only as precise as the buckets; 0 when empty.
  int64_t Min() const noexcept;
  int64_t Max() const noexcept;
  double Mean() const noexcept;
  double StdDev() const noexcept;

  // The value at `percentile` in [0, 100]: the highest value equivalent to the bucket holding the
  // ceil(percentile/100 * count)-th smallest recorded value (HdrHistogram's getValueAtPercentile),
  // capped at Max() so no percentile exceeds the maximum. 100 returns Max() and 0 returns Min(), the exact
  // extremes. Returns 0 when empty. Percentiles outside [0,100] are clamped; NaN counts as 0.
  // O(bucket count * sub-bucket count); never throws.
  int64_t ValueAtPercentile(double percentile) const noexcept;

  // True when a and b fall in the same bucket. These three treat negative values as 0 and work for any
  // non-negative value, also beyond the highest trackable value.
  bool ValuesAreEquivalent(int64_t a, int64_t b) const noexcept;
  int64_t LowestEquivalentValue(int64_t value) const noexcept;
  int64_t HighestEquivalentValue(int64_t value) const noexcept;

  // Non-empty buckets in increasing order as (highest equivalent value, count): the compact form stored
  // in result JSON. FromBuckets() rebuilds a histogram of the same configuration from that form, adding
  // each count to the bucket holding its value (any order; repeated buckets add up). The rebuilt
  // histogram has the same Buckets() and percentiles except within the maximum's bucket, but
  // OverflowCount() 0 and bucket-precision Min()/Max(). FromBuckets throws std::invalid_argument for an
  // invalid configuration (as the constructor), a negative value or count, or a value beyond the
  // configured range.
  std::vector<std::pair<int64_t, int64_t>> Buckets() const;
  static Histogram FromBuckets(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                               int significant_digits,
                               const std::vector<std::pair<int64_t, int64_t>>& buckets);

  // Writes HdrHistogram's percentile distribution text (docs/histogram_format.md): columns Value,
  // Percentile, TotalCount, 1/(1-Percentile), `ticks_per_half_distance` rows per halving of the
  // remaining tail, values divided by `value_unit_scale` (e.g. 1000.0 to print microseconds), then the
  // Mean/StdDeviation/Max/Total footer. Row values are capped at Max() like ValueAtPercentile().
  // Throws std::invalid_argument if ticks_per_half_distance < 1 or value_unit_scale is not a positive
  // finite number; write errors are left in the stream's state.
  void WritePercentileText(std::ostream& out, int ticks_per_half_distance = 5,
                           double value_unit_scale = 1.0) const;

  int64_t lowest_discernible_value() const noexcept { return lowest_discernible_value_; }
  int64_t highest_trackable_value() const noexcept { return highest_trackable_value_; }
  int significant_digits() const noexcept { return significant_digits_; }

 private:
  // Counter index of a value in [0, highest bucket's end]; value must be >= 0.
  size_t IndexOf(int64_t value) const noexcept;
  // Lowest value of the bucket at counter index `index`.
  int64_t ValueAtIndex(size_t index) const noexcept;
  // Index of the power-of-two bucket (not the counter) holding value >= 0.
  int BucketIndexOf(int64_t value) const noexcept;
  // The value a bucket stands for in Mean()/StdDev(): the midpoint of its equivalent range.
  int64_t MedianEquivalentValue(int64_t value) const noexcept;

  int64_t lowest_discernible_value_;
  int64_t highest_trackable_value_;
  int significant_digits_;
  int unit_magnitude_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  int64_t sub_bucket_count_ = 0;
  int64_t sub_bucket_half_count_ = 0;
  int64_t sub_bucket_mask_ = 0;
  int bucket_count_ = 0;
  std::vector<int64_t> counts_;
  int64_t total_count_ = 0;
  int64_t overflow_count_ = 0;
  int64_t min_value_ = INT64_MAX;
  int64_t max_value_ = 0;
};

}  // namespace claimbench
