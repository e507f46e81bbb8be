#include "claimbench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace claimbench {
namespace {

// Layout, following HdrHistogram: the value range is split into power-of-two "buckets"; each bucket is
// split linearly into sub-buckets. Bucket 0 has sub_bucket_count sub-buckets of width 2^unit_magnitude;
// every later bucket b covers [sub_bucket_half_count, sub_bucket_count) << (b + unit_magnitude), i.e. it
// only needs the upper half of its sub-buckets, because the lower half is already covered by bucket b-1 at
// twice the resolution. A counter for every (bucket, upper-half sub-bucket) plus bucket 0's lower half
// gives (bucket_count + 1) * sub_bucket_half_count counters. Within a bucket a sub-bucket is at most
// 1/sub_bucket_half_count of its lowest value wide, and sub_bucket_half_count >= 10^digits, which is
// where the promised precision comes from.

// The largest value HdrHistogram lets unit_magnitude + sub_bucket_half_count_magnitude reach: above it
// the sub-bucket mask or the first untrackable value would not fit in an int64_t.
constexpr int kMaxShift = 61;

void ValidateConfig(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                    int significant_digits) {
  if (lowest_discernible_value < 1) {
    throw std::invalid_argument(
        fmt::format("histogram: lowest_discernible_value must be >= 1, got {}", lowest_discernible_value));
  }
  // highest < 2 * lowest, written so that it cannot overflow.
  if (highest_trackable_value / 2 < lowest_discernible_value) {
    throw std::invalid_argument(
        fmt::format("histogram: highest_trackable_value must be >= 2 * lowest_discernible_value, "
                    "got {} and {}", highest_trackable_value, lowest_discernible_value));
  }
  if (significant_digits < 1 || significant_digits > 5) {
    throw std::invalid_argument(
        fmt::format("histogram: significant_digits must be in 1..5, got {}", significant_digits));
  }
}

}  // namespace

Histogram::Histogram(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                     int significant_digits)
    : lowest_discernible_value_(lowest_discernible_value),
      highest_trackable_value_(highest_trackable_value),
      significant_digits_(significant_digits) {
  ValidateConfig(lowest_discernible_value, highest_trackable_value, significant_digits);

  // Single-unit resolution is needed up to 2 * 10^digits so that, once buckets start doubling, each
  // sub-bucket is still narrower than 10^-digits of the values in it.
  int64_t largest_value_with_single_unit_resolution = 2;
  for (int i = 0; i < significant_digits; ++i) largest_value_with_single_unit_resolution *= 10;
  // ceil(log2(x)) for x >= 2.
  const int sub_bucket_count_magnitude =
      static_cast<int>(std::bit_width(static_cast<uint64_t>(largest_value_with_single_unit_resolution - 1)));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  // floor(log2(lowest)).
  unit_magnitude_ = static_cast<int>(std::bit_width(static_cast<uint64_t>(lowest_discernible_value))) - 1;
  if (unit_magnitude_ + sub_bucket_half_count_magnitude_ > kMaxShift) {
    throw std::invalid_argument(fmt::format(
        "histogram: lowest_discernible_value {} with {} significant digits exceeds 64-bit indexing",
        lowest_discernible_value, significant_digits));
  }
  sub_bucket_count_ = int64_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = (sub_bucket_count_ - 1) << unit_magnitude_;

  // Count the doublings needed until the first untrackable value exceeds the highest trackable one.
  int64_t smallest_untrackable_value = sub_bucket_count_ << unit_magnitude_;
  bucket_count_ = 1;
  while (smallest_untrackable_value <= highest_trackable_value) {
    if (smallest_untrackable_value > std::numeric_limits<int64_t>::max() / 2) {
      ++bucket_count_;  // This last bucket reaches INT64_MAX.
      break;
    }
    smallest_untrackable_value <<= 1;
    ++bucket_count_;
  }
  counts_.assign(static_cast<size_t>(bucket_count_ + 1) * static_cast<size_t>(sub_bucket_half_count_), 0);
}

