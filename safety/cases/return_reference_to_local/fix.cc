// Fix: return the std::string by value; the caller owns the result.
#include <cstdio>
#include <string>

std::string Greeting(const char* name) {
  return std::string("hello, ") + name + ", a text long enough to live on the heap";
}

int main(int argc, char** argv) {
  std::printf("%s\n", Greeting(argc > 1 ? argv[1] : "world").c_str());
}
