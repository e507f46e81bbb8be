// Fix: check before adding (__builtin_add_overflow reports an overflow instead of having one).
#include <climits>
#include <cstdio>

int main(int argc, char**) {
  int balance = INT_MAX;
  int deposit = argc;
  int total = 0;
  if (__builtin_add_overflow(balance, deposit, &total)) {
    std::printf("deposit refused: the balance would overflow\n");
  } else {
    std::printf("balance = %d\n", total);
  }
}