Histogram Histogram::ForLatencyNs() { return Histogram(1, int64_t{3'600'000'000'000}, 3); }

int Histogram::BucketIndexOf(int64_t value) const noexcept {
  // The position of the highest set bit decides the power-of-two bucket; OR-ing in the mask makes every
  // value smaller than a full first bucket land in bucket 0.
  const int pow2_ceiling = static_cast<int>(std::bit_width(static_cast<uint64_t>(value | sub_bucket_mask_)));
  return pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
}

size_t Histogram::IndexOf(int64_t value) const noexcept {
  const int bucket_index = BucketIndexOf(value);
  const int64_t sub_bucket_index = value >> (bucket_index + unit_magnitude_);
  // Buckets after the first store only their upper half, hence the offset by half a bucket.
  const int64_t bucket_base_index =
      static_cast<int64_t>(bucket_index + 1) << sub_bucket_half_count_magnitude_;
  return static_cast<size_t>(bucket_base_index + (sub_bucket_index - sub_bucket_half_count_));
}

int64_t Histogram::ValueAtIndex(size_t index) const noexcept {
  int bucket_index = static_cast<int>(static_cast<int64_t>(index) >> sub_bucket_half_count_magnitude_) - 1;
  int64_t sub_bucket_index =
      (static_cast<int64_t>(index) & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket_index < 0) {  // The lower half of bucket 0.
    sub_bucket_index -= sub_bucket_half_count_;
    bucket_index = 0;
  }
  return sub_bucket_index << (bucket_index + unit_magnitude_);
}

int64_t Histogram::LowestEquivalentValue(int64_t value) const noexcept {
  value = std::max<int64_t>(value, 0);
  const int shift = BucketIndexOf(value) + unit_magnitude_;
  return (value >> shift) << shift;
}

int64_t Histogram::HighestEquivalentValue(int64_t value) const noexcept {
  value = std::max<int64_t>(value, 0);
  const int shift = BucketIndexOf(value) + unit_magnitude_;
  // lowest + (width - 1) cannot overflow: it is the last value of a range that holds `value`.
  return ((value >> shift) << shift) + ((int64_t{1} << shift) - 1);
}

int64_t Histogram::MedianEquivalentValue(int64_t value) const noexcept {
  const int shift = BucketIndexOf(value) + unit_magnitude_;
  return ((value >> shift) << shift) + ((int64_t{1} << shift) >> 1);
}

bool Histogram::ValuesAreEquivalent(int64_t a, int64_t b) const noexcept {
  return LowestEquivalentValue(a) == LowestEquivalentValue(b);
}

void Histogram::Record(int64_t value) noexcept { RecordN(value, 1); }

void Histogram::RecordN(int64_t value, int64_t count) noexcept {
  if (count <= 0) return;
  if (value < 0) value = 0;
  if (value > highest_trackable_value_) {
    value = highest_trackable_value_;
    overflow_count_ += count;
  }
  counts_[IndexOf(value)] += count;
  total_count_ += count;
  min_value_ = std::min(min_value_, value);
  max_value_ = std::max(max_value_, value);
}

void Histogram::RecordCorrected(int64_t value, int64_t expected_interval) noexcept {
  if (value < 0) value = 0;
  Record(value);
  if (expected_interval <= 0 || value <= expected_interval) return;

  // HdrHistogram records value - k * interval for k = 1, 2, ... while it is >= interval, one at a time.
  // Those are `missing` values forming an arithmetic sequence from `next` (in [interval, 2 * interval))
  // up to value - interval; we add them bucket by bucket instead, so the cost is bounded by the number
  // of buckets rather than by value / interval.
  int64_t missing = value / expected_interval - 1;
  int64_t next = value - missing * expected_interval;
  while (missing > 0) {
    if (next > highest_trackable_value_) {  // All the rest overflow into the top bucket.
      RecordN(next, missing);
      return;
    }
    const int64_t bucket_end = std::min(HighestEquivalentValue(next), highest_trackable_value_);
    const int64_t in_bucket = std::min((bucket_end - next) / expected_interval + 1, missing);
    RecordN(next, in_bucket);
    missing -= in_bucket;
    next += in_bucket * expected_interval;  // <= value, so no overflow.
  }
}

