// The suite runner with fake workloads and shell one-liners as implementations: what it records when a
// workload's own code throws, when a build fails, when one implementation is much slower than the
// others, and what its comparisons say with too few pairs.
#include "claimbench/suite_runner.h"

#include <cmath>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "claimbench/result_json.h"
#include "claimbench/statistics.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A batch workload whose implementations need no arguments and whose answers are always right, with a
// fault to inject: Prepare throws for one case, or Arguments throws for one implementation mid-run.
class FakeCase final : public PreparedCase {
 public:
  explicit FakeCase(std::string arguments_throw_for_impl) : arguments_throw_for_impl_(std::move(arguments_throw_for_impl)) {}
  std::vector<std::string> Arguments(const CaseSpec&, const RunContext& context) override {
    if (context.implementation->name == arguments_throw_for_impl_ && context.repetition >= 2) {
      throw std::logic_error("driver bug at repetition 2");
    }
    return {};
  }
  Verdict Verify(const CaseSpec&, const RunContext&, std::map<std::string, double>&) override { return Verdict::Ok(); }

 private:
  std::string arguments_throw_for_impl_;
};

class FakeWorkload final : public Workload {
 public:
  struct Options {
    std::string name = "fake";
    std::vector<std::string> cases = {"only"};
    std::string prepare_throws_for_case;
    std::string arguments_throw_for_impl;
    stats::StoppingRule stopping;
  };
  explicit FakeWorkload(Options options) : options_(std::move(options)) {}

  std::string Name() const override { return options_.name; }
  std::string Description() const override { return "a fake workload for the runner's tests"; }
  std::vector<CaseSpec> Cases(std::string_view) const override {
    std::vector<CaseSpec> cases;
    for (const std::string& name : options_.cases) {
      CaseSpec spec;
      spec.name = name;
      spec.warmup_repetitions = 1;
      spec.stopping = options_.stopping;
      spec.timeout = std::chrono::seconds(20);
      cases.push_back(spec);
    }
    return cases;
  }
  void Validate(const CaseSpec&) const override {}
  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext&, const CaseDirs&) const override {
    if (spec.name == options_.prepare_throws_for_case) throw std::runtime_error("disk on fire");
    return std::make_unique<FakeCase>(options_.arguments_throw_for_impl);
  }

 private:
  Options options_;
};

// A batch implementation: `work` runs between the ready and done marks.
std::string Implementation(const std::string& role, const std::string& work = "true",
                           const std::string& extra = "") {
  return "language = \"sh\"\nrole = \"" + role + "\"\nlabel = \"idiomatic\"\ncommand = [\"sh\", \"-c\", \"echo ready >&3; " + work +
         "; echo done >&3\"]\n" + extra;
}

class SuiteRunnerTest : public ::testing::Test {
 protected:
  void AddImplementation(const std::string& workload, const std::string& name, const std::string& manifest) {
    const fs::path dir = dir_.path() / "root" / "workloads" / workload / "impls" / name;
    fs::create_directories(dir);
    std::ofstream(dir / "impl.toml") << manifest;
  }

  RunResult Run(std::vector<FakeWorkload::Options> workloads, std::vector<std::string> implementations = {}) {
    std::vector<std::unique_ptr<Workload>> made;
    for (FakeWorkload::Options& options : workloads) made.push_back(std::make_unique<FakeWorkload>(options));
    ProjectPaths paths{dir_.path() / "root", dir_.path() / "build", "/usr/bin/python3"};
    RunOptions options;
    options.memory_limit_bytes = memory_limit_bytes_;
    options.result_path = dir_.path() / "results" / "run-test.json";
    options.cache_dir = dir_.path() / "cache";
    options.scratch_dir = dir_.path() / "scratch";
    options.context = nlohmann::json::object();
    options.implementations = std::move(implementations);
    return RunSuite(made, paths, options);
  }

