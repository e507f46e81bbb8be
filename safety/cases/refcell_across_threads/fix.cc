// Fix: the mutable member is atomic, so a const method may update it from any thread.
#include <atomic>
#include <cstdio>
#include <thread>

class Stats {
 public:
  void Record() const { hits_.fetch_add(1, std::memory_order_relaxed); }
  long hits() const { return hits_.load(); }

 private:
  mutable std::atomic<long> hits_{0};
};

int main() {
  const Stats stats;
  auto work = [&stats] {
    for (int i = 0; i < 100000; ++i) stats.Record();
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  std::printf("hits = %ld\n", stats.hits());
}
