// Bug: a std::vector is indexed after it was moved from; moved-from vectors are empty in practice, so
// readings[0] reads past the end of an empty vector.
#include <cstdio>
#include <utility>
#include <vector>

int main() {
  std::vector<int> readings = {3, 1, 4};
  std::vector<int> archived = std::move(readings);
  std::printf("%zu %d\n", archived.size(), readings[0]);
}
