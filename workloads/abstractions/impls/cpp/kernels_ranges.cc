// The high-level style: C++20 views piped into <numeric>/<algorithm> calls, with lambdas, what a C++ engineer
// writes today when not thinking about speed. GCC 12's library has no std::ranges::fold_left, views::zip or
// views::chunk (C++23), so reductions go through std::accumulate, std::transform_reduce and
// std::inner_product over the views, which are common ranges.
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

constexpr auto kWidenedProduct = [](uint32_t a, uint32_t b) { return uint64_t{a} * b; };

uint64_t SumEvenSquares(std::span<const uint32_t> values) {
  auto squares = values | views::filter([](uint32_t v) { return v % 2 == 0; }) |
                 views::transform([](uint32_t v) { return uint64_t{v} * v; });
  return std::accumulate(squares.begin(), squares.end(), uint64_t{0});
}

uint64_t DotProduct(std::span<const uint32_t> a, std::span<const uint32_t> b) {
  return std::transform_reduce(a.begin(), a.end(), b.begin(), uint64_t{0}, std::plus<>{}, kWidenedProduct);
}

uint64_t FilterMapCollect(std::span<const uint32_t> values) {
  std::vector<uint32_t> out;
  std::ranges::copy(values | views::filter([](uint32_t v) { return v % 3 == 0; }) |
                        views::transform([](uint32_t v) { return 3 * v + 1; }),
                    std::back_inserter(out));
  return std::inner_product(out.begin(), out.end(), views::iota(uint64_t{1}).begin(), uint64_t{0});
}

uint64_t MatVec(std::span<const uint32_t> matrix, std::span<const uint32_t> x) {
  const size_t columns = x.size();
  std::vector<uint64_t> y(matrix.size() / columns);
  std::ranges::transform(views::iota(size_t{0}, y.size()), y.begin(), [&](size_t r) {
    const std::span<const uint32_t> row = matrix.subspan(r * columns, columns);
    return std::transform_reduce(row.begin(), row.end(), x.begin(), uint64_t{0}, std::plus<>{},
                                 kWidenedProduct);
  });
  return std::reduce(y.begin(), y.end(), uint64_t{0});
}

uint64_t WordLengths(std::string_view text) {
  auto squared_lengths = text | views::split(' ') | views::filter([](auto word) { return !word.empty(); }) |
                         views::transform([](auto word) {
                           const auto length = static_cast<uint64_t>(std::ranges::distance(word));
                           return length * length;
                         });
  return std::accumulate(squared_lengths.begin(), squared_lengths.end(), uint64_t{0});
}

}  // namespace

const KernelSet& RangesKernels() {
  static constexpr KernelSet kKernels{SumEvenSquares, DotProduct, FilterMapCollect, MatVec, WordLengths};
  return kKernels;
}

}  // namespace claimbench::abstractions
