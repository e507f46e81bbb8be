// Fix: an atomic counter.
#include <atomic>
#include <cstdio>
#include <thread>

int main() {
  std::atomic<long> hits{0};
  auto work = [&hits] {
    for (int i = 0; i < 100000; ++i) hits.fetch_add(1, std::memory_order_relaxed);
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  std::printf("hits = %ld\n", hits.load());
}
