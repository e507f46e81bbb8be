// Bug: two threads increment one plain integer without synchronisation (a data race: lost updates,
// and undefined behaviour).
#include <cstdio>
#include <thread>

int main() {
  long hits = 0;
  auto work = [&hits] {
    volatile long& shared = hits;  // volatile: each increment really loads and stores (and still races)
    for (int i = 0; i < 100000; ++i) shared = shared + 1;
  };
  std::thread a(work), b(work);
  a.join();
  b.join();
  std::printf("hits = %ld\n", hits);
}
