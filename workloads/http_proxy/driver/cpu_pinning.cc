#include "cpu_pinning.h"

#include <dirent.h>
#include <sched.h>

#include <fstream>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace claimbench::http_proxy_workload {
namespace {

cpu_set_t MaskOf(const std::vector<int>& cpus) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  for (int cpu : cpus) CPU_SET(cpu, &mask);
  return mask;
}

// The numeric entries of a /proc directory.
std::vector<pid_t> NumericEntries(const std::string& path) {
  std::vector<pid_t> ids;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ids;
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long id = std::strtol(entry->d_name, &end, 10);
    if (end != entry->d_name && *end == '\0') ids.push_back(static_cast<pid_t>(id));
  }
  ::closedir(dir);
  return ids;
}

// Field 5 of /proc/<pid>/stat (after the parenthesised command, which may contain spaces); -1 if gone.
pid_t ProcessGroupOf(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat;
  std::getline(in, stat);
  size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  char state = 0;
  long ppid = 0, pgrp = -1;
  if (std::sscanf(stat.c_str() + close + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3) return -1;
  return static_cast<pid_t>(pgrp);
}

}  // namespace

CpuPlan PlanCpus() {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  std::vector<int> allowed;
  if (::sched_getaffinity(0, sizeof mask, &mask) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &mask)) allowed.push_back(cpu);
    }
  }
  CpuPlan plan;
  if (allowed.size() < 2) {
    plan.proxy = plan.load = allowed;
    plan.note = "one CPU: proxy, load generator and origin share it";
    return plan;
  }
  size_t half = allowed.size() / 2;
  plan.proxy.assign(allowed.begin(), allowed.begin() + static_cast<std::ptrdiff_t>(half));
  plan.load.assign(allowed.begin() + static_cast<std::ptrdiff_t>(half), allowed.end());
  plan.note = fmt::format("proxy on CPUs {}; load generator and origin share CPUs {}", fmt::join(plan.proxy, ","),
                          fmt::join(plan.load, ","));
  return plan;
}

int PinProcessGroup(pid_t pgid, const std::vector<int>& cpus) {
  if (cpus.empty() || pgid <= 0) return 0;
  cpu_set_t mask = MaskOf(cpus);
  int pinned = 0;
  for (pid_t pid : NumericEntries("/proc")) {
    if (ProcessGroupOf(pid) != pgid) continue;
    for (pid_t tid : NumericEntries(fmt::format("/proc/{}/task", pid))) {
      if (::sched_setaffinity(tid, sizeof mask, &mask) == 0) ++pinned;
    }
  }
  return pinned;
}

ScopedThreadAffinity::ScopedThreadAffinity(const std::vector<int>& cpus) {
  if (cpus.empty()) return;
  if (::sched_getaffinity(0, sizeof previous_, &previous_) != 0) return;
  cpu_set_t mask = MaskOf(cpus);
  restore_ = ::sched_setaffinity(0, sizeof mask, &mask) == 0;
}

ScopedThreadAffinity::~ScopedThreadAffinity() {
  if (restore_) ::sched_setaffinity(0, sizeof previous_, &previous_);
}

}  // namespace claimbench::http_proxy_workload
