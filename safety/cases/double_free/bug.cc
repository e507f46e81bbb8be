// Bug: two owners of one raw pointer each delete it (double free): a copied struct that frees in its
// destructor but has no copy constructor (rule of three broken).
#include <cstdio>
#include <cstring>

struct Buffer {
  char* data;
  explicit Buffer(const char* text) : data(new char[64]) { std::strncpy(data, text, 63); data[63] = 0; }
  ~Buffer() { delete[] data; }
};

int main() {
  Buffer original("hello");
  Buffer copy = original;  // copies the pointer: both destructors delete[] the same array
  std::printf("%s %s\n", original.data, copy.data);
}
