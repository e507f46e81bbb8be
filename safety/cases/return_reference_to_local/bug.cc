// Bug: a function returns a reference to a local std::string, destroyed when the function returns.
#include <cstdio>
#include <string>

const std::string& Greeting(const char* name) {
  std::string text = std::string("hello, ") + name + ", a text long enough to live on the heap";
  return text;
}

int main(int argc, char** argv) {
  std::printf("%s\n", Greeting(argc > 1 ? argv[1] : "world").c_str());
}
