// Where the proxy, and where the load generator and the origins, run.
//
// Design: a proxy measured on a CPU that the load generator also needs is measured against its own
// client. So the driver splits the CPUs this harness may use in two: the proxy's process group gets the
// first half, the load generator's threads and the origins the rest. On a 2-core machine that is one core
// each, and the origin shares its core with the load generator: the results say so.
#pragma once

#include <sched.h>
#include <sys/types.h>

#include <string>
#include <vector>

namespace claimbench::http_proxy_workload {

struct CpuPlan {
  std::vector<int> proxy;  // for the implementation under test
  std::vector<int> load;   // for the load generator and the origins
  std::string note;        // one line for the results, e.g. "proxy on CPU 0; load generator and origin on CPU 1"
};

// The split of the CPUs in this process's affinity mask. With one CPU both sets are that CPU.
CpuPlan PlanCpus();

// Sets the CPU affinity of every thread of every process in process group `pgid` (the implementation
// leads its own group, so this reaches nginx's workers too). Returns how many threads were pinned;
// processes that vanish meanwhile are skipped. Never throws.
int PinProcessGroup(pid_t pgid, const std::vector<int>& cpus);

// Pins the calling thread, and so every thread it starts while pinned, to `cpus`; restores the previous
// mask on destruction. Does nothing for an empty set.
class ScopedThreadAffinity {
 public:
  explicit ScopedThreadAffinity(const std::vector<int>& cpus);
  ~ScopedThreadAffinity();
  ScopedThreadAffinity(const ScopedThreadAffinity&) = delete;
  ScopedThreadAffinity& operator=(const ScopedThreadAffinity&) = delete;

 private:
  bool restore_ = false;
  cpu_set_t previous_;
};

}  // namespace claimbench::http_proxy_workload
