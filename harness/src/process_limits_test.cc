#include "process_limits.h"

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "claimbench/testing/temp_dir.h"

namespace claimbench::fingerprint_internal {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text << "\n";
}

TEST(CgroupLimitsTest, NoCgroupFilesMeansNoLimits) {
  testing::TempDir root;
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "0::/user.slice\n");
  EXPECT_FALSE(limits.cpu_quota_cores);
  EXPECT_FALSE(limits.cpu_period_us);
  EXPECT_FALSE(limits.memory_limit_bytes);
}

TEST(CgroupLimitsTest, V2ContainerInItsOwnNamespaceReadsTheMountRoot) {
  testing::TempDir root;  // what a container sees: its own cgroup mounted as /sys/fs/cgroup
  Write(root.path() / "cgroup.controllers", "cpu memory pids");
  Write(root.path() / "cpu.max", "150000 100000");
  Write(root.path() / "memory.max", "2147483648");
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "0::/\n");
  ASSERT_TRUE(limits.cpu_quota_cores);
  EXPECT_DOUBLE_EQ(*limits.cpu_quota_cores, 1.5);
  EXPECT_EQ(limits.cpu_period_us, 100000);
  EXPECT_EQ(limits.memory_limit_bytes, int64_t{2147483648});
}

TEST(CgroupLimitsTest, V2MaxMeansUnlimited) {
  testing::TempDir root;
  Write(root.path() / "cgroup.controllers", "cpu memory");
  Write(root.path() / "app" / "cpu.max", "max 100000");
  Write(root.path() / "app" / "memory.max", "max");
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "0::/app\n");
  EXPECT_FALSE(limits.cpu_quota_cores);
  EXPECT_FALSE(limits.memory_limit_bytes);
}

TEST(CgroupLimitsTest, V2TakesTheTightestLimitUpTheTree) {
  testing::TempDir root;  // a host: the limit sits on the slice, the process in a scope below it
  Write(root.path() / "cgroup.controllers", "cpu memory");
  Write(root.path() / "slice" / "cpu.max", "50000 100000");
  Write(root.path() / "slice" / "memory.max", "max");
  Write(root.path() / "slice" / "job" / "cpu.max", "max 100000");
  Write(root.path() / "slice" / "job" / "memory.max", "1073741824");
  Write(root.path() / "memory.max", "536870912");  // above the mount: a namespace root's own limit counts too
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "0::/slice/job\n");
  ASSERT_TRUE(limits.cpu_quota_cores);
  EXPECT_DOUBLE_EQ(*limits.cpu_quota_cores, 0.5);
  EXPECT_EQ(limits.memory_limit_bytes, int64_t{536870912});
}

TEST(CgroupLimitsTest, V2PathOutsideTheMountFallsBackToItsRoot) {
  testing::TempDir root;
  Write(root.path() / "cgroup.controllers", "cpu");
  Write(root.path() / "cpu.max", "200000 100000");
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "0::/../../outside\n");
  ASSERT_TRUE(limits.cpu_quota_cores);
  EXPECT_DOUBLE_EQ(*limits.cpu_quota_cores, 2.0);
}

