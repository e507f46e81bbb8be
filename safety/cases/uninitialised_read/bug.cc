// Bug: a local is read on a path where it was never assigned (an indeterminate value: undefined
// behaviour).
#include <cstdio>

__attribute__((noinline)) static unsigned Limit(int argc) {
  unsigned limit;
  if (argc > 5) limit = 100;
  return limit;
}

int main(int argc, char**) { std::printf("limit = %u\n", Limit(argc)); }
