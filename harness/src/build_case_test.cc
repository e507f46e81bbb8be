// The build case through the suite runner, with fake implementations whose builds are small shell scripts:
// clean and incremental builds timed in interleaved rounds, artifacts verified, sources given back.
#include "build_case.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/result_json.h"
#include "claimbench/suite_runner.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

// A workload with no cases of its own: the runner adds the build case.
class FakeWorkload : public Workload {
 public:
  std::string Name() const override { return "fake"; }
  std::string Description() const override { return "fake"; }
  std::vector<CaseSpec> Cases(std::string_view) const override { return {}; }
  void Validate(const CaseSpec&) const override {}
  std::unique_ptr<PreparedCase> Prepare(const CaseSpec&, const WorkloadContext&, const CaseDirs&) const override {
    throw std::logic_error("the build case is the harness's own: the workload never prepares it");
  }
};

// build.sh copies main.py to {out_dir}/prog; variants of it misbehave.
constexpr const char* kGoodBuild = "#!/bin/sh\ncp main.py \"$1/prog\" && chmod +x \"$1/prog\"\n";
constexpr const char* kNoArtifact = "#!/bin/sh\nexit 0\n";
// Builds once, then never again: an incremental build that rebuilds nothing.
constexpr const char* kLazyBuild =
    "#!/bin/sh\n[ -e \"$1/prog\" ] || { cp main.py \"$1/prog\" && chmod +x \"$1/prog\"; }\n";
constexpr const char* kProgram = "#!/bin/sh\necho hello\n";

class BuildCaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("build-case-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    paths_ = {root_, root_ / "build/release", "/usr/bin/python3"};
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path Impl(const std::string& name, const std::string& role, const std::string& build_script,
                const std::string& extra = "") {
    fs::path dir = root_ / "workloads/fake/impls" / name;
    fs::create_directories(dir);
    std::ofstream(dir / "main.py") << kProgram;
    std::ofstream(dir / "build.sh") << build_script;
    std::ofstream(dir / "impl.toml") << fmt::format(
        "language = \"Shell\"\nrole = \"{}\"\nlabel = \"idiomatic\"\ncommand = [\"{{out_dir}}/prog\"]\n"
        "[build]\ncommand = [\"sh\", \"build.sh\", \"{{out_dir}}\"]\n{}",
        role, extra);
    return dir;
  }

  RunResult Run(const std::string& profile = "standard", std::map<std::string, std::string> params = {}) {
    std::vector<std::unique_ptr<Workload>> workloads;
    workloads.push_back(std::make_unique<FakeWorkload>());
    RunOptions options;
    options.profile = profile;
    options.cases = {"build"};
    options.variant = "release";
    options.result_path = root_ / "results/run.json";
    options.cache_dir = root_ / ".cache";
    options.scratch_dir = root_ / "scratch";
    options.params = std::move(params);
    return RunSuite(workloads, paths_, options);
  }

  static const ImplementationResult& Find(const RunResult& run, const std::string& impl) {
    auto it = std::find_if(run.benchmarks.begin(), run.benchmarks.end(),
                           [&](const ImplementationResult& r) { return r.implementation == impl; });
    if (it == run.benchmarks.end()) throw std::runtime_error("no result for " + impl);
    return *it;
  }

  static int Counted(const ImplementationResult& result) {
    return static_cast<int>(std::count_if(result.samples.begin(), result.samples.end(), CountsInStatistics));
  }

  fs::path root_;
  ProjectPaths paths_;
};

