// Resident memory and CPU time of a whole process tree, read from /proc (private to the process runner).
//
// Design: the monitor thread calls this every rss_sample_interval for as long as a child runs, so it must be
// cheap and must not disturb what it measures. After a 10 ms sleep every syscall is cold (tens of µs on a
// VM), so the count of syscalls is what matters: for the first kMaxTrackedProcesses members of the tree it
// keeps /proc/<pid>/task, /proc/<pid>/statm and the main thread's children file open and re-reads them with
// pread (4 syscalls per single-threaded process instead of 10; the open fds also pin the process, so a
// recycled pid cannot be misread). Buffers are reused, so a sample allocates nothing once they have grown.
// It reads statm (one line the kernel formats from counters) rather than smaps_rollup, which walks every
// VMA and costs far more for a large heap; statm's resident count (RssAnon + RssFile + RssShmem) is what
// ru_maxrss also measures, so the two agree. Descendants come from /proc/<pid>/task/<tid>/children
// (CONFIG_PROC_CHILDREN); where that file does not exist, a scan of every /proc/<pid>/stat for parent pids
// is the fallback. A process that shares its address space with an earlier member of the tree (CLONE_VM
// without CLONE_THREAD: a vfork or posix_spawn child before its exec, a sanitizer's tracer) reports the same
// resident pages, so it is detected with kcmp(KCMP_VM) and counted once; ordinary fork children sharing
// copy-on-write pages are still counted in full, as statm reports them. CPU time is read only when a mark
// arrives (CpuNs), so it takes the simple road: each member's process CPU clock (ns, every thread, dead
// threads included) plus the CPU of the children it reaped (/proc/<pid>/stat cutime + cstime, in ticks).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "claimbench/unique_fd.h"

namespace claimbench::process_internal {

class ProcessTreeRss {
 public:
  // Processes whose /proc files stay open between samples (3 fds each); the rest are opened per sample.
  static constexpr size_t kMaxTrackedProcesses = 16;

  ProcessTreeRss();

  // Sum of resident bytes over `root` and all its descendants now; 0 if root has exited. Copy-on-write
  // pages shared between processes of the tree are counted once per process (an address space shared by
  // several processes is counted once). A process that exits during the walk can make one sample slightly
  // off. Not thread-safe: one instance per thread.
  int64_t SampleBytes(pid_t root);

  // Sum of the members' peak resident bytes so far (VmHWM of /proc/<pid>/status: each address space's high
  // water mark since its exec), over `root` and its descendants now, an address space shared by several
  // processes counted once; 0 if root has exited. Sees a peak that fell between two samples. Unlike wait4's
  // ru_maxrss it does not start from the harness's own size: the kernel carries the pre-exec address space's
  // high water mark (the fork of the harness) into ru_maxrss. Not thread-safe: one instance per thread.
  int64_t PeakBytes(pid_t root);

  // SampleBytes and PeakBytes from one walk of the tree (the monitor's periodic sample).
  struct Memory {
    int64_t resident_bytes = 0;
    int64_t peak_bytes = 0;
  };
  Memory SampleMemory(pid_t root);

  // User + system CPU time of `root` and all its descendants now, ns: for each live member its CPU clock
  // (clock_getcpuclockid) plus the CPU of the children it has reaped (cutime + cstime, clock-tick
  // resolution). The kernel brings a thread's count up to date only at a scheduler tick or switch, so a
  // thread running right now is read up to one tick (1-10 ms) short. Descendants that died unreaped, or
  // whose parent died, are missed. nullopt if root cannot be read (it has been reaped). Not thread-safe:
  // one instance per thread.
  std::optional<int64_t> CpuNs(pid_t root);

  // `root` and all its descendants now, root first; the reference stays valid until the next call.
  const std::vector<pid_t>& CollectTree(pid_t root);

 private:
  // Open /proc files of one process, kept between samples.
  struct Tracked {
    pid_t pid = 0;
    UniqueFd task_dir;       // /proc/<pid>/task
    UniqueFd main_children;  // /proc/<pid>/task/<pid>/children
    UniqueFd statm;          // /proc/<pid>/statm
    bool in_tree = false;    // seen by the current walk
  };

  // The cached files of `pid`: Find looks only, Track also opens them if there is room; nullptr if none.
  Tracked* Find(pid_t pid);
  Tracked* Track(pid_t pid);
  // Appends the children of every thread of `pid` to tree_ via /proc/<pid>/task/*/children.
  void AppendChildrenFromTasks(pid_t pid);
  // Fallback: appends all descendants of tree_[0] found by scanning /proc/*/stat.
  void AppendDescendantsByScanning();
  int64_t ResidentBytes(pid_t pid);
  int64_t HighWaterBytes(pid_t pid);
  // One member's CPU clock plus its reaped children's CPU, ns; nullopt if it is gone.
  std::optional<int64_t> ProcessCpuNs(pid_t pid);
  // True if tree_[index] has the same mm as an earlier member (kcmp), so its pages are already counted.
  bool SharesMemoryWithEarlierMember(size_t index);
  // Read a whole small file into read_buffer_ (growing it as needed): ReadFd from an open fd with pread from
  // offset 0 (seq_file regenerates the content), ReadPath by opening `path`. Return the length or -1.
  long ReadFd(int fd);
  long ReadPath(const char* path);

  bool children_files_supported_;
  bool kcmp_supported_ = true;
  int64_t page_size_bytes_;
  int64_t clock_tick_ns_;  // 1e9 / sysconf(_SC_CLK_TCK): the unit of cutime and cstime
  std::vector<pid_t> tree_;
  std::vector<Tracked> tracked_;  // capacity kMaxTrackedProcesses, never reallocated
  std::vector<char> read_buffer_;
  std::vector<char> dirent_buffer_;
  std::vector<std::pair<pid_t, pid_t>> scan_parents_;  // (pid, ppid), fallback only
};

}  // namespace claimbench::process_internal
