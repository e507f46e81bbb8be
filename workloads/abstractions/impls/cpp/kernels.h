// The abstractions workload's kernels (SPEC.md, "The kernels"), in the two styles the workload compares:
// `loops` (indexed loops, the reference) in kernels_loops.cc and `ranges` (C++20 views, algorithms and
// lambdas) in kernels_ranges.cc. Same signatures, same answers; each style is its own translation unit, and
// the program calls them through a pointer, so neither is inlined into the driver loop and the compiler sees
// each kernel alone, the way it sees a library function.
//
// Every function is pure, thread-safe, and returns the SPEC's result for one pass (no 64-bit wrap for inputs
// of at most 2^22 elements). Spans are not owned. Never fail, except that an allocation failure throws
// std::bad_alloc (filter_map_collect, matvec).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace claimbench::abstractions {

// One style's kernels, as plain function pointers.
struct KernelSet {
  // Sum of v * v over the even values.
  uint64_t (*sum_even_squares)(std::span<const uint32_t> values);
  // Sum of a[i] * b[i]; a and b have the same length.
  uint64_t (*dot_product)(std::span<const uint32_t> a, std::span<const uint32_t> b);
  // Collects 3v + 1 for each v divisible by 3 into a new vector, then returns sum of (j + 1) * out[j].
  uint64_t (*filter_map_collect)(std::span<const uint32_t> values);
  // Builds y = matrix * x (matrix row-major, x.size() columns, matrix.size() a multiple of it), returns sum(y).
  uint64_t (*matvec)(std::span<const uint32_t> matrix, std::span<const uint32_t> x);
  // Splits at ' ', drops empty pieces, returns the sum of the squared word lengths.
  uint64_t (*word_lengths)(std::string_view text);
};

// Indexed loops: kernels_loops.cc.
const KernelSet& LoopKernels();
// std::views, <algorithm>/<numeric> and lambdas: kernels_ranges.cc.
const KernelSet& RangesKernels();
// The contrast: the ranges pipelines with every lambda in a std::function (kernels_function.cc).
const KernelSet& FunctionKernels();

}  // namespace claimbench::abstractions
