// Fix: Peek copies the value while the lock is held.
#include <cstdio>
#include <mutex>
#include <thread>

struct Counter {
  std::mutex mu;
  long value = 0;
};

static long Peek(Counter& counter) {
  std::lock_guard<std::mutex> lock(counter.mu);
  return counter.value;
}

int main() {
  Counter counter;
  std::thread writer([&] {
    for (int i = 0; i < 100000; ++i) {
      std::lock_guard<std::mutex> lock(counter.mu);
      ++counter.value;
    }
  });
  long sum = 0;
  for (int i = 0; i < 100000; ++i) sum += Peek(counter);
  writer.join();
  std::printf("sum = %ld\n", sum);
}
