// Bug: check then act under two separate lock acquisitions (time of check to time of use): both threads
// see enough money, both withdraw, the balance goes negative. No data race, so no sanitizer sees it.
#include <barrier>
#include <cstdio>
#include <mutex>
#include <thread>

int main() {
  std::mutex mu;
  long balance = 100;
  std::barrier both_checked(2);  // makes the interleaving certain
  auto withdraw = [&] {
    bool enough;
    {
      std::lock_guard<std::mutex> lock(mu);
      enough = balance >= 80;  // check
    }
    both_checked.arrive_and_wait();
    if (enough) {
      std::lock_guard<std::mutex> lock(mu);
      balance -= 80;  // act, on a value that may have changed
    }
  };
  std::thread one(withdraw), two(withdraw);
  one.join();
  two.join();
  std::printf("balance = %ld\n", balance);
}
