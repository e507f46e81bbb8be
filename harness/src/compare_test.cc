#include "claimbench/compare.h"

#include <gtest/gtest.h>

#include <random>

namespace claimbench {
namespace {

ImplementationResult Bench(const std::string& name, double center, double noise, int n, uint64_t seed) {
  ImplementationResult r;
  r.name = name;
  r.workload = "null";
  r.case_name = "c";
  r.implementation = "cpp";
  r.primary_metric = "timed_ns";
  r.metrics = {{"timed_ns", "ns", false}, {"peak_rss_bytes", "bytes", false}};
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> jitter(0, noise);
  for (int i = 0; i < n; ++i) {
    Sample s;
    s.repetition = i;
    s.metrics["timed_ns"] = center * (1 + jitter(rng));
    s.metrics["peak_rss_bytes"] = 1e6;
    r.samples.push_back(s);
  }
  return r;
}

RunResult MakeRun(std::vector<ImplementationResult> benches) {
  RunResult run;
  run.benchmarks = std::move(benches);
  return run;
}

const MetricChange& Primary(const CompareReport& report) {
  for (const MetricChange& c : report.changes) {
    if (c.primary) return c;
  }
  ADD_FAILURE() << "no primary metric change";
  return report.changes.front();
}

TEST(CompareTest, SameDistributionIsWithinNoise) {
  CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.005, 15, 1)}), MakeRun({Bench("a", 1e6, 0.005, 15, 2)}), {});
  EXPECT_EQ(Primary(report).verdict, "within noise");
  EXPECT_FALSE(report.regression);
}

TEST(CompareTest, TwiceAsSlowIsASlowerRegression) {
  CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.01, 10, 1)}), MakeRun({Bench("a", 2e6, 0.01, 10, 2)}), {});
  const MetricChange& c = Primary(report);
  EXPECT_EQ(c.verdict, "slower");
  EXPECT_TRUE(c.regression);
  EXPECT_NEAR(c.ratio, 2.0, 0.05);
  EXPECT_LT(c.ci95_low, c.ratio);
  EXPECT_GT(c.ci95_high, c.ratio);
  EXPECT_LT(c.p_value, 0.001);
  EXPECT_TRUE(report.regression);
}

TEST(CompareTest, FasterIsNotARegression) {
  CompareReport report = CompareRuns(MakeRun({Bench("a", 2e6, 0.01, 10, 1)}), MakeRun({Bench("a", 1e6, 0.01, 10, 2)}), {});
  EXPECT_EQ(Primary(report).verdict, "faster");
  EXPECT_FALSE(report.regression);
}

TEST(CompareTest, ChangeSmallerThanTheThresholdIsWithinNoiseUnlessTheThresholdIsLowered) {
  CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.001, 20, 1)}), MakeRun({Bench("a", 1.02e6, 0.001, 20, 2)}), {});
  EXPECT_EQ(Primary(report).verdict, "within noise");
  EXPECT_FALSE(report.regression);
  CompareOptions strict;
  strict.threshold = 0.01;
  CompareReport strict_report =
      CompareRuns(MakeRun({Bench("a", 1e6, 0.001, 20, 1)}), MakeRun({Bench("a", 1.02e6, 0.001, 20, 2)}), strict);
  EXPECT_EQ(Primary(strict_report).verdict, "slower");
  EXPECT_TRUE(strict_report.regression);
}

TEST(CompareTest, WideNoiseIsInconclusive) {
  CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.3, 5, 1)}), MakeRun({Bench("a", 1.3e6, 0.3, 5, 2)}), {});
  EXPECT_EQ(Primary(report).verdict, "inconclusive");
  EXPECT_FALSE(report.regression);
}

TEST(CompareTest, IdenticalNoisyDataIsWithinNoise) {
  ImplementationResult noisy = Bench("a", 1e6, 0.3, 6, 1);
  CompareReport report = CompareRuns(MakeRun({noisy}), MakeRun({noisy}), {});
  EXPECT_EQ(Primary(report).verdict, "within noise");
  EXPECT_DOUBLE_EQ(Primary(report).ratio, 1.0);
}

TEST(CompareTest, TooFewSamplesIsInconclusive) {
  CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.01, 2, 1)}), MakeRun({Bench("a", 3e6, 0.01, 2, 2)}), {});
  EXPECT_EQ(Primary(report).verdict, "inconclusive");
}

TEST(CompareTest, OkThatNowFailsIsARegressionAndMissingBenchmarksAreNoted) {
  ImplementationResult failed = Bench("a", 1e6, 0.01, 5, 2);
  failed.status = RunStatus::kInvalid;
  failed.error = "wrong answer";
  CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.01, 5, 1), Bench("gone", 1, 0, 5, 1)}),
                                     MakeRun({failed, Bench("new", 1, 0, 5, 1)}), {});
  EXPECT_TRUE(report.regression);
  ASSERT_EQ(report.notes.size(), 3u);
  EXPECT_NE(report.notes[0].find("was ok, now invalid"), std::string::npos);
}

