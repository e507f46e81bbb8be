// Bug: operator[] one past the end of a std::vector (an off-by-one computed at run time): a heap
// buffer overflow; operator[] does not check bounds unless the library is hardened.
#include <cstdio>
#include <vector>

int main(int argc, char**) {
  std::vector<int> samples = {5, 6, 7, 8};
  const std::size_t last = samples.size() + static_cast<std::size_t>(argc) - 1;  // == size()
  std::printf("last = %d\n", samples[last]);
}
