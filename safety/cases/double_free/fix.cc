// Fix: the buffer is a std::string, which copies its bytes, so each object frees only its own.
#include <cstdio>
#include <string>

struct Buffer {
  std::string data;
  explicit Buffer(const char* text) : data(text) {}
};

int main() {
  Buffer original("hello");
  Buffer copy = original;
  std::printf("%s %s\n", original.data.c_str(), copy.data.c_str());
}
