// `serve --trace FILE`: a per-second trace of what the read-states service did and what the machine did
// to it, for lining up with the load generator's per-second latency (read_states_measure trace=1). Off
// by default; when off the service reads no clock per request.
//
// Each line (tab-separated, a header line first) covers one second (the last one, written at Stop(), the
// part of a second before it):
//   mono_ns         CLOCK_MONOTONIC at the end of the second (the load generator's steady_clock)
//   turns           requests answered (each read of a connection answers the frames that arrived)
//   max_turn_us     the longest time the io thread spent answering one read (store work, locks, misses),
//                   wall time; max_turn_cpu_us the most CPU time one read took (a turn far longer in wall
//                   time than in CPU time was preempted or blocked, not busy)
//   slow_turns      reads that took more than 250 us
//   wb_passes, wb_max_pass_us   write-back passes ended, the longest one from its first slice to its
//                   last (the slices are spread over the period, so about the period)
//   wb_max_slice_us, wb_max_slice_cpu_us, wb_records   the longest single slice (one shard, run on the
//                   io thread) in wall and in CPU time, records written
//   evictions, misses, loaded          store counters over the second
//   probe_late_us   the worst lateness of a thread of this process waking every 1 ms: how long a runnable
//                   thread waited for a CPU (the machine's scheduling delay, whatever the service did)
//   io_wait_us      run-queue wait of the io thread (/proc/self/task/TID/schedstat): runnable but not
//                   running
//   minflt, majflt  page faults of the process
//   cpu_busy_pct    the whole machine's busy share of all CPUs (/proc/stat), steal_pct its steal share
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "read_states_store.h"

namespace claimbench::sync_service {

// Run-queue wait in ns (runnable, not running) so far of thread `tid` of process `pid`
// (/proc/PID/task/TID/schedstat); 0 when unknown.
int64_t RunQueueWaitNs(pid_t pid, pid_t tid);
// The same summed over every thread of `pid` now.
int64_t ProcessRunQueueWaitNs(pid_t pid);

class ServiceTrace {
 public:
  // Opens (truncates) `path`; throws std::runtime_error naming it when it cannot.
  ServiceTrace(const std::filesystem::path& path, const ReadStatesStore& store);
  ~ServiceTrace();
  ServiceTrace(const ServiceTrace&) = delete;
  ServiceTrace& operator=(const ServiceTrace&) = delete;

  // Starts the sampling and probe threads. `io_tid` is the thread whose run-queue wait is reported.
  void Start(pid_t io_tid);
  // Stops the threads and flushes the file. Idempotent.
  void Stop();

  // The wall clock and the calling thread's CPU clock, for timing one piece of work.
  struct Stamp {
    int64_t wall_ns = 0;
    int64_t cpu_ns = 0;
  };
  static Stamp Now() noexcept;
  static int64_t NowNs() noexcept;  // CLOCK_MONOTONIC

  // From the io thread(s): one read answered (`requests` frames), begun at `start`.
  void OnTurn(int64_t requests, const Stamp& start) noexcept;
  // From the write-back: one slice begun at `start` that wrote `records`; one pass of `ns` ended.
  void OnWriteBackSlice(uint64_t records, const Stamp& start) noexcept;
  void OnWriteBackPass(int64_t ns) noexcept;

 private:
  void SampleLoop();
  void ProbeLoop();

  const ReadStatesStore& store_;
  std::FILE* file_ = nullptr;
  pid_t io_tid_ = 0;

  std::atomic<int64_t> turns_{0}, max_turn_ns_{0}, max_turn_cpu_ns_{0}, slow_turns_{0};
  std::atomic<int64_t> wb_passes_{0}, wb_max_pass_ns_{0}, wb_max_slice_ns_{0}, wb_max_slice_cpu_ns_{0},
      wb_records_{0};
  std::atomic<int64_t> probe_late_ns_{0};

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> probe_stop_{false};
  std::thread sampler_;
  std::thread probe_;
};

}  // namespace claimbench::sync_service
