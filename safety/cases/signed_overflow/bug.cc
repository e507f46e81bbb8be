// Bug: a signed addition overflows, which is undefined behaviour in C++.
#include <climits>
#include <cstdio>

int main(int argc, char**) {
  int balance = INT_MAX;
  int deposit = argc;  // 1
  std::printf("balance = %d\n", balance + deposit);
}
