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

TEST(CompareTest, ZeroBaselineMedianHasNoRatioButDoesNotCrash) {
  ImplementationResult zero = Bench("a", 0, 0, 5, 1);
  EXPECT_EQ(Primary(CompareRuns(MakeRun({zero}), MakeRun({zero}), {})).verdict, "within noise");
  EXPECT_EQ(Primary(CompareRuns(MakeRun({zero}), MakeRun({Bench("a", 5, 0, 5, 1)}), {})).verdict, "inconclusive");
}

}  // namespace
}  // namespace claimbench