TEST(CgroupLimitsTest, V1HybridReadsCfsQuotaAndMemoryLimit) {
  testing::TempDir root;  // a hybrid machine: v1 controllers, and an empty unified/ hierarchy
  Write(root.path() / "unified" / "cgroup.controllers", "");
  Write(root.path() / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_quota_us", "250000");
  Write(root.path() / "cpu,cpuacct" / "docker" / "abc" / "cpu.cfs_period_us", "100000");
  Write(root.path() / "cpu,cpuacct" / "docker" / "cpu.cfs_quota_us", "-1");
  Write(root.path() / "cpu,cpuacct" / "docker" / "cpu.cfs_period_us", "100000");
  Write(root.path() / "memory" / "docker" / "abc" / "memory.limit_in_bytes", "9223372036854771712");
  Write(root.path() / "memory" / "docker" / "memory.limit_in_bytes", "4294967296");
  const CgroupLimits limits = ReadCgroupLimits(
      root.path(), "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n1:name=systemd:/docker/abc\n0::/docker/abc\n");
  ASSERT_TRUE(limits.cpu_quota_cores);
  EXPECT_DOUBLE_EQ(*limits.cpu_quota_cores, 2.5);
  EXPECT_EQ(limits.cpu_period_us, 100000);
  EXPECT_EQ(limits.memory_limit_bytes, int64_t{4294967296});
}

TEST(CgroupLimitsTest, V1ContainerSeeingHostPathsReadsItsMountRoot) {
  testing::TempDir root;  // Docker on cgroup v1 without a cgroup namespace: the path names the host's tree
  Write(root.path() / "cpu" / "cpu.cfs_quota_us", "100000");
  Write(root.path() / "cpu" / "cpu.cfs_period_us", "100000");
  Write(root.path() / "memory" / "memory.limit_in_bytes", "9223372036854771712");  // v1's "no limit"
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "3:cpu:/docker/0123abcd\n2:memory:/docker/0123abcd\n");
  ASSERT_TRUE(limits.cpu_quota_cores);
  EXPECT_DOUBLE_EQ(*limits.cpu_quota_cores, 1.0);
  EXPECT_FALSE(limits.memory_limit_bytes);
}

TEST(CgroupLimitsTest, GarbageIsIgnored) {
  testing::TempDir root;
  Write(root.path() / "cgroup.controllers", "cpu memory");
  Write(root.path() / "cpu.max", "lots 100000");
  Write(root.path() / "memory.max", "12 GiB");
  const CgroupLimits limits = ReadCgroupLimits(root.path(), "no colons here\n0::/\n::\n");
  EXPECT_FALSE(limits.cpu_quota_cores);
  EXPECT_FALSE(limits.memory_limit_bytes);
}

TEST(SeccompTest, ParsesFilterModeFiltersAndSpeculationState) {
  const SeccompState state = ParseSeccomp(
      "Name:\tclaimbench\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n"
      "Speculation_Store_Bypass:\tthread force mitigated\nSpeculationIndirectBranch:\tconditional enabled\n");
  EXPECT_EQ(state.mode, "filter");
  EXPECT_EQ(state.filters, 1);
  EXPECT_EQ(state.speculation_store_bypass, "thread force mitigated");
}

TEST(SeccompTest, HostProcessHasNoFilter) {
  const SeccompState state = ParseSeccomp("Seccomp:\t0\nSeccomp_filters:\t0\nSpeculation_Store_Bypass:\tvulnerable\n");
  EXPECT_EQ(state.mode, "disabled");
  EXPECT_EQ(state.filters, 0);
  EXPECT_EQ(state.speculation_store_bypass, "vulnerable");
}

TEST(SeccompTest, OldOrForeignStatusIsUnavailable) {
  const SeccompState state = ParseSeccomp("Name:\tx\nSeccompish:\t2\n");
  EXPECT_EQ(state.mode, "unavailable");
  EXPECT_FALSE(state.filters);
  EXPECT_EQ(state.speculation_store_bypass, "unavailable");
}

TEST(ContainerEngineTest, NamesTheEngineFromItsMarkerFile) {
  testing::TempDir root;
  EXPECT_FALSE(ContainerEngine(root.path()));
  Write(root.path() / ".dockerenv", "");
  EXPECT_EQ(ContainerEngine(root.path()), "docker");
  Write(root.path() / "run" / ".containerenv", "");
  EXPECT_EQ(ContainerEngine(root.path()), "podman");
  Write(root.path() / "run" / ".containerenv", "engine=\"podman-4.3.1\"\nname=\"x\"");
  EXPECT_EQ(ContainerEngine(root.path()), "podman-4.3.1");
}

}  // namespace
}  // namespace claimbench::fingerprint_internal
