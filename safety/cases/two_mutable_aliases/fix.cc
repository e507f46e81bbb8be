// Fix: two distinct vectors (a caller-side rule the type system cannot state in C++).
#include <cstdio>
#include <vector>

static void MoveAll(std::vector<int>& from, std::vector<int>& to) {
  for (int item : from) to.push_back(item);
  from.clear();
}

int main() {
  std::vector<int> items = {1, 2, 3};
  std::vector<int> done;
  MoveAll(items, done);
  std::printf("sizes = %zu %zu\n", items.size(), done.size());
}
