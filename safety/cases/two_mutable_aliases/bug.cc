// Bug: a function that moves every item from one vector to another is given the same vector twice;
// pushing to `to` reallocates `from` under the range-for (heap use after free through an alias).
#include <cstdio>
#include <vector>

static void MoveAll(std::vector<int>& from, std::vector<int>& to) {
  for (int item : from) to.push_back(item);
  from.clear();
}

int main() {
  std::vector<int> items = {1, 2, 3};
  items.shrink_to_fit();
  MoveAll(items, items);
  std::printf("size = %zu\n", items.size());
}
