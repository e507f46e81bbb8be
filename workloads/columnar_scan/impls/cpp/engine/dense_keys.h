// Joins and group-bys on TPC-H's dense integer keys (custkey 1..150000*SF, orderkey below 6000000*SF*4)
// use arrays indexed by the key instead of hash tables: the "perfect hash" that engines pick when column
// statistics bound a key. The bound is the column's maximum, taken when the query is prepared. Orderkeys,
// which use one value in four of their range, go through a RankedKeySet instead (ranked_key_set.h).
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>

#include "morsels.h"

namespace claimbench::columnar {

// The largest value of a key column (0 for an empty one; negative keys count as 0: they join nothing).
template <typename Key>
int64_t MaxKey(std::span<const Key> keys) {
  int64_t max = 0;
  for (Key key : keys) max = std::max<int64_t>(max, key);
  return max;
}

// Runs body(morsel, begin, end) for every morsel of [0, rows) (morsel = begin / kMorselRows), on `threads`.
template <typename Body>
void ForEachMorsel(int64_t rows, int threads, Body body) {
  const int64_t morsels = (rows + kMorselRows - 1) / kMorselRows;
  auto run = [&](int64_t morsel) { body(morsel, morsel * kMorselRows, std::min(rows, (morsel + 1) * kMorselRows)); };
  if (threads <= 1) {
    for (int64_t morsel = 0; morsel < morsels; ++morsel) run(morsel);
    return;
  }
  oneapi::tbb::task_arena arena(threads);
  arena.execute([&] {
    oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<int64_t>(0, morsels, 1),
                              [&](const oneapi::tbb::blocked_range<int64_t>& range) {
                                for (int64_t morsel = range.begin(); morsel < range.end(); ++morsel) run(morsel);
                              });
  });
}

// Runs body(begin, end, Slots&) over morsels of [0, rows) on `threads`, each thread adding into its own
// zeroed vector of `slots` counters, and returns their sum. Integer sums: the order does not matter.
template <typename Counter, typename Body>
std::vector<Counter> ScatterAdd(int64_t rows, size_t slots, int threads, Body body) {
  if (threads <= 1) {
    std::vector<Counter> totals(slots);
    for (int64_t begin = 0; begin < rows; begin += kMorselRows) body(begin, std::min(begin + kMorselRows, rows), totals);
    return totals;
  }
  oneapi::tbb::enumerable_thread_specific<std::vector<Counter>> partials([slots] { return std::vector<Counter>(slots); });
  oneapi::tbb::task_arena arena(threads);
  arena.execute([&] {
    oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<int64_t>(0, rows, kMorselRows),
                              [&](const oneapi::tbb::blocked_range<int64_t>& range) {
                                body(range.begin(), range.end(), partials.local());
                              });
  });
  std::vector<Counter> totals;
  for (std::vector<Counter>& partial : partials) {
    if (totals.empty()) {
      totals = std::move(partial);
      continue;
    }
    Counter* into = totals.data();
    const Counter* from = partial.data();
    arena.execute([&] {
      oneapi::tbb::parallel_for(oneapi::tbb::blocked_range<size_t>(0, slots, size_t{1} << 16),
                                [&](const oneapi::tbb::blocked_range<size_t>& range) {
                                  for (size_t i = range.begin(); i < range.end(); ++i) into[i] += from[i];
                                });
    });
  }
  if (totals.empty()) totals.resize(slots);
  return totals;
}

}  // namespace claimbench::columnar
