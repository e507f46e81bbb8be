// The suite runner: runs every selected implementation of every selected workload case the same way.
//
// Design: repetitions of the implementations of one case are interleaved in rotating order (A B, B A,
// A B, ...), so that a drift in the machine's speed affects all of them alike and ratios come from
// pairs measured moments apart. Every repetition is verified before its numbers count; a failed or
// invalid repetition is recorded and stops that implementation for the case (a wrong answer is not worth
// timing again). Every implementation takes part until it has the pairs a comparison needs
// (stats::kMinPairs), then within its own share of the case's time budget (repetition_rounds.h), so a
// slow peer never starves the others. Whatever the harness's own code throws stays in the workload it
// came from: the implementations it concerns are recorded as failed with the message, and the run goes
// on. The result file is rewritten atomically after every workload, so an interrupted run keeps what it
// finished.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "claimbench/implementation.h"
#include "claimbench/result.h"
#include "claimbench/workload.h"

namespace claimbench {

struct RunOptions {
  std::vector<std::string> implementations;   // empty: all of each workload
  std::vector<std::string> cases;             // empty: every case of the profile
  std::chrono::nanoseconds timeout{0};        // overrides every case's per-repetition timeout when > 0
  int64_t memory_limit_bytes = 0;             // per implementation process tree; 0 = none
  std::string profile = "quick";
  std::map<std::string, std::string> params;  // --param overrides, applied to every case that has the key
  std::filesystem::path result_path;          // where the result JSON is (re)written
  std::filesystem::path cache_dir;            // generated inputs, kept between runs
  std::filesystem::path scratch_dir;          // per-repetition outputs, removed at the end
  uint64_t seed = 20261121;
  std::vector<std::string> command_line;
  std::string variant;
  nlohmann::json context;                     // the machine's fingerprint (fingerprint.h)
  std::vector<std::string> warnings;          // its warnings
  bool interactive_progress = false;          // rewrite one progress line on a terminal
};

// Runs `workloads` (already constructed) and returns the result, which has also been written to
// options.result_path. Throws SetupError for set-up problems found before anything was measured
// (unknown implementation names, parameters no case takes, malformed manifests), and when the result file
// cannot be written. Any exception after that (a case's inputs that cannot be made, a driver bug) fails the
// implementations of the repetition, case or workload it came from, with its message, and the run goes on.
// A build that fails makes its implementation failed (with the build log's last lines); one that cannot
// run here is unavailable.
RunResult RunSuite(const std::vector<std::unique_ptr<Workload>>& workloads, const ProjectPaths& paths,
                   const RunOptions& options);

// Ratios contender/baseline of every shared metric for every ordered pair of ok implementations of one
// case, from paired repetitions (same round), by stats::ComparePairs: below stats::kMinPairs pairs the
// ratio has no interval and no p-value (NaN). Pairs with the reference as baseline come first. Claims
// such as "Rust is 10x faster than Python" need pairs that do not involve the reference. A conformance case's
// results (non-empty `conformance`) get none: their answers are compared row by row, not as ratios.
std::vector<Comparison> CompareAllPairs(const std::vector<ImplementationResult>& case_results);

// Statistics of every metric over the ok, non-warm-up samples.
std::vector<MetricStatistics> ComputeStatistics(const std::vector<MetricDescriptor>& metrics,
                                                const std::vector<Sample>& samples, uint64_t seed);

// The standard metrics the runner records for every batch repetition, then every service repetition.
std::vector<MetricDescriptor> BatchMetricDescriptors();
std::vector<MetricDescriptor> ServiceProcessMetricDescriptors();

}  // namespace claimbench
