// Bug: two threads take two mutexes in opposite orders (A then B, B then A) and wait for each other
// forever.
#include <barrier>
#include <cstdio>
#include <mutex>
#include <thread>

int main() {
  std::mutex a, b;
  long count_a = 0, count_b = 0;
  std::barrier both_hold_one(2);  // makes the deadlock certain, not a matter of timing
  std::thread one([&] {
    std::lock_guard<std::mutex> first(a);
    both_hold_one.arrive_and_wait();
    std::lock_guard<std::mutex> second(b);
    ++count_a, ++count_b;
  });
  std::thread two([&] {
    std::lock_guard<std::mutex> first(b);
    both_hold_one.arrive_and_wait();
    std::lock_guard<std::mutex> second(a);
    ++count_a, ++count_b;
  });
  one.join();
  two.join();
  std::printf("%ld %ld\n", count_a, count_b);
}
