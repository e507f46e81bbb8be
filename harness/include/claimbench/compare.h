// `claimbench compare BASE NEW`: did anything get faster or slower between two runs, beyond noise?
//
// Design: the two runs come from different sessions, so their repetitions cannot be paired; each metric's
// change is the ratio of medians NEW/BASE with a bootstrap 95% interval (both sides resampled
// independently) and a two-sided Mann-Whitney U test. A change is significant only when p < alpha and the
// interval excludes 1; it is a regression (exit status 1) only when it is significant, in the bad
// direction, larger than the threshold, and on a benchmark's primary metric (or any metric with
// --all-metrics). Everything else is "within noise" (interval inside ±threshold) or "inconclusive".
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "claimbench/result.h"

namespace claimbench {

struct CompareOptions {
  double threshold = 0.05;   // relative change that counts as a regression (0.05 = 5%)
  double alpha = 0.05;       // significance level of the Mann-Whitney test
  bool all_metrics = false;  // gate on every metric, not only each benchmark's primary one
};

struct MetricChange {
  std::string benchmark;  // "<workload>/<case>/<implementation>"
  std::string metric;
  std::string unit;
  bool higher_is_better = false;
  bool primary = false;
  int64_t base_n = 0, new_n = 0;
  double base_median = 0, new_median = 0;
  double ratio = 0, ci95_low = 0, ci95_high = 0;  // NEW / BASE
  double p_value = 1;
  std::string verdict;     // "faster", "slower", "better", "worse", "within noise", "inconclusive"
  bool regression = false;
};

struct CompareReport {
  std::vector<MetricChange> changes;
  std::vector<std::string> notes;  // benchmarks only on one side, status changes (ok -> failed is a regression)
  bool regression = false;
};

CompareReport CompareRuns(const RunResult& base, const RunResult& next, const CompareOptions& options);

// Reads a result file, or every run-*.json in a directory merged in name order (later runs override
// earlier ones for the same benchmark). Throws SetupError when nothing readable is found.
RunResult LoadRunOrDirectory(const std::filesystem::path& path);

void WriteCompareText(std::ostream& out, const CompareReport& report, const CompareOptions& options);
void WriteCompareMarkdown(std::ostream& out, const CompareReport& report, const CompareOptions& options);

}  // namespace claimbench
