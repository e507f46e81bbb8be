// Morsel-driven parallelism: a row range cut into fixed-size morsels, reduced on a oneTBB arena of the
// requested size. Partials are combined in morsel order (parallel_deterministic_reduce), so results are
// identical for every thread count.
#pragma once

#include <cstdint>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_arena.h>

namespace claimbench::columnar {

// Rows per morsel: big enough to amortise scheduling, small enough that a morsel's int64 partial sums
// cannot overflow (SPEC.md bounds a Q1 row's charge below 2^37; 2^16 rows leave a wide margin).
inline constexpr int64_t kMorselRows = int64_t{1} << 16;

// Reduces [0, rows) with kernel(begin, end) -> State and combine(State&, const State&), on `threads`.
template <typename State, typename Kernel, typename Combine>
State ReduceMorsels(int64_t rows, int threads, Kernel kernel, Combine combine) {
  if (threads <= 1) {
    State total{};
    for (int64_t begin = 0; begin < rows; begin += kMorselRows) {
      combine(total, kernel(begin, begin + kMorselRows < rows ? begin + kMorselRows : rows));
    }
    return total;
  }
  oneapi::tbb::task_arena arena(threads);
  return arena.execute([&] {
    return oneapi::tbb::parallel_deterministic_reduce(
        oneapi::tbb::blocked_range<int64_t>(0, rows, kMorselRows), State{},
        [&](const oneapi::tbb::blocked_range<int64_t>& range, State state) {
          for (int64_t begin = range.begin(); begin < range.end(); begin += kMorselRows) {
            const int64_t end = begin + kMorselRows < range.end() ? begin + kMorselRows : range.end();
            combine(state, kernel(begin, end));
          }
          return state;
        },
        [&](State left, const State& right) {
          combine(left, right);
          return left;
        });
  });
}

}  // namespace claimbench::columnar
