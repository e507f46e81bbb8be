// `claimbench compare BASE NEW`: did anything get faster or slower between two runs, beyond noise?
//
// Design: the two runs come from different sessions, so their repetitions cannot be paired; each metric's
// change is the ratio of medians NEW/BASE with a bootstrap 95% interval (both sides resampled
// independently) and a two-sided Mann-Whitney U test. A change is significant only when p < alpha and the
// interval excludes 1; it is a regression (exit status 1) only when it is significant, in the bad
// direction, larger than the threshold, and on a benchmark's primary metric (or any metric with
// --all-metrics). Everything else is "within noise" (interval inside ±threshold) or "inconclusive".
//
// Benchmarks are matched by name and identical parameters. A benchmark that was ok in BASE and is not ok
// in NEW (failed, invalid, unavailable, interrupted) or has no match in NEW is a regression too: a gate
// must not pass because the thing it guards stopped running. Runs of different profiles, variants,
// --param overrides or machines (CPU model, logical cores) measure different things: RunDifferences
// names what differs, and the CLI refuses them unless told --allow-different.
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
  bool allow_different = false;  // compare runs that RunDifferences says differ (printed prominently)
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
  std::vector<std::string> differences;  // RunDifferences(base, next), compared anyway (--allow-different)
  std::vector<MetricChange> changes;
  std::vector<std::string> notes;  // benchmarks only on one side, status changes (ok -> not ok is a regression)
  bool regression = false;
};

// What makes two runs measure different things, one phrase each ("profile: quick in BASE, standard in
// NEW"): profile, variant, --param overrides, CPU model, logical cores. Empty when they are comparable.
// A context without the CPU keys counts as different from one with them. Never throws.
std::vector<std::string> RunDifferences(const RunResult& base, const RunResult& next);

// Compares every benchmark of NEW with the BASE benchmark of the same name and parameters. Copies
// RunDifferences(base, next) into the report; whether to compare such runs at all is the caller's call
// (the CLI refuses without --allow-different). Never throws for any content ReadResultFile accepts.
CompareReport CompareRuns(const RunResult& base, const RunResult& next, const CompareOptions& options);

// Reads a result file (ReadResultFile), or every run-*.json in a directory merged in name order (later
// runs override earlier ones for the same benchmark and parameters). Throws SetupError naming the file
// when nothing readable is found, a file cannot be read or has a wrong field, a file lists one benchmark
// twice (same name and parameters), or, unless allow_different, a directory mixes runs that
// RunDifferences tells apart.
RunResult LoadRunOrDirectory(const std::filesystem::path& path, bool allow_different = false);

void WriteCompareText(std::ostream& out, const CompareReport& report, const CompareOptions& options);
void WriteCompareMarkdown(std::ostream& out, const CompareReport& report, const CompareOptions& options);

}  // namespace claimbench
