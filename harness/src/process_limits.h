// What confines this process and changes its timings: a cgroup CPU quota, a cgroup memory limit, a seccomp
// filter (private to the fingerprint).
//
// Design: containers (Docker, Podman, Kubernetes) apply these, but so can a systemd slice on a bare host, so
// they are read wherever the harness runs, not only when it believes it is in a container. A cgroup's limit
// binds every cgroup below it, so the effective limit is the smallest one on the way from this process's
// cgroup up to the mount's root. Both cgroup layouts are read: v2 (cpu.max, memory.max) and v1
// (cpu.cfs_quota_us / cpu.cfs_period_us, memory.limit_in_bytes), and a hybrid machine's v1 controllers
// first, since that is where its limits are. Inside a cgroup namespace (or a v1 container whose cgroup
// paths name the host's tree) the process's path does not exist under the mount; the mount's root is then
// the process's own cgroup. Readers take the cgroup mount and the /proc texts as arguments so that tests
// can give them a fabricated tree.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace claimbench::fingerprint_internal {

struct CgroupLimits {
  // CPU time the cgroup may use per period, in cores (quota / period: 1.5 = 150 ms every 100 ms); nullopt
  // when unlimited or unreadable.
  std::optional<double> cpu_quota_cores;
  // The period of that quota in microseconds (the longest a throttled cgroup waits); set with the quota.
  std::optional<int64_t> cpu_period_us;
  // Memory the cgroup may charge (anonymous memory and page cache), in bytes; nullopt when unlimited or
  // unreadable.
  std::optional<int64_t> memory_limit_bytes;
};

// The effective limits of the process whose /proc/<pid>/cgroup text is `proc_cgroup`, read under the cgroup
// mount `cgroup_root` (normally /sys/fs/cgroup). Never throws except std::bad_alloc; anything unreadable
// is simply unlimited. Thread-safe (reads files only).
CgroupLimits ReadCgroupLimits(const std::filesystem::path& cgroup_root, std::string_view proc_cgroup);

struct SeccompState {
  // "disabled", "strict" or "filter" (the Seccomp: field of /proc/<pid>/status: 0, 1, 2), or "unavailable".
  std::string mode = "unavailable";
  // Number of filters attached (Seccomp_filters:, Linux 5.9+); nullopt when the kernel does not say.
  std::optional<int64_t> filters;
  // The Speculation_Store_Bypass: field ("thread force mitigated" when seccomp turned the mitigation on),
  // or "unavailable".
  std::string speculation_store_bypass = "unavailable";
};

// Parses the text of /proc/<pid>/status. Never throws except std::bad_alloc. Thread-safe.
SeccompState ParseSeccomp(std::string_view proc_status);

// The container engine that made this process's container, from the marker files under `root` (normally
// "/"): /run/.containerenv's engine="..." (Podman, Buildah: e.g. "podman-4.3.1"), "podman" when that file
// names none, "docker" for /.dockerenv; nullopt outside a container. Never throws except std::bad_alloc.
std::optional<std::string> ContainerEngine(const std::filesystem::path& root);

}  // namespace claimbench::fingerprint_internal
