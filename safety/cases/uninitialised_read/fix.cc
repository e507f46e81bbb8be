// Fix: every path assigns it.
#include <cstdio>

__attribute__((noinline)) static unsigned Limit(int argc) {
  unsigned limit = 10;
  if (argc > 5) limit = 100;
  return limit;
}

int main(int argc, char**) { std::printf("limit = %u\n", Limit(argc)); }
