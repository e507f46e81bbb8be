// TEMPORARY HISTOGRAM STUB FOR THE LOAD GENERATOR BRANCH. DROP THIS FILE (AND ITS CMake LINE) ON MERGE.
//
// The real claimbench::Histogram (histogram.h) is being written on another branch. This stub only lets the
// `loadgen` branch build and test against that header: it keeps every recorded value (in counts_, which
// here holds raw values, not bucket counts) and answers percentiles exactly. It is neither O(1) nor
// allocation-free and must never ship.
#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "claimbench/histogram.h"

namespace claimbench {

Histogram::Histogram(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                     int significant_digits)
    : lowest_discernible_value_(lowest_discernible_value),
      highest_trackable_value_(highest_trackable_value),
      significant_digits_(significant_digits) {
  if (lowest_discernible_value < 1 || highest_trackable_value < 2 * lowest_discernible_value ||
      significant_digits < 1 || significant_digits > 5) {
    throw std::invalid_argument("histogram stub: bad configuration");
  }
}

Histogram Histogram::ForLatencyNs() { return Histogram(1, 3'600'000'000'000, 3); }

void Histogram::Record(int64_t value) noexcept { RecordN(value, 1); }

void Histogram::RecordN(int64_t value, int64_t count) noexcept {
  if (count <= 0) return;
  value = std::max<int64_t>(value, 0);
  if (value > highest_trackable_value_) {
    value = highest_trackable_value_;
    overflow_count_ += count;
  }
  counts_.insert(counts_.end(), static_cast<size_t>(count), value);
  total_count_ += count;
  min_value_ = std::min(min_value_, value);
  max_value_ = std::max(max_value_, value);
}

void Histogram::RecordCorrected(int64_t value, int64_t expected_interval) noexcept {
  Record(value);
  if (expected_interval <= 0) return;
  for (int64_t v = value - expected_interval; v >= expected_interval; v -= expected_interval) Record(v);
}

void Histogram::Merge(const Histogram& other) {
  if (other.lowest_discernible_value_ != lowest_discernible_value_ ||
      other.highest_trackable_value_ != highest_trackable_value_ ||
      other.significant_digits_ != significant_digits_) {
    throw std::invalid_argument("histogram stub: merging different configurations");
  }
  counts_.insert(counts_.end(), other.counts_.begin(), other.counts_.end());
  total_count_ += other.total_count_;
  overflow_count_ += other.overflow_count_;
  min_value_ = std::min(min_value_, other.min_value_);
  max_value_ = std::max(max_value_, other.max_value_);
}

void Histogram::Reset() noexcept {
  counts_.clear();
  total_count_ = 0;
  overflow_count_ = 0;
  min_value_ = INT64_MAX;
  max_value_ = 0;
}

int64_t Histogram::Min() const noexcept { return total_count_ == 0 ? 0 : min_value_; }
int64_t Histogram::Max() const noexcept { return max_value_; }

double Histogram::Mean() const noexcept {
  if (total_count_ == 0) return 0;
  double sum = 0;
  for (int64_t v : counts_) sum += static_cast<double>(v);
  return sum / static_cast<double>(total_count_);
}

double Histogram::StdDev() const noexcept {
  if (total_count_ == 0) return 0;
  const double mean = Mean();
  double sum = 0;
  for (int64_t v : counts_) sum += (static_cast<double>(v) - mean) * (static_cast<double>(v) - mean);
  return std::sqrt(sum / static_cast<double>(total_count_));
}

int64_t Histogram::ValueAtPercentile(double percentile) const noexcept {
  if (total_count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  if (percentile == 100.0) return Max();
  auto rank = static_cast<int64_t>(std::ceil(percentile / 100.0 * static_cast<double>(total_count_)));
  rank = std::clamp<int64_t>(rank, 1, total_count_);
  std::vector<int64_t> sorted = counts_;
  std::nth_element(sorted.begin(), sorted.begin() + (rank - 1), sorted.end());
  return sorted[static_cast<size_t>(rank - 1)];
}

bool Histogram::ValuesAreEquivalent(int64_t a, int64_t b) const noexcept { return a == b; }
int64_t Histogram::LowestEquivalentValue(int64_t value) const noexcept { return value; }
int64_t Histogram::HighestEquivalentValue(int64_t value) const noexcept { return value; }

std::vector<std::pair<int64_t, int64_t>> Histogram::Buckets() const {
  std::vector<int64_t> sorted = counts_;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::pair<int64_t, int64_t>> buckets;
  for (int64_t v : sorted) {
    if (!buckets.empty() && buckets.back().first == v) {
      ++buckets.back().second;
    } else {
      buckets.emplace_back(v, 1);
    }
  }
  return buckets;
}

Histogram Histogram::FromBuckets(int64_t lowest_discernible_value, int64_t highest_trackable_value,
                                 int significant_digits,
                                 const std::vector<std::pair<int64_t, int64_t>>& buckets) {
  Histogram h(lowest_discernible_value, highest_trackable_value, significant_digits);
  for (const auto& [value, count] : buckets) h.RecordN(value, count);
  return h;
}

void Histogram::WritePercentileText(std::ostream& out, int /*ticks_per_half_distance*/,
                                    double value_unit_scale) const {
  out << "# histogram stub: exact values, not the HdrHistogram format\n";
  for (double p : {50.0, 90.0, 99.0, 99.9, 100.0}) {
    out << static_cast<double>(ValueAtPercentile(p)) / value_unit_scale << ' ' << p / 100.0 << '\n';
  }
}

size_t Histogram::IndexOf(int64_t /*value*/) const noexcept { return 0; }
int64_t Histogram::ValueAtIndex(size_t /*index*/) const noexcept { return 0; }

}  // namespace claimbench
