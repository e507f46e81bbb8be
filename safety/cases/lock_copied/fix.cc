// Fix: pass a reference, so every thread locks the one mutex.
#include <cstdio>
#include <mutex>
#include <thread>

struct Stats {
  std::mutex mu;
  long hits = 0;
};

static void Record(Stats& stats) {
  for (int i = 0; i < 100000; ++i) {
    std::lock_guard<std::mutex> lock(stats.mu);
    ++stats.hits;
  }
}

int main() {
  Stats stats;
  std::thread a([&] { Record(stats); }), b([&] { Record(stats); });
  a.join();
  b.join();
  std::printf("hits = %ld\n", stats.hits);
}
