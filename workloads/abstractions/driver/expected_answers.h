// The harness's own answers for the abstractions workload (SPEC.md, "The kernels"): computed here, on the
// input the program built from the same seed, never taken from a program under test.
#pragma once

#include <cstdint>
#include <string>

namespace claimbench::abstractions {

// What one repetition asks for: the SPEC's command line.
struct KernelRun {
  std::string kernel;  // sum_even_squares, dot_product, filter_map_collect, matvec or word_lengths
  int64_t elements = 0;
  int64_t passes = 0;
  int64_t columns = 256;  // matvec only
  uint64_t seed = 0;
};

// The answer the program must print for `run`: one pass's result times passes, with 64-bit wrap-around.
// Takes milliseconds for the sizes the profiles use. Throws std::invalid_argument for an unknown kernel or
// sizes SPEC.md does not allow (elements outside 1..2^22, matvec's elements not a multiple of columns).
// Thread-safe.
uint64_t ExpectedAnswer(const KernelRun& run);

}  // namespace claimbench::abstractions
