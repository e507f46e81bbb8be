// Fix: collect the new items first, then append them after the loop.
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> queue = {1, 2, 3};
  queue.shrink_to_fit();
  std::vector<int> extra;
  for (int item : queue) {
    if (item % 2 == 1) extra.push_back(item * 10);
  }
  queue.insert(queue.end(), extra.begin(), extra.end());
  std::printf("size = %zu\n", queue.size());
}
