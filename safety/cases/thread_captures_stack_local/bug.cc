// Bug: a thread captures a local by reference, and the function that started it returns before the
// thread is done: the thread writes into a dead stack frame (stack use after return).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

static std::atomic<bool> start_returned{false};

static std::thread Start() {
  long progress = 0;
  return std::thread([&progress] {
    while (!start_returned.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    for (int i = 0; i < 1000; ++i) progress = progress + 1;  // Start's frame is gone by now, certainly
  });
}

static long Busy(int depth) {  // reuses the stack where Start's frame was
  volatile long scratch[64];
  for (int i = 0; i < 64; ++i) scratch[i] = depth + i;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return scratch[depth % 64];
}

int main(int argc, char**) {
  std::thread worker = Start();
  start_returned.store(true);
  long busy = Busy(argc);
  worker.join();
  std::printf("busy = %ld\n", busy);
}
