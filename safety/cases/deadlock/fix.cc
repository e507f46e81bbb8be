// Fix: std::scoped_lock takes both mutexes together, with a deadlock-avoidance algorithm.
#include <barrier>
#include <cstdio>
#include <mutex>
#include <thread>

int main() {
  std::mutex a, b;
  long count_a = 0, count_b = 0;
  std::barrier start(2);
  std::thread one([&] {
    start.arrive_and_wait();
    std::scoped_lock both(a, b);
    ++count_a, ++count_b;
  });
  std::thread two([&] {
    start.arrive_and_wait();
    std::scoped_lock both(b, a);
    ++count_a, ++count_b;
  });
  one.join();
  two.join();
  std::printf("%ld %ld\n", count_a, count_b);
}
