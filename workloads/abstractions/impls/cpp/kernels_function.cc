// The contrast: the ranges style's pipelines with every lambda held in a std::function, the standard
// library's type erasure for callables, as code does that stores callbacks or chooses them at run time. The
// views call through it once per element, which the optimiser cannot inline or vectorise; `--style function`
// shows what the harness and the instruction counts see when an abstraction does cost (the Rust binary's
// `--style dyn` is its counterpart). A diagnostic: no implementation folder runs it.
#include <algorithm>
#include <functional>
#include <iterator>
#include <numeric>
#include <ranges>
#include <vector>

#include "kernels.h"

namespace claimbench::abstractions {
namespace {

namespace views = std::views;

using Keep = std::function<bool(uint32_t)>;
using Widen = std::function<uint64_t(uint32_t)>;
using Multiply = std::function<uint64_t(uint32_t, uint32_t)>;

const Multiply kWidenedProduct = [](uint32_t a, uint32_t b) { return uint64_t{a} * b; };

uint64_t SumEvenSquares(std::span<const uint32_t> values) {
  const Keep even = [](uint32_t v) { return v % 2 == 0; };
  const Widen square = [](uint32_t v) { return uint64_t{v} * v; };
  auto squares = values | views::filter(even) | views::transform(square);
  return std::accumulate(squares.begin(), squares.end(), uint64_t{0});
}

uint64_t DotProduct(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  return std::transform_reduce(a.begin(), a.end(), b.begin(), uint64_t{0}, std::plus<>{}, kWidenedProduct);
}

uint64_t FilterMapCollect(std::span<const uint32_t> values) {
  const Keep divisible = [](uint32_t v) { return v % 3 == 0; };
  const std::function<uint32_t(uint32_t)> map = [](uint32_t v) { return 3 * v + 1; };
  std::vector<uint32_t> out;
  std::ranges::copy(values | views::filter(divisible) | views::transform(map), std::back_inserter(out));
  return std::inner_product(out.begin(), out.end(), views::iota(uint64_t{1}).begin(), uint64_t{0});
}

uint64_t MatVec(std::span<const uint32_t> matrix, std::span<const uint32_t> x) {
  const size_t columns = x.size();
  std::vector<uint64_t> y(matrix.size() / columns);
  const std::function<uint64_t(size_t)> row_times_x = [&](size_t r) {
    const std::span<const uint32_t> row = matrix.subspan(r * columns, columns);
    return std::transform_reduce(row.begin(), row.end(), x.begin(), uint64_t{0}, std::plus<>{},
                                 kWidenedProduct);
  };
  std::ranges::transform(views::iota(size_t{0}, y.size()), y.begin(), row_times_x);
  return std::reduce(y.begin(), y.end(), uint64_t{0});
}

uint64_t WordLengths(std::string_view text) {
  using Word =
      std::ranges::range_value_t<std::ranges::split_view<std::string_view, std::ranges::single_view<char>>>;
  const std::function<bool(Word)> non_empty = [](Word word) { return !word.empty(); };
  const std::function<uint64_t(Word)> squared_length = [](Word word) {
    const auto length = static_cast<uint64_t>(std::ranges::distance(word));
    return length * length;
  };
  auto squared_lengths =
      text | views::split(' ') | views::filter(non_empty) | views::transform(squared_length);
  return std::accumulate(squared_lengths.begin(), squared_lengths.end(), uint64_t{0});
}

}  // namespace

const KernelSet& FunctionKernels() {
  static const KernelSet kKernels{SumEvenSquares, DotProduct, FilterMapCollect, MatVec, WordLengths};
  return kKernels;
}

}  // namespace claimbench::abstractions