TEST_F(BuildCaseTest, TimesCleanAndIncrementalBuildsInInterleavedRoundsAndGivesTheSourceBack) {
  fs::path ref = Impl("ref", "reference", kGoodBuild);
  Impl("port", "port", kGoodBuild);
  struct stat before {};
  ASSERT_EQ(::stat((ref / "main.py").c_str(), &before), 0);

  RunResult run = Run();
  const ImplementationResult& a = Find(run, "ref");
  const ImplementationResult& b = Find(run, "port");
  for (const ImplementationResult* r : {&a, &b}) {
    ASSERT_EQ(r->status, RunStatus::kOk) << r->error;
    EXPECT_EQ(r->kind, "build");
    EXPECT_EQ(r->case_name, "build");
    EXPECT_EQ(r->primary_metric, "clean_build_ns");
    EXPECT_EQ(Counted(*r), 6);  // standard: six pairs, after one warm-up
    for (const Sample& s : r->samples) {
      EXPECT_GT(s.metrics.at("clean_build_ns"), 0);
      EXPECT_GT(s.metrics.at("incremental_build_ns"), 0);
      EXPECT_EQ(s.metrics.at("artifact_files"), 1);
      EXPECT_EQ(s.metrics.at("artifact_bytes"), std::string(kProgram).size());
      EXPECT_EQ(s.metrics.at("runtime_dependencies_beyond_libc"), 1);  // /bin/sh, from the #! line
      EXPECT_EQ(s.metrics.at("source_lines"), 2);  // main.py's echo and build.sh's cp: #! lines are comments
    }
    ASSERT_TRUE(r->artifact);
    EXPECT_EQ(r->artifact->files, std::vector<std::string>{"prog"});
    EXPECT_EQ(r->artifact->runtimes, std::vector<std::string>{"/bin/sh (#! line)"});
    EXPECT_EQ(r->artifact->incremental_edit,
              fmt::format("workloads/fake/impls/{}/main.py", r->implementation));
  }
  // Measured rounds alternate which implementation goes first: ref port, port ref, ... (after the warm-up's).
  ASSERT_EQ(a.samples.size(), 7u);
  ASSERT_EQ(b.samples.size(), 7u);
  EXPECT_TRUE(a.samples[0].warmup);
  for (size_t round = 0; round < 6; ++round) {
    EXPECT_EQ(a.samples[round + 1].sequence < b.samples[round + 1].sequence, round % 2 == 0)
        << "round " << round;
  }
  // Paired build ratios, like every other comparison.
  auto ratio = std::find_if(run.comparisons.begin(), run.comparisons.end(), [](const Comparison& c) {
    return c.contender == "port" && c.baseline == "ref" && c.metric == "incremental_build_ns";
  });
  ASSERT_NE(ratio, run.comparisons.end());
  EXPECT_EQ(ratio->pairs, 6);
  // The edited source has its bytes and modification time back.
  EXPECT_EQ(ReadWholeFile(ref / "main.py"), kProgram);
  struct stat after {};
  ASSERT_EQ(::stat((ref / "main.py").c_str(), &after), 0);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  // The result file says the same (kind and artifact survive the round trip).
  RunResult read = ReadResultFile(root_ / "results/run.json");
  EXPECT_EQ(Find(read, "port").kind, "build");
  ASSERT_TRUE(Find(read, "port").artifact);
  EXPECT_EQ(Find(read, "port").artifact->runtimes, b.artifact->runtimes);
}

TEST_F(BuildCaseTest, ABuildThatLeavesNoArtifactIsInvalid) {
  Impl("ref", "reference", kGoodBuild);
  Impl("empty", "port", kNoArtifact);
  RunResult run = Run();
  EXPECT_EQ(Find(run, "ref").status, RunStatus::kOk);
  const ImplementationResult& empty = Find(run, "empty");
  EXPECT_EQ(empty.status, RunStatus::kInvalid);
  EXPECT_NE(empty.error.find("clean build: the build exited 0 but left no prog"), std::string::npos)
      << empty.error;
  EXPECT_EQ(Counted(empty), 0);
}

TEST_F(BuildCaseTest, AnIncrementalBuildThatRebuildsNothingIsInvalid) {
  Impl("ref", "reference", kGoodBuild);
  Impl("lazy", "port", kLazyBuild);
  RunResult run = Run();
  const ImplementationResult& lazy = Find(run, "lazy");
  EXPECT_EQ(lazy.status, RunStatus::kInvalid);
  EXPECT_NE(lazy.error.find("rebuilt nothing"), std::string::npos) << lazy.error;
}

TEST_F(BuildCaseTest, AFailingBuildFailsWithItsOwnLastWords) {
  Impl("ref", "reference", kGoodBuild);
  Impl("broken", "port", "#!/bin/sh\necho 'error[E0425]: cannot find value' >&2\nexit 101\n");
  // The runner builds every implementation before its cases: a build that fails there makes it unavailable.
  RunResult run = Run();
  const ImplementationResult& broken = Find(run, "broken");
  EXPECT_NE(broken.status, RunStatus::kOk);
  EXPECT_EQ(broken.kind, "build");
}