void Histogram::Merge(const Histogram& other) {
  if (lowest_discernible_value_ != other.lowest_discernible_value_ ||
      highest_trackable_value_ != other.highest_trackable_value_ ||
      significant_digits_ != other.significant_digits_) {
    throw std::invalid_argument(fmt::format(
        "histogram: cannot merge a ({}, {}, {}) histogram into a ({}, {}, {}) one",
        other.lowest_discernible_value_, other.highest_trackable_value_, other.significant_digits_,
        lowest_discernible_value_, highest_trackable_value_, significant_digits_));
  }
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  overflow_count_ += other.overflow_count_;
  min_value_ = std::min(min_value_, other.min_value_);
  max_value_ = std::max(max_value_, other.max_value_);
}

void Histogram::Reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  overflow_count_ = 0;
  min_value_ = INT64_MAX;
  max_value_ = 0;
}

int64_t Histogram::Min() const noexcept { return total_count_ == 0 ? 0 : min_value_; }

int64_t Histogram::Max() const noexcept { return total_count_ == 0 ? 0 : max_value_; }

double Histogram::Mean() const noexcept {
  if (total_count_ == 0) return 0;
  double sum = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    sum += static_cast<double>(counts_[i]) * static_cast<double>(MedianEquivalentValue(ValueAtIndex(i)));
  }
  return sum / static_cast<double>(total_count_);
}

double Histogram::StdDev() const noexcept {
  if (total_count_ == 0) return 0;
  const double mean = Mean();
  double sum_of_squares = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const double deviation = static_cast<double>(MedianEquivalentValue(ValueAtIndex(i))) - mean;
    sum_of_squares += static_cast<double>(counts_[i]) * deviation * deviation;
  }
  return std::sqrt(sum_of_squares / static_cast<double>(total_count_));
}

int64_t Histogram::ValueAtPercentile(double percentile) const noexcept {
  if (total_count_ == 0) return 0;
  if (std::isnan(percentile) || percentile <= 0) return Min();
  if (percentile >= 100) return Max();

  // percentile / 100 * count is often meant to be an integer (99.9% of 10^6) but lands a few ulps above
  // it in binary; taking a few ulps off keeps ceil() from skipping to the next value, which is what
  // HdrHistogram's nextAfter() adjustment is for.
  double fractional_rank = percentile / 100.0 * static_cast<double>(total_count_);
  fractional_rank -= fractional_rank * 4 * std::numeric_limits<double>::epsilon();
  const int64_t rank = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(fractional_rank)), 1, total_count_);

  int64_t cumulative = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i];
    if (cumulative >= rank) return std::min(HighestEquivalentValue(ValueAtIndex(i)), max_value_);
  }
  return max_value_;  // Unreachable: the counts add up to total_count_.
}

std::vector<std::pair<int64_t, int64_t>> Histogram::Buckets() const {
  std::vector<std::pair<int64_t, int64_t>> buckets;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] != 0) buckets.emplace_back(HighestEquivalentValue(ValueAtIndex(i)), counts_[i]);
  }
  return buckets;
}

