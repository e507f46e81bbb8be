// Fix: read what is needed before the move.
#include <cstdio>
#include <utility>
#include <vector>

int main() {
  std::vector<int> readings = {3, 1, 4};
  const int first = readings[0];
  std::vector<int> archived = std::move(readings);
  std::printf("%zu %d\n", archived.size(), first);
}
