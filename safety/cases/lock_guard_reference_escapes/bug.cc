// Bug: Peek returns a pointer to the guarded value; the lock_guard unlocks on return, and the caller
// reads through the pointer while another thread writes under the lock (a data race).
#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

struct Counter {
  std::mutex mu;
  long value = 0;
};

static const long* Peek(Counter& counter) {
  std::lock_guard<std::mutex> lock(counter.mu);
  return &counter.value;
}

int main() {
  Counter counter;
  std::atomic<bool> peeked{false};
  std::thread writer([&] {
    while (!peeked.load()) std::this_thread::yield();  // writes only after Peek has unlocked
    for (int i = 0; i < 100000; ++i) {
      std::lock_guard<std::mutex> lock(counter.mu);
      ++counter.value;
    }
  });
  const long* seen = Peek(counter);
  peeked.store(true);
  long sum = 0;
  for (int i = 0; i < 100000; ++i) sum += *static_cast<const volatile long*>(seen);  // unlocked reads
  writer.join();
  std::printf("sum = %ld\n", sum);
}