  static const ImplementationResult& Find(const RunResult& run, const std::string& name) {
    for (const ImplementationResult& r : run.benchmarks) {
      if (r.name == name) return r;
    }
    throw std::runtime_error(name + " is not in the result");
  }

  static size_t Counted(const ImplementationResult& r) {
    size_t n = 0;
    for (const Sample& s : r.samples) n += CountsInStatistics(s) ? 1 : 0;
    return n;
  }

  static stats::StoppingRule Quick(int max_repetitions = 6) {
    stats::StoppingRule rule;
    rule.min_repetitions = 1;
    rule.max_repetitions = max_repetitions;
    rule.target_relative_ci = 0;  // never tight: only the budget, the maximum and the minimum decide
    rule.time_budget_s = 60;
    return rule;
  }

  testing::TempDir dir_;
  int64_t memory_limit_bytes_ = 0;  // --memory-limit-mib for Run
};

TEST_F(SuiteRunnerTest, AnExceptionInOneWorkloadFailsItsCaseAndTheOthersStillRun) {
  AddImplementation("boom", "sh", Implementation("reference"));
  AddImplementation("fine", "sh", Implementation("reference"));
  FakeWorkload::Options boom;
  boom.name = "boom";
  boom.cases = {"first", "second"};
  boom.prepare_throws_for_case = "first";
  boom.stopping = Quick();
  FakeWorkload::Options fine;
  fine.name = "fine";
  fine.stopping = Quick();

  const RunResult run = Run({boom, fine});
  const ImplementationResult& failed = Find(run, "boom/first/sh");
  EXPECT_EQ(failed.status, RunStatus::kFailed);
  EXPECT_THAT(failed.error, HasSubstr("disk on fire"));
  EXPECT_EQ(Find(run, "boom/second/sh").status, RunStatus::kOk) << "the workload's next case still runs";
  EXPECT_EQ(Find(run, "fine/only/sh").status, RunStatus::kOk) << "and so does the next workload";
  // The file on disk holds all of it.
  const RunResult written = ReadResultFile(dir_.path() / "results" / "run-test.json");
  EXPECT_EQ(written.benchmarks.size(), 3u);
}

TEST_F(SuiteRunnerTest, AnExceptionInOneRepetitionFailsThatImplementationOnly) {
  AddImplementation("fake", "a", Implementation("reference"));
  AddImplementation("fake", "b", Implementation("peer"));
  FakeWorkload::Options options;
  options.arguments_throw_for_impl = "a";
  options.stopping = Quick();
  const RunResult run = Run({options});
  const ImplementationResult& a = Find(run, "fake/only/a");
  EXPECT_EQ(a.status, RunStatus::kFailed);
  EXPECT_THAT(a.error, HasSubstr("driver bug at repetition 2"));
  EXPECT_EQ(Find(run, "fake/only/b").status, RunStatus::kOk);
  EXPECT_EQ(Counted(Find(run, "fake/only/b")), stats::kMinPairs);
}

