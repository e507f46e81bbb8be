// Fix: the thread owns its state and the result comes back after join.
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

static std::thread Start(std::shared_ptr<long> progress) {
  return std::thread([progress] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (int i = 0; i < 1000; ++i) *progress = *progress + 1;
  });
}

int main() {
  auto progress = std::make_shared<long>(0);
  std::thread worker = Start(progress);
  worker.join();
  std::printf("progress = %ld\n", *progress);
}