TEST(CompareTest, WarmupAndInvalidSamplesAreIgnored) {
  ImplementationResult base = Bench("a", 1e6, 0.005, 10, 1);
  ImplementationResult next = Bench("a", 1e6, 0.005, 10, 2);
  Sample slow_warmup;
  slow_warmup.warmup = true;
  slow_warmup.metrics["timed_ns"] = 1e9;
  next.samples.insert(next.samples.begin(), slow_warmup);
  Sample invalid;
  invalid.status = RunStatus::kInvalid;
  invalid.metrics["timed_ns"] = 1e9;
  next.samples.push_back(invalid);
  EXPECT_EQ(Primary(CompareRuns(MakeRun({base}), MakeRun({next}), {})).new_n, 10);
}

}  // namespace
}  // namespace claimbench

namespace claimbench {
namespace {

TEST(CompareTest, OkThatIsNowUnavailableInterruptedOrMissingIsARegression) {
  for (RunStatus status : {RunStatus::kUnavailable, RunStatus::kInterrupted, RunStatus::kFailed}) {
    ImplementationResult gone = Bench("a", 1e6, 0.01, 5, 2);
    gone.status = status;
    CompareReport report = CompareRuns(MakeRun({Bench("a", 1e6, 0.01, 5, 1)}), MakeRun({gone}), {});
    EXPECT_TRUE(report.regression) << ToString(status);
  }
  CompareReport missing = CompareRuns(MakeRun({Bench("a", 1e6, 0.01, 5, 1)}), MakeRun({}), {});
  EXPECT_TRUE(missing.regression);
  ASSERT_EQ(missing.notes.size(), 1u);
  EXPECT_EQ(missing.notes[0], "a: was ok, missing in NEW");
  // Not ok in BASE either: nothing was lost.
  ImplementationResult unavailable = Bench("a", 1e6, 0.01, 5, 1);
  unavailable.status = RunStatus::kUnavailable;
  EXPECT_FALSE(CompareRuns(MakeRun({unavailable}), MakeRun({}), {}).regression);
}

TEST(CompareTest, BenchmarksMatchOnNameAndParameters) {
  ImplementationResult small = Bench("a", 1e6, 0.01, 5, 1);
  small.parameters = {{"work_units", "200000"}};
  ImplementationResult large = Bench("a", 1e7, 0.01, 5, 2);
  large.parameters = {{"work_units", "2000000"}};
  CompareReport report = CompareRuns(MakeRun({small}), MakeRun({large}), {});
  EXPECT_TRUE(report.changes.empty()) << "ten times the work is not ten times slower";
  EXPECT_TRUE(report.regression) << "the benchmark BASE measured is missing in NEW";
  ASSERT_EQ(report.notes.size(), 2u);
  EXPECT_EQ(report.notes[0], "a: only in NEW (ok) (with other parameters in BASE: work_units: 200000 in BASE, "
                             "2000000 in NEW)");
  EXPECT_EQ(report.notes[1], "a: was ok, missing in NEW (with other parameters in NEW: work_units: 200000 in BASE, "
                             "2000000 in NEW)");
  large.parameters = small.parameters;
  EXPECT_FALSE(CompareRuns(MakeRun({small}), MakeRun({large}), {}).changes.empty());
}

TEST(CompareTest, RunDifferencesNameProfileVariantOverridesAndMachine) {
  RunResult base = MakeRun({});
  base.profile = "quick";
  base.variant = "release";
  base.context = {{"cpu", {{"model", "AMD EPYC 7B13"}, {"logical_cores", 2}}}};
  EXPECT_TRUE(RunDifferences(base, base).empty());
  RunResult next = base;
  next.profile = "standard";
  next.variant = "asan";
  next.parameter_overrides = {{"work_units", "5"}};
  next.context["cpu"]["model"] = "Intel Xeon";
  next.context["cpu"]["logical_cores"] = 4;
  EXPECT_EQ(RunDifferences(base, next),
            (std::vector<std::string>{"profile: quick in BASE, standard in NEW", "variant: release in BASE, asan in NEW",
                                      "parameter overrides: none in BASE, work_units=5 in NEW",
                                      "CPU model: AMD EPYC 7B13 in BASE, Intel Xeon in NEW",
                                      "logical cores: 2 in BASE, 4 in NEW"}));
  next = base;
  next.context = nlohmann::json::object();
  EXPECT_EQ(RunDifferences(base, next).size(), 2u) << "an unknown machine is not the same machine";
  CompareReport report = CompareRuns(base, next, {});
  EXPECT_EQ(report.differences.size(), 2u) << "the report carries them for the warning";
}

TEST(CompareTest, ZeroBaselineMedianHasNoRatioButDoesNotCrash) {
  ImplementationResult zero = Bench("a", 0, 0, 5, 1);
  EXPECT_EQ(Primary(CompareRuns(MakeRun({zero}), MakeRun({zero}), {})).verdict, "within noise");
  EXPECT_EQ(Primary(CompareRuns(MakeRun({zero}), MakeRun({Bench("a", 5, 0, 5, 1)}), {})).verdict, "inconclusive");
}

}  // namespace
}  // namespace claimbench
