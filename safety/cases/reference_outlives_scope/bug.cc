// Bug: a pointer to a variable of an inner block is used after the block ended (stack use after scope).
#include <cstdio>

static void Fill(long* out, int n) {
  for (int i = 0; i < n; ++i) out[i] = i * 3;
}

int main(int argc, char**) {
  long* total = nullptr;
  {
    long sums[4];
    Fill(sums, 4);
    total = &sums[argc - 1];
  }
  long other[4];  // may reuse the dead block's stack slot
  Fill(other, 4);
  std::printf("total = %ld (other %ld)\n", *total, other[0]);
}
