// Fix: std::shared_ptr, whose reference count is atomic (Rust's Arc).
#include <cstdio>
#include <memory>
#include <thread>

int main() {
  auto root = std::make_shared<long>(7);
  auto churn = [&root] {
    long sum = 0;
    for (int i = 0; i < 10000; ++i) {
      std::shared_ptr<long> copy(root);
      sum += *copy;
    }
    return sum;
  };
  std::thread a(churn), b(churn);
  a.join();
  b.join();
  std::printf("value = %ld\n", *root);
}
