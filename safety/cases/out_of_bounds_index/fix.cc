// Fix: the last index is size() - 1.
#include <cstdio>
#include <vector>

int main(int argc, char**) {
  std::vector<int> samples = {5, 6, 7, 8};
  const std::size_t last = samples.size() + static_cast<std::size_t>(argc) - 2;
  std::printf("last = %d\n", samples[last]);
}
