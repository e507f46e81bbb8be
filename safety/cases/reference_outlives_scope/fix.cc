// Fix: the value is copied out of the block before the block ends.
#include <cstdio>

static void Fill(long* out, int n) {
  for (int i = 0; i < n; ++i) out[i] = i * 3;
}

int main(int argc, char**) {
  long total = 0;
  {
    long sums[4];
    Fill(sums, 4);
    total = sums[argc - 1];
  }
  long other[4];
  Fill(other, 4);
  std::printf("total = %ld (other %ld)\n", total, other[0]);
}
