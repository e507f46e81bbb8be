#include "expected_answers.h"

#include <stdexcept>
#include <string_view>
#include <vector>

#include "abstractions_input.h"

namespace claimbench::abstractions {
namespace {

// Written as plain range-for loops over the whole input, a third style beside the two under test, so that
// a mistake copied between the program's styles does not pass here too.
uint64_t OnePass(const KernelRun& run) {
  SplitMix64 draws(run.seed);
  const auto n = static_cast<size_t>(run.elements);
  uint64_t result = 0;
  if (run.kernel == "word_lengths") {
    uint64_t length = 0;
    for (char c : MakeText(draws, n) + ' ') {
      if (c != ' ') {
        ++length;
        continue;
      }
      result += length * length;
      length = 0;
    }
    return result;
  }
  const std::vector<uint32_t> first = MakeValues(draws, n);
  if (run.kernel == "sum_even_squares") {
    for (uint64_t v : first) result += v % 2 == 0 ? v * v : 0;
  } else if (run.kernel == "filter_map_collect") {
    uint64_t position = 0;
    for (uint64_t v : first) {
      if (v % 3 == 0) result += ++position * (3 * v + 1);
    }
  } else if (run.kernel == "dot_product") {
    const std::vector<uint32_t> second = MakeValues(draws, n);
    for (size_t i = 0; i < n; ++i) result += uint64_t{first[i]} * second[i];
  } else if (run.kernel == "matvec") {
    const std::vector<uint32_t> x = MakeValues(draws, static_cast<size_t>(run.columns));
    // Summing y is summing every product: the order of the additions does not change a sum that never wraps.
    for (size_t i = 0; i < n; ++i) result += uint64_t{first[i]} * x[i % x.size()];
  } else {
    throw std::invalid_argument("unknown kernel '" + run.kernel + "'");
  }
  return result;
}

}  // namespace

uint64_t ExpectedAnswer(const KernelRun& run) {
  if (run.elements < 1 || run.elements > (int64_t{1} << 22)) {
    throw std::invalid_argument("elements must be 1 to 4194304");
  }
  if (run.kernel == "matvec" && (run.columns < 1 || run.elements % run.columns != 0)) {
    throw std::invalid_argument("matvec's elements must be a multiple of its columns");
  }
  return OnePass(run) * static_cast<uint64_t>(run.passes);
}

}  // namespace claimbench::abstractions
