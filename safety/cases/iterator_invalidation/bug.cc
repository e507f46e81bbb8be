// Bug: push_back inside a range-for over the same vector: reallocation invalidates the loop's iterators
// (heap use after free).
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> queue = {1, 2, 3};
  queue.shrink_to_fit();
  for (int item : queue) {
    if (item % 2 == 1) queue.push_back(item * 10);
  }
  std::printf("size = %zu\n", queue.size());
}
