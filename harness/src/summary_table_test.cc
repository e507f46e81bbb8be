#include "claimbench/summary_table.h"

#include <limits>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace claimbench {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

ImplementationResult Result(const std::string& implementation, const std::string& role, RunStatus status,
                            const std::string& error = "") {
  ImplementationResult r;
  r.workload = "sync_engine";
  r.case_name = "chunk";
  r.implementation = implementation;
  r.name = "sync_engine/chunk/" + implementation;
  r.role = role;
  r.status = status;
  r.error = error;
  r.primary_metric = "timed_ns";
  MetricStatistics s;
  s.metric = {"timed_ns", "ns", false};
  s.n = 3;
  s.median = s.ci95_low = s.ci95_high = 1e6;
  if (status == RunStatus::kOk) r.statistics = {s};
  return r;
}

Comparison Ratio(const std::string& contender, double low, double high, int64_t pairs) {
  Comparison c;
  c.workload = "sync_engine";
  c.case_name = "chunk";
  c.metric = "timed_ns";
  c.baseline = "cpp";
  c.contender = contender;
  c.ratio = 1.5;
  c.ci95_low = low;
  c.ci95_high = high;
  c.pairs = pairs;
  c.min_pairs = 6;
  return c;
}

std::string Table(const RunResult& run) {
  std::ostringstream out;
  WriteSummaryTable(out, run);
  return out.str();
}

TEST(SummaryTableTest, LeavesOutImplementationsWithoutAnEquivalentOfTheCase) {
  RunResult run;
  run.benchmarks = {Result("cpp", "reference", RunStatus::kOk),
                    Result("restic", "peer", RunStatus::kUnavailable,
                           "takes part only in initial_sync (impl.toml 'cases'): it has no equivalent of this case"),
                    Result("rust", "port", RunStatus::kUnavailable, "cargo is not installed (not on PATH)")};
  const std::string table = Table(run);
  EXPECT_THAT(table, Not(HasSubstr("restic")));
  EXPECT_THAT(table, HasSubstr("sync_engine/chunk/rust")) << "cannot run here: that is news";
  EXPECT_THAT(table, HasSubstr("cargo is not installed"));
}

TEST(SummaryTableTest, ARatioFromTooFewPairsHasNoInterval) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  RunResult run;
  run.benchmarks = {Result("cpp", "reference", RunStatus::kOk), Result("go", "port", RunStatus::kOk),
                    Result("rust", "port", RunStatus::kOk)};
  run.comparisons = {Ratio("go", kNaN, kNaN, 3), Ratio("rust", 1.4, 1.6, 6)};
  const std::string table = Table(run);
  EXPECT_THAT(table, HasSubstr("1.50x, too few pairs (3)"));
  EXPECT_THAT(table, HasSubstr("1.50x [1.40, 1.60]"));
  EXPECT_THAT(table, Not(HasSubstr("nan")));
}

}  // namespace
}  // namespace claimbench
