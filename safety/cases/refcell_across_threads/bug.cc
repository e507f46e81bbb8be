// Bug: an object with interior mutability (a `mutable` member behind a const interface, what RefCell and
// Cell give Rust) is shared by two threads that both update it without a lock: a data race.
#include <cstdio>
#include <thread>

class Stats {
 public:
  void Record() const { hits_ = hits_ + 1; }  // const, yet it writes
  long hits() const { return hits_; }

 private:
  mutable volatile long hits_ = 0;  // volatile: each update really loads and stores
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
