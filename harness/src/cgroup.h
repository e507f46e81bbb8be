// A fresh cgroup v2 per child (private to the process runner).
//
// Design: a cgroup is the only container the kernel keeps a whole process tree in, whatever the tree does
// (setsid, double fork), so with one the runner can kill everything (cgroup.kill) and read the tree's memory
// high-water mark (memory.peak). It is an improvement, not a requirement: hybrid cgroup v1/v2 machines,
// unprivileged users and old kernels do without, and the reason is recorded instead. Where the cgroup goes:
// under the harness's own cgroup when the memory controller can be enabled for its children, otherwise at
// the root of the cgroup2 mount (claimbench-<pid>-<n>).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "claimbench/unique_fd.h"

namespace claimbench::process_internal {

class ChildCgroup {
 public:
  // Creates a new, empty cgroup with the memory controller. On failure returns nullopt and sets *why_not
  // to one line ("no cgroup: ..."). The machine-wide probe (where cgroups can go) runs once per process and
  // is cached. Thread-safe.
  static std::optional<ChildCgroup> Create(std::string* why_not);

  ChildCgroup(ChildCgroup&& other) noexcept;
  ChildCgroup& operator=(ChildCgroup&& other) noexcept;
  ChildCgroup(const ChildCgroup&) = delete;
  ChildCgroup& operator=(const ChildCgroup&) = delete;
  // Kills whatever is left in the cgroup and removes it (best effort; see Remove()).
  ~ChildCgroup();

  const std::string& path() const { return path_; }

  // Moves `pid` into the cgroup. Returns 0 or an errno value.
  int AddProcess(pid_t pid) const;

  // SIGKILLs every process in the cgroup: cgroup.kill where the kernel has it (5.14+), otherwise a kill of
  // each pid in cgroup.procs. Does not wait for them to die. Not thread-safe with respect to Remove().
  void KillAll() const;

  // memory.peak in bytes: the high-water mark of memory charged to the cgroup (anonymous memory, page
  // cache, kernel memory); nullopt if the kernel lacks memory.peak (before 5.19) or it cannot be read.
  std::optional<int64_t> MemoryPeakBytes() const;

  // usage_usec of cpu.stat, in ns: user + system CPU time of every process that ever ran in the cgroup,
  // dead ones included (cgroup v2 keeps cpu.stat whether or not the cpu controller is enabled). nullopt if
  // it cannot be read. Reads one small file; thread-safe.
  std::optional<int64_t> CpuUsageNs() const;
  bool HasCpuStat() const { return has_cpu_stat_; }

  // One line describing the cgroup and what it offers, for ProcessResult::cgroup_note.
  std::string Describe() const;

  // Kills what is left, waits up to ~1 s for the cgroup to empty and removes its directory. Returns an
  // empty string or one line saying why it could not be removed. Idempotent.
  std::string Remove();

 private:
  explicit ChildCgroup(std::string path);

  std::string path_;      // empty once removed or moved from
  UniqueFd kill_fd_;      // cgroup.kill, when present
  bool has_memory_peak_ = false;
  bool has_cpu_stat_ = false;
};

}  // namespace claimbench::process_internal