TEST_F(SuiteRunnerTest, APortThatFailsToBuildIsFailedWithItsBuildLog) {
  AddImplementation("fake", "cpp", Implementation("reference"));
  AddImplementation("fake", "rust", Implementation("port", "true", R"([build]
command = ["sh", "-c", "echo Compiling null v0.1.0; echo 'error[E0425]: cannot find value x in this scope' >&2; exit 101"]
)"));
  AddImplementation("fake", "go", Implementation("port", "true", R"([availability]
programs = ["no-such-go-toolchain"]
hint = "install Go"
)"));
  FakeWorkload::Options options;
  options.stopping = Quick();
  const RunResult run = Run({options});
  const ImplementationResult& rust = Find(run, "fake/only/rust");
  EXPECT_EQ(rust.status, RunStatus::kFailed);
  EXPECT_THAT(rust.error, HasSubstr("build failed: exited with status 101"));
  EXPECT_THAT(rust.error, HasSubstr("error[E0425]: cannot find value x in this scope"));
  const ImplementationResult& go = Find(run, "fake/only/go");
  EXPECT_EQ(go.status, RunStatus::kUnavailable) << "cannot run here: not a failure";
  EXPECT_THAT(go.error, HasSubstr("install Go"));
  EXPECT_EQ(Find(run, "fake/only/cpp").status, RunStatus::kOk);
}

TEST_F(SuiteRunnerTest, AnImplementationLeftOutOfTheProfileIsNotBuiltUnlessNamed) {
  const fs::path built = dir_.path() / "built";
  AddImplementation("fake", "cpp", Implementation("reference"));
  const std::string manifest = "profiles = [\"standard\", \"full\"]\n[build]\ncommand = [\"touch\", \"" +
                               built.string() + "\"]\n";
  AddImplementation("fake", "pingora", Implementation("peer", "true", manifest));
  FakeWorkload::Options options;
  options.stopping = Quick(2);
  const RunResult quick = Run({options});
  const ImplementationResult& left_out = Find(quick, "fake/only/pingora");
  EXPECT_EQ(left_out.status, RunStatus::kUnavailable);
  EXPECT_THAT(left_out.error, HasSubstr("takes part only in the standard and full profile runs"));
  EXPECT_FALSE(fs::exists(built)) << "built although no case of this run takes it";
  EXPECT_EQ(Find(quick, "fake/only/cpp").status, RunStatus::kOk);

  const RunResult named = Run({options}, {"cpp", "pingora"});
  EXPECT_EQ(Find(named, "fake/only/pingora").status, RunStatus::kOk);
  EXPECT_TRUE(fs::exists(built));
}

TEST_F(SuiteRunnerTest, ASlowImplementationDoesNotStarveTheOthers) {
  // A 0.3 s peer beside a near-instant reference, 0.5 s of budget for the case: one shared budget would
  // have ended the case after two rounds with two pairs.
  AddImplementation("fake", "fast", Implementation("reference", "sleep 0.01"));
  AddImplementation("fake", "slow", Implementation("peer", "sleep 0.3"));
  FakeWorkload::Options options;
  options.stopping = Quick(12);
  options.stopping.time_budget_s = 0.5;
  const RunResult run = Run({options});
  const ImplementationResult& slow = Find(run, "fake/only/slow");
  const ImplementationResult& fast = Find(run, "fake/only/fast");
  ASSERT_EQ(slow.status, RunStatus::kOk) << slow.error;
  EXPECT_EQ(Counted(slow), stats::kMinPairs) << slow.stop_reason;
  EXPECT_GT(Counted(fast), Counted(slow)) << fast.stop_reason;
  for (const Comparison& c : run.comparisons) {
    if (c.metric != "timed_ns") continue;
    EXPECT_EQ(c.pairs, static_cast<int64_t>(stats::kMinPairs));
    EXPECT_FALSE(std::isnan(c.ci95_low)) << c.contender << " vs " << c.baseline;
    EXPECT_EQ(c.higher_is_better, false);
    EXPECT_EQ(c.min_pairs, static_cast<int64_t>(stats::kMinPairs));
  }
}

TEST_F(SuiteRunnerTest, MemoryLimitFalseRunsAnImplementationWithoutTheDataLimit) {
  // ASan reserves terabytes of shadow memory, which RLIMIT_DATA counts: cpp_asan says memory_limit = false.
  AddImplementation("fake", "cpp", Implementation("reference", "test $(ulimit -d) != unlimited || exit 3"));
  AddImplementation("fake", "cpp_asan",
                    Implementation("port", "test $(ulimit -d) = unlimited || exit 3", "memory_limit = false\n"));
  memory_limit_bytes_ = int64_t{1} << 32;
  FakeWorkload::Options options;
  options.stopping = Quick();
  const RunResult run = Run({options});
  EXPECT_EQ(Find(run, "fake/only/cpp").status, RunStatus::kOk) << Find(run, "fake/only/cpp").error;
  EXPECT_EQ(Find(run, "fake/only/cpp_asan").status, RunStatus::kOk) << Find(run, "fake/only/cpp_asan").error;
}

// ---------------------------------------------------------------------------------------------------------
// CompareAllPairs

ImplementationResult WithTimes(const std::string& name, const std::string& role, const std::vector<double>& times) {
  ImplementationResult r;
  r.workload = "w";
  r.case_name = "c";
  r.implementation = name;
  r.role = role;
  r.metrics = {{"timed_ns", "ns", false}, {"items_per_s", "items_per_s", true}};
  for (size_t i = 0; i < times.size(); ++i) {
    Sample s;
    s.repetition = static_cast<int>(i);
    s.metrics = {{"timed_ns", times[i]}, {"items_per_s", 1e9 / times[i]}};
    r.samples.push_back(s);
  }
  return r;
}

const Comparison& Find(const std::vector<Comparison>& comparisons, const std::string& contender,
                       const std::string& metric) {
  for (const Comparison& c : comparisons) {
    if (c.contender == contender && c.metric == metric) return c;
  }
  throw std::runtime_error("no comparison of " + contender + " on " + metric);
}

TEST(CompareAllPairsTest, AConformanceCaseGetsNoRatios) {
  ImplementationResult cpp = WithTimes("cpp", "reference", {100});
  ImplementationResult nginx = WithTimes("nginx", "peer", {300});
  cpp.conformance = {{"obs-fold", "400", false, "400", false, true}};
  nginx.conformance = {{"obs-fold", "400", false, "200", true, false}};
  EXPECT_TRUE(CompareAllPairs({cpp, nginx}).empty());
}

TEST(CompareAllPairsTest, OnePairGivesARatioWithoutAnInterval) {
  const std::vector<Comparison> out =
      CompareAllPairs({WithTimes("cpp", "reference", {100}), WithTimes("python", "port", {300})});
  const Comparison& c = Find(out, "python", "timed_ns");
  EXPECT_EQ(c.pairs, 1);
  EXPECT_EQ(c.ratio, 3);
  EXPECT_TRUE(std::isnan(c.ci95_low)) << "was a zero-width '95%' interval [3, 3]";
  EXPECT_TRUE(std::isnan(c.ci95_high));
  EXPECT_TRUE(std::isnan(c.wilcoxon_p));
  EXPECT_EQ(c.min_pairs, static_cast<int64_t>(stats::kMinPairs));
}

TEST(CompareAllPairsTest, BelowTheMinimumThereIsNoIntervalAndAtItThereIs) {
  std::vector<double> base(stats::kMinPairs - 1, 100.0), slow;
  for (size_t i = 0; i < base.size(); ++i) slow.push_back(200 + static_cast<double>(i));
  const Comparison below = Find(
      CompareAllPairs({WithTimes("cpp", "reference", base), WithTimes("rust", "port", slow)}), "rust", "timed_ns");
  EXPECT_EQ(below.pairs, static_cast<int64_t>(stats::kMinPairs - 1));
  EXPECT_GT(below.ratio, 2);
  EXPECT_TRUE(std::isnan(below.ci95_low));

  base.push_back(100);
  slow.push_back(210);
  const std::vector<Comparison> at =
      CompareAllPairs({WithTimes("cpp", "reference", base), WithTimes("rust", "port", slow)});
  const Comparison& time = Find(at, "rust", "timed_ns");
  EXPECT_DOUBLE_EQ(time.ci95_low, 2.0);
  EXPECT_DOUBLE_EQ(time.ci95_high, 2.1);
  EXPECT_DOUBLE_EQ(time.wilcoxon_p, 2.0 / 64);
  EXPECT_FALSE(time.higher_is_better);
  const Comparison& rate = Find(at, "rust", "items_per_s");
  EXPECT_TRUE(rate.higher_is_better) << "the direction travels with the ratio";
  EXPECT_LT(rate.ratio, 0.5);
}

}  // namespace
}  // namespace claimbench
