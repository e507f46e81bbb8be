// Starting oneTBB's worker threads before the `ready` mark, for C++ implementations that use oneTBB.
//
// oneTBB creates its workers lazily, on the first parallel algorithm, so without this the creation of every
// worker (and, on a busy machine, the wait until the scheduler first runs it) falls inside the timed window
// of each multi-threaded run: measured on columnar_scan's Q6 at SF 1 on 2 threads, the timed part was 1.9x
// longer without it on a loaded 2-core VM. A thread pool is start-up work, like a database's pool made when
// it opens. Header-only, like marks.h; the includer links TBB::tbb.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

namespace claimbench::impl {

// Makes sure `threads` threads (this one and threads - 1 workers) have run a task, then returns; the workers
// stay in oneTBB's pool, asleep, for the arenas and algorithms that follow. Each task waits, at most a
// second, until all have started, so no worker is still being created when this returns.
inline void StartTbbWorkers(int threads) {
  if (threads <= 1) return;
  std::atomic<int> started{0};
  oneapi::tbb::task_arena arena(threads);
  arena.execute([&] {
    oneapi::tbb::parallel_for(0, threads, [&](int) {
      started.fetch_add(1);
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      while (started.load() < threads && std::chrono::steady_clock::now() < give_up) std::this_thread::yield();
    });
  });
}

}  // namespace claimbench::impl
