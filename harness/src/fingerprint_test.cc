#include "claimbench/fingerprint.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "claimbench/build_info.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench {
namespace {

using nlohmann::json;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// One fingerprint for the whole suite: collecting takes tens of milliseconds and runs git.
const json& Fingerprint() {
  static const json fingerprint = [] {
    FingerprintOptions options;
    options.repo_root = build_info::kSourceDir;
    options.library_versions = {{"tbb", "2021.8.0"}, {"fmt", "overridden"}};
    return CollectFingerprint(options);
  }();
  return fingerprint;
}

TEST(FingerprintTest, HasGoogleBenchmarkContextKeys) {
  const json& f = Fingerprint();
  for (const char* key : {"date", "host_name", "executable", "num_cpus", "mhz_per_cpu", "cpu_scaling_enabled",
                          "caches", "load_avg", "library_build_type"}) {
    EXPECT_TRUE(f.contains(key)) << key;
  }
  EXPECT_GE(f["num_cpus"].get<int>(), 1);
  EXPECT_TRUE(f["caches"].is_array());
  EXPECT_TRUE(f["load_avg"].is_array());
  EXPECT_TRUE(f["cpu_scaling_enabled"].is_boolean());
  EXPECT_THAT(f["library_build_type"].get<std::string>(), ::testing::AnyOf("release", "debug"));
  EXPECT_THAT(f["executable"].get<std::string>(), HasSubstr("fingerprint_test"));
  // Google Benchmark's local time with a +hh:mm offset, e.g. 2024-01-05T11:15:00+01:00.
  const std::string date_time = "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}";
  EXPECT_THAT(f["date"].get<std::string>(), ::testing::MatchesRegex(date_time + "[+-][0-9]{2}:[0-9]{2}"));
  EXPECT_THAT(f["timestamp"].get<std::string>(), ::testing::MatchesRegex(date_time + "Z"));
}

TEST(FingerprintTest, CpuAndMemoryAreSane) {
  const json& cpu = Fingerprint()["cpu"];
  EXPECT_FALSE(cpu["model"].get<std::string>().empty());
  EXPECT_GE(cpu["logical_cores"].get<int>(), 1);
  EXPECT_EQ(cpu["logical_cores"], Fingerprint()["num_cpus"]);
  if (!cpu["physical_cores"].is_null()) {
    EXPECT_GE(cpu["physical_cores"].get<int>(), 1);
    EXPECT_LE(cpu["physical_cores"].get<int>(), cpu["logical_cores"].get<int>());
  }
  ASSERT_TRUE(cpu["scaling_governors"].is_object());
  for (const auto& [name, governor] : cpu["scaling_governors"].items()) {
    EXPECT_TRUE(governor.is_string()) << name;
  }
  EXPECT_THAT(cpu["boost"].get<std::string>(), ::testing::AnyOf("enabled", "disabled", "unavailable"));

  const json& memory = Fingerprint()["memory"];
  EXPECT_GT(memory["total_bytes"].get<int64_t>(), 0);
  EXPECT_GT(memory["available_bytes"].get<int64_t>(), 0);
  EXPECT_LE(memory["available_bytes"].get<int64_t>(), memory["total_bytes"].get<int64_t>());

  for (const json& cache : Fingerprint()["caches"]) {
    EXPECT_GE(cache["level"].get<int>(), 1);
    EXPECT_GT(cache["size"].get<int64_t>(), 0);
  }
}

TEST(FingerprintTest, ClockIsMeasured) {
  const json& clock = Fingerprint()["clock"];
  EXPECT_GT(clock["resolution_ns"].get<int64_t>(), 0);
  const double read_cost_ns = clock["read_cost_ns"].get<double>();
  EXPECT_GT(read_cost_ns, 0.0);
  EXPECT_LT(read_cost_ns, 10'000.0);
}

TEST(FingerprintTest, BuildKernelAndLibrariesAreRecorded) {
  const json& f = Fingerprint();
  EXPECT_EQ(f["build"]["variant"], build_info::kVariant);
  EXPECT_EQ(f["build"]["compiler_id"], build_info::kCompilerId);
  EXPECT_FALSE(f["kernel"]["release"].get<std::string>().empty());
  EXPECT_FALSE(f["host_name"].get<std::string>().empty());
  EXPECT_THAT(f["libraries"]["boost"].get<std::string>(), ::testing::StartsWith("1."));
  EXPECT_THAT(f["libraries"]["nlohmann_json"].get<std::string>(), ::testing::StartsWith("3."));
  EXPECT_EQ(f["libraries"]["tbb"], "2021.8.0");
  EXPECT_EQ(f["libraries"]["fmt"], "overridden") << "the caller's versions win";
  EXPECT_TRUE(f["virtualization"]["hypervisor_flag"].is_boolean());
}

TEST(FingerprintTest, GitCommitOfThisCheckoutOrUnknown) {
  const json& git = Fingerprint()["git"];
  const std::string commit = git["commit"].get<std::string>();
  if (commit == "unknown") {
    EXPECT_TRUE(git["dirty"].is_null());
  } else {
    EXPECT_THAT(commit, ::testing::MatchesRegex("[0-9a-f]{40}"));
    EXPECT_TRUE(git["dirty"].is_boolean());
  }
}

TEST(FingerprintTest, NotAGitCheckoutGivesUnknownWithoutFailing) {
  testing::TempDir dir;
  FingerprintOptions options;
  options.repo_root = dir.path();
  const json f = CollectFingerprint(options);
  EXPECT_EQ(f["git"]["commit"], "unknown");
  EXPECT_TRUE(f["git"]["dirty"].is_null());

  options.repo_root.clear();
  EXPECT_EQ(CollectFingerprint(options)["git"]["commit"], "unknown");
}

TEST(FingerprintTest, VariantOptionOverridesTheBuiltOne) {
  FingerprintOptions options;
  options.variant = "hardened";
  const json f = CollectFingerprint(options);
  EXPECT_EQ(f["build"]["variant"], "hardened");
  EXPECT_EQ(f["build"]["harness_variant"], build_info::kVariant);
}

json QuietFingerprint() {
  return {{"num_cpus", 4},
          {"load_avg", {0.1, 0.2, 0.3}},
          {"library_build_type", "release"},
          {"build", {{"variant", "release"}, {"build_type", "Release"}, {"cxx_flags", ""}}},
          {"cpu", {{"scaling_governors", {{"cpu0", "performance"}, {"cpu1", "unavailable"}}}}},
          {"git", {{"commit", "0123"}, {"dirty", false}}}};
}

TEST(FingerprintWarningsTest, QuietMachineHasNoWarnings) {
  EXPECT_THAT(FingerprintWarnings(QuietFingerprint()), IsEmpty());
}

TEST(FingerprintWarningsTest, EveryRiskWarnsInOrder) {
  json f = QuietFingerprint();
  f["library_build_type"] = "debug";
  f["build"] = {{"variant", "asan"}, {"build_type", "Debug"}, {"cxx_flags", "-fsanitize=address"}};
  f["load_avg"] = {3.5, 1.0, 1.0};
  f["cpu"]["scaling_governors"] = {{"cpu0", "powersave"}, {"cpu1", "ondemand"}, {"cpu2", "performance"},
                                   {"cpu3", "powersave"}};
  f["git"]["dirty"] = true;
  EXPECT_THAT(FingerprintWarnings(f),
              ElementsAre("debug build: timings are not representative",
                          "sanitizer build (asan): timings include sanitizer overhead",
                          "load average 3.50 at start on 4 cores: other work may disturb timings",
                          AllOf(HasSubstr("governor is 'ondemand'/'powersave' on 3 of 4 cpus"),
                                HasSubstr("pin to 'performance' for stable timings")),
                          "git tree is dirty: results may not match the commit"));
}

TEST(FingerprintWarningsTest, LoadThresholdIsHalfTheCores) {
  json f = QuietFingerprint();
  f["load_avg"] = {2.0, 0.0, 0.0};  // exactly half of 4 cores: fine
  EXPECT_THAT(FingerprintWarnings(f), IsEmpty());
  f["load_avg"] = {2.01, 0.0, 0.0};
  EXPECT_THAT(FingerprintWarnings(f), ElementsAre(HasSubstr("load average 2.01 at start on 4 cores")));
}

TEST(FingerprintWarningsTest, SanitizerFlagsWarnEvenUnderAnotherVariantName) {
  json f = QuietFingerprint();
  f["build"]["variant"] = "custom";
  f["build"]["cxx_flags"] = "-O2 -fsanitize=thread";
  EXPECT_THAT(FingerprintWarnings(f),
              ElementsAre("sanitizer build (custom): timings include sanitizer overhead"));
}

TEST(FingerprintWarningsTest, PartialOrMistypedFingerprintDoesNotThrow) {
  EXPECT_THAT(FingerprintWarnings(json()), IsEmpty());
  EXPECT_THAT(FingerprintWarnings(json::array()), IsEmpty());
  const json mistyped = {{"load_avg", "high"}, {"num_cpus", "four"}, {"cpu", 3}, {"git", {{"dirty", "yes"}}}};
  EXPECT_THAT(FingerprintWarnings(mistyped), IsEmpty());
}

TEST(FingerprintWarningsTest, RealFingerprintProducesOnlyKnownWarnings) {
  for (const std::string& warning : FingerprintWarnings(Fingerprint())) {
    EXPECT_THAT(warning, ::testing::AnyOf(HasSubstr("debug build"), HasSubstr("sanitizer build"),
                                          HasSubstr("load average"), HasSubstr("frequency scaling governor"),
                                          HasSubstr("git tree is dirty")));
  }
}

}  // namespace
}  // namespace claimbench
