// Fix: check and act under one lock acquisition.
#include <barrier>
#include <cstdio>
#include <mutex>
#include <thread>

int main() {
  std::mutex mu;
  long balance = 100;
  std::barrier start(2);
  auto withdraw = [&] {
    start.arrive_and_wait();
    std::lock_guard<std::mutex> lock(mu);
    if (balance >= 80) balance -= 80;
  };
  std::thread one(withdraw), two(withdraw);
  one.join();
  two.join();
  std::printf("balance = %ld\n", balance);
}