TEST_F(BuildCaseTest, WithoutABuildOfOursAPortIsMeasuredOnceAndAPeerIsUnavailable) {
  Impl("ref", "reference", kGoodBuild);
  for (const char* name : {"interpreted", "peer"}) {
    fs::path dir = root_ / "workloads/fake/impls" / name;
    fs::create_directories(dir);
    std::ofstream(dir / "main.py") << "print('hello')\n";
    std::ofstream(dir / "impl.toml") << fmt::format(
        "language = \"Python\"\nrole = \"{}\"\nlabel = \"idiomatic\"\n"
        "command = [\"sh\", \"{{impl_dir}}/main.py\"]\n",
        std::string(name) == "peer" ? "peer" : "port");
  }
  RunResult run = Run();
  const ImplementationResult& interpreted = Find(run, "interpreted");
  EXPECT_EQ(interpreted.status, RunStatus::kOk);
  ASSERT_EQ(interpreted.samples.size(), 1u);
  EXPECT_FALSE(interpreted.samples[0].metrics.contains("clean_build_ns"));
  EXPECT_EQ(interpreted.samples[0].metrics.at("source_lines"), 1);
  ASSERT_TRUE(interpreted.artifact);
  EXPECT_EQ(interpreted.artifact->build.rfind("none: interpreted runs from its sources", 0), 0u)
      << interpreted.artifact->build;
  EXPECT_EQ(interpreted.artifact->files,
            std::vector<std::string>{"workloads/fake/impls/interpreted/main.py"});
  ASSERT_EQ(interpreted.artifact->runtimes.size(), 1u);
  EXPECT_EQ(interpreted.artifact->runtimes[0].rfind("sh (/", 0), 0u) << interpreted.artifact->runtimes[0];
  const ImplementationResult& peer = Find(run, "peer");
  EXPECT_EQ(peer.status, RunStatus::kUnavailable);
  EXPECT_NE(peer.error.find("no build of ours: peer is a peer shipped as a package"), std::string::npos)
      << peer.error;
  EXPECT_EQ(Counted(Find(run, "ref")), 6);
}

TEST_F(BuildCaseTest, AnImplementationThatRunsAnothersCMakeTargetHasNoBuildOfItsOwn) {
  for (const char* name : {"cpp", "cpp_rows"}) {
    fs::path dir = root_ / "workloads/fake/impls" / name;
    fs::create_directories(dir);
    std::ofstream(dir / "impl.toml") << fmt::format(
        "language = \"C++\"\nrole = \"{}\"\nlabel = \"tuned\"\ncommand = [\"{{build_dir}}/engine\"]\n"
        "[build]\ncmake_target = \"engine\"\n",
        std::string(name) == "cpp" ? "reference" : "port");
  }
  RunResult run = Run();
  // This fake checkout has no CMake project, so the reference's own build fails; its twin is not built twice.
  EXPECT_EQ(Find(run, "cpp").status, RunStatus::kFailed);
  const ImplementationResult& twin = Find(run, "cpp_rows");
  EXPECT_EQ(twin.status, RunStatus::kUnavailable);
  EXPECT_EQ(twin.error, "no build of its own: it runs cpp's program (the same CMake target engine)");
}

TEST_F(BuildCaseTest, TheQuickProfileHasNoBuildCaseAndSaysWhere) {
  Impl("ref", "reference", kGoodBuild);
  try {
    Run("quick");
    FAIL() << "quick ran a build case";
  } catch (const SetupError& error) {
    EXPECT_NE(std::string(error.what()).find("the build case is in the standard and full profiles"),
              std::string::npos)
        << error.what();
  }
}

TEST_F(BuildCaseTest, ParametersSetHowManyBuildsForAQuickLook) {
  Impl("ref", "reference", kGoodBuild);
  RunResult run = Run("standard", {{"repetitions", "2"}, {"warmup_repetitions", "0"}});
  const ImplementationResult& ref = Find(run, "ref");
  EXPECT_EQ(ref.samples.size(), 2u);
  EXPECT_EQ(Counted(ref), 2);
  EXPECT_EQ(ref.parameters.at("repetitions"), "2");
  try {
    Run("standard", {{"repetitions", "0"}});
    FAIL() << "ran no repetitions";
  } catch (const SetupError& error) {
    EXPECT_NE(std::string(error.what()).find("repetitions"), std::string::npos) << error.what();
  }
}

TEST(BuildCaseSpecTest, StandardAndFullHaveSixPairsQuickHasNone) {
  EXPECT_FALSE(BuildCaseSpec("quick"));
  for (const char* profile : {"standard", "full"}) {
    std::optional<CaseSpec> spec = BuildCaseSpec(profile);
    ASSERT_TRUE(spec);
    EXPECT_EQ(spec->kind, CaseKind::kBuild);
    EXPECT_EQ(spec->stopping.min_repetitions, 6);
    EXPECT_EQ(spec->primary_metric, "clean_build_ns");
    EXPECT_EQ(spec->warmup_repetitions, 1);
  }
  EXPECT_EQ(BuildCaseSpec("standard")->stopping.max_repetitions, 6);
  EXPECT_EQ(BuildCaseSpec("full")->stopping.max_repetitions, 10);
  CaseSpec quick_look = *BuildCaseSpec("full");
  quick_look.parameters["repetitions"] = "2";
  ApplyBuildCaseParameters(quick_look);
  EXPECT_EQ(quick_look.stopping.min_repetitions, 2);
  EXPECT_EQ(quick_look.stopping.max_repetitions, 6);
}

}  // namespace
}  // namespace claimbench
