// The hand-written style: indexed loops over spans, what C programmers write. The reference every other
// style of the workload is compared with.
#include <vector>

#include "kernels.h"

namespace claimbench::abstractions {
namespace {

uint64_t SumEvenSquares(std::span<const uint32_t> values) {
  uint64_t total = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    const uint64_t v = values[i];
    if (v % 2 == 0) total += v * v;
  }
  return total;
}

uint64_t DotProduct(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  uint64_t total = 0;
  for (size_t i = 0; i < a.size(); ++i) total += uint64_t{a[i]} * b[i];
  return total;
}

uint64_t FilterMapCollect(std::span<const uint32_t> values) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] % 3 == 0) out.push_back(3 * values[i] + 1);
  }
  uint64_t total = 0;
  for (size_t j = 0; j < out.size(); ++j) total += (j + 1) * out[j];
  return total;
}

uint64_t MatVec(std::span<const uint32_t> matrix, std::span<const uint32_t> x) {
  const size_t columns = x.size();
  const size_t rows = matrix.size() / columns;
  std::vector<uint64_t> y(rows);
  for (size_t r = 0; r < rows; ++r) {
    uint64_t sum = 0;
    for (size_t c = 0; c < columns; ++c) sum += uint64_t{matrix[r * columns + c]} * x[c];
    y[r] = sum;
  }
  uint64_t total = 0;
  for (size_t r = 0; r < rows; ++r) total += y[r];
  return total;
}

uint64_t WordLengths(std::string_view text) {
  uint64_t total = 0;
  uint64_t length = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == ' ') {
      total += length * length;  // an empty piece adds 0
      length = 0;
    } else {
      ++length;
    }
  }
  return total + length * length;
}

}  // namespace

const KernelSet& LoopKernels() {
  static constexpr KernelSet kKernels{SumEvenSquares, DotProduct, FilterMapCollect, MatVec, WordLengths};
  return kKernels;
}

}  // namespace claimbench::abstractions
