// Fix: copy the element out before the push_back, so nothing refers into the old buffer.
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> scores = {10, 20, 30};
  scores.shrink_to_fit();
  const int first = scores[0];
  scores.push_back(40);
  std::printf("first = %d, size = %zu\n", first, scores.size());
}
