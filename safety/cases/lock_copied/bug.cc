// Bug: a struct holding a mutex is passed by value, so each thread would lock its own copy of the mutex
// while updating the counter they share through a pointer. std::mutex cannot be copied, so it does not
// compile.
#include <cstdio>
#include <mutex>
#include <thread>

struct Stats {
  std::mutex mu;
  long* hits;
};

static void Record(Stats stats) {  // a copy, its mutex too: deleted copy constructor
  for (int i = 0; i < 100000; ++i) {
    std::lock_guard<std::mutex> lock(stats.mu);
    ++*stats.hits;
  }
}

int main() {
  long hits = 0;
  Stats stats{{}, &hits};
  std::thread a([&] { Record(stats); }), b([&] { Record(stats); });  // error: Stats(const Stats&) is deleted
  a.join();
  b.join();
  std::printf("hits = %ld\n", hits);
}
