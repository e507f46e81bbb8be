// Bug: a reference into a std::vector is kept across push_back; growing past the capacity moves the
// elements to a new buffer and frees the old one, so `first` dangles (heap use after free).
#include <cstdio>
#include <vector>

int main() {
  std::vector<int> scores = {10, 20, 30};
  scores.shrink_to_fit();  // capacity == size: the next push_back must reallocate
  const int& first = scores[0];
  scores.push_back(40);
  std::printf("first = %d\n", first);
}