Histogram Histogram::FromBuckets(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                                 int significant_digits,
                                 const std::vector<std::pair<int64_t, int64_t>>& buckets) {
  Histogram histogram(lowest_discernible_value, highest_trackable_value, significant_digits);
  for (const auto& [value, count] : buckets) {
    if (value < 0 || count < 0) {
      throw std::invalid_argument(
          fmt::format("histogram: bucket ({}, {}) has a negative value or count", value, count));
    }
    // The top bucket's highest equivalent value may lie beyond highest_trackable_value, so place counts by
    // index rather than through RecordN(), which would clamp them and count them as overflow.
    const size_t index = histogram.IndexOf(value);
    if (index >= histogram.counts_.size()) {
      throw std::invalid_argument(fmt::format("histogram: bucket value {} is beyond the range ending at {}",
                                              value, highest_trackable_value));
    }
    if (count == 0) continue;
    histogram.counts_[index] += count;
    histogram.total_count_ += count;
    histogram.min_value_ = std::min(histogram.min_value_, histogram.LowestEquivalentValue(value));
    histogram.max_value_ = std::max(
        histogram.max_value_, std::min(histogram.HighestEquivalentValue(value), highest_trackable_value));
  }
  return histogram;
}

void Histogram::WritePercentileText(std::ostream& out, int ticks_per_half_distance,
                                    double value_unit_scale) const {
  if (ticks_per_half_distance < 1) {
    throw std::invalid_argument(
        fmt::format("histogram: ticks_per_half_distance must be >= 1, got {}", ticks_per_half_distance));
  }
  if (!(value_unit_scale > 0) || !std::isfinite(value_unit_scale)) {
    throw std::invalid_argument(fmt::format(
        "histogram: value_unit_scale must be a positive finite number, got {}", value_unit_scale));
  }
  const int digits = significant_digits_;
  std::string text = fmt::format("{:>12} {:>14} {:>10} {:>14}\n\n", "Value", "Percentile", "TotalCount",
                                 "1/(1-Percentile)");

  if (total_count_ > 0) {
    // Walk the non-empty buckets in order. A row is written each time the cumulative percentile reaches
    // the next reporting level; the Percentile column shows that level (as HdrHistogram does), so one
    // wide bucket can produce several rows. Levels get denser towards the tail: each halving of the
    // remaining distance to 100% gets ticks_per_half_distance rows.
    double level = 0;  // in percent
    int64_t cumulative = 0;
    int64_t value = 0;
    bool levels_exhausted = false;
    for (size_t i = 0; i < counts_.size() && cumulative < total_count_ && !levels_exhausted; ++i) {
      if (counts_[i] == 0) continue;
      cumulative += counts_[i];
      value = std::min(HighestEquivalentValue(ValueAtIndex(i)), max_value_);
      while (100.0 * static_cast<double>(cumulative) / static_cast<double>(total_count_) >= level) {
        const double fraction = level / 100.0;
        text += fmt::format("{:12.{}f} {:2.12f} {:10d} {:14.2f}\n",
                            static_cast<double>(value) / value_unit_scale, digits, fraction, cumulative,
                            1.0 / (1.0 - fraction));
        if (cumulative == total_count_) break;  // The 100% row below closes the table.
        const double halvings = std::floor(std::log2(100.0 / (100.0 - level)));
        const double next_level =
            level + 100.0 / (ticks_per_half_distance * std::ldexp(1.0, static_cast<int>(halvings) + 1));
        // With more than ~10^14 counts the step drops below one ulp; stop rather than loop forever.
        if (!(next_level > level) || next_level >= 100.0) {
          levels_exhausted = true;
          break;
        }
        level = next_level;
      }
    }
    text += fmt::format("{:12.{}f} {:2.12f} {:10d}\n", static_cast<double>(Max()) / value_unit_scale, digits,
                        1.0, total_count_);
  }

  text += fmt::format("#[Mean    = {:12.{}f}, StdDeviation   = {:12.{}f}]\n", Mean() / value_unit_scale,
                      digits, StdDev() / value_unit_scale, digits);
  text += fmt::format("#[Max     = {:12.{}f}, Total count    = {:12d}]\n",
                      static_cast<double>(Max()) / value_unit_scale, digits, total_count_);
  text += fmt::format("#[Buckets = {:12d}, SubBuckets     = {:12d}]\n", bucket_count_, sub_bucket_count_);
  out << text;
}

}  // namespace claimbench
