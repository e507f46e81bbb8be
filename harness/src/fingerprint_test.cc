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

TEST(FingerprintTest, ConfinementIsRecorded) {
  const json& f = Fingerprint();
  const json& quota = f["cpu"]["cgroup_quota_cores"];
  EXPECT_TRUE(quota.is_null() || quota.get<double>() > 0.0) << quota;
  EXPECT_EQ(quota.is_null(), f["cpu"]["cgroup_quota_period_us"].is_null());
  const json& limit = f["memory"]["cgroup_limit_bytes"];
  EXPECT_TRUE(limit.is_null() || limit.get<int64_t>() > 0) << limit;
  const json& virtualization = f["virtualization"];
  EXPECT_EQ(virtualization["container"].get<bool>(), virtualization["container_engine"].is_string());
  EXPECT_THAT(virtualization["seccomp"].get<std::string>(),
              ::testing::AnyOf("disabled", "strict", "filter", "unavailable"));
  EXPECT_TRUE(virtualization["seccomp_filters"].is_null() || virtualization["seccomp_filters"].is_number_integer());
  EXPECT_FALSE(virtualization["speculation_store_bypass"].get<std::string>().empty());
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
          {"cpu",
           {{"scaling_governors", {{"cpu0", "performance"}, {"cpu1", "unavailable"}}},
            {"affinity_cores", 4},
            {"cgroup_quota_cores", nullptr},
            {"cgroup_quota_period_us", nullptr}}},
          {"memory", {{"total_bytes", int64_t{16} << 30}, {"cgroup_limit_bytes", nullptr}}},
          {"virtualization",
           {{"container", false},
            {"container_engine", nullptr},
            {"seccomp", "disabled"},
            {"seccomp_filters", 0},
            {"speculation_store_bypass", "thread force mitigated"}}},
          {"git", {{"commit", "0123"}, {"dirty", false}}}};
}

// A container with every limit that binds: 1.5 cores of 4, 2 GiB of 16, Docker's default seccomp profile.
json ConfinedFingerprint() {
  json f = QuietFingerprint();
  f["cpu"]["cgroup_quota_cores"] = 1.5;
  f["cpu"]["cgroup_quota_period_us"] = 100000;
  f["memory"]["cgroup_limit_bytes"] = int64_t{2} << 30;
  f["virtualization"]["container"] = true;
  f["virtualization"]["container_engine"] = "podman-4.3.1";
  f["virtualization"]["seccomp"] = "filter";
  f["virtualization"]["seccomp_filters"] = 1;
  return f;
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
  const json confined = ConfinedFingerprint();
  f["cpu"]["cgroup_quota_cores"] = confined["cpu"]["cgroup_quota_cores"];
  f["memory"] = confined["memory"];
  f["virtualization"] = confined["virtualization"];
  EXPECT_THAT(FingerprintWarnings(f),
              ElementsAre("debug build: timings are not representative",
                          "sanitizer build (asan): timings include sanitizer overhead",
                          "load average 3.50 at start on 4 cores: other work may disturb timings",
                          AllOf(HasSubstr("governor is 'ondemand'/'powersave' on 3 of 4 cpus"),
                                HasSubstr("pin to 'performance' for stable timings")),
                          HasSubstr("ran inside a container (podman-4.3.1)"), HasSubstr("cgroup CPU quota"),
                          HasSubstr("cgroup memory limit"), HasSubstr("seccomp filter active"),
                          "git tree is dirty: results may not match the commit"));
}

TEST(FingerprintWarningsTest, ContainerLimitsSayWhatTheyDoToTheNumbers) {
  EXPECT_THAT(
      FingerprintWarnings(ConfinedFingerprint()),
      ElementsAre(AllOf(HasSubstr("ran inside a container (podman-4.3.1)"), HasSubstr("take figures for claims on "
                                                                                    "the host")),
                  AllOf(HasSubstr("cgroup CPU quota of 1.50 cores on 4 cpus"),
                        HasSubstr("used 150 ms of CPU in a 100 ms period"), HasSubstr("latency tails jump")),
                  AllOf(HasSubstr("cgroup memory limit of 2.0 GiB of 16.0 GiB installed"),
                        HasSubstr("reclaims the page cache")),
                  AllOf(HasSubstr("seccomp filter active (1 filter)"), HasSubstr("every system call"),
                        HasSubstr("Speculative Store Bypass mitigation"))));
}

TEST(FingerprintWarningsTest, LimitsThatCannotBindDoNotWarn) {
  json f = QuietFingerprint();
  f["cpu"]["cgroup_quota_cores"] = 4.0;  // the whole of the 4 cpus the process may use
  f["cpu"]["cgroup_quota_period_us"] = 100000;
  f["memory"]["cgroup_limit_bytes"] = int64_t{16} << 30;  // all of the machine's memory
  f["virtualization"]["seccomp"] = "strict";             // not a filter: nothing to run per call
  EXPECT_THAT(FingerprintWarnings(f), IsEmpty());
  f["cpu"]["affinity_cores"] = 8;  // a cpuset of 8: a quota of 4 now binds
  EXPECT_THAT(FingerprintWarnings(f), ElementsAre(HasSubstr("cgroup CPU quota of 4.00 cores on 8 cpus")));
}

TEST(FingerprintWarningsTest, SeccompWithoutForcedMitigationSaysOnlyTheSyscallCost) {
  json f = QuietFingerprint();
  f["virtualization"]["seccomp"] = "filter";
  f["virtualization"]["seccomp_filters"] = 2;
  f["virtualization"]["speculation_store_bypass"] = "thread vulnerable";
  const std::vector<std::string> warnings = FingerprintWarnings(f);
  ASSERT_THAT(warnings, ElementsAre(HasSubstr("seccomp filter active (2 filters)")));
  EXPECT_THAT(warnings[0], ::testing::Not(HasSubstr("Speculative")));
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
  const json mistyped = {{"load_avg", "high"},
                         {"num_cpus", "four"},
                         {"cpu", 3},
                         {"memory", {{"cgroup_limit_bytes", "2G"}}},
                         {"virtualization", {{"container", "yes"}, {"seccomp", 2}}},
                         {"git", {{"dirty", "yes"}}}};
  EXPECT_THAT(FingerprintWarnings(mistyped), IsEmpty());
}

TEST(FingerprintWarningsTest, RealFingerprintProducesOnlyKnownWarnings) {
  for (const std::string& warning : FingerprintWarnings(Fingerprint())) {
    EXPECT_THAT(warning, ::testing::AnyOf(HasSubstr("debug build"), HasSubstr("sanitizer build"),
                                          HasSubstr("load average"), HasSubstr("frequency scaling governor"),
                                          HasSubstr("git tree is dirty"), HasSubstr("ran inside a container"),
                                          HasSubstr("cgroup CPU quota"), HasSubstr("cgroup memory limit"),
                                          HasSubstr("seccomp filter active")));
  }
}

}  // namespace
}  // namespace claimbench
