// TPC-H Q3, shipping priority (SEGMENT BUILDING, DATE 1995-03-15): a three-way join with selective
// filters on both sides, a group-by on orderkey and a top 10. The build side (customer flags in a dense
// array, the candidate orders in a ranked key set) is built in parallel; the probe is one pass over lineitem.
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "date.h"
#include "decimal.h"
#include "dense_keys.h"
#include "morsels.h"
#include "ranked_key_set.h"

namespace claimbench::columnar {

struct Q3Row {
  int64_t orderkey;
  int64_t revenue;  // scale 4
  int32_t orderdate;
  int32_t shippriority;
};

std::string FormatQ3(const std::vector<Q3Row>& rows);

// Q3's build side: the set of candidate orderkeys (a BUILDING customer, ordered before `date`) and, at each
// key's rank in that set, its order: the last qualifying one in orders' row order when a key repeats.
struct Q3BuildSide {
  RankedKeySet keys;
  std::vector<Q3Row> candidates;  // candidates[keys.Rank(orderkey)]
};

// Builds it on `threads`, morsel by morsel, giving the same arrays for every thread count. One pass over
// orders marks the qualifying rows in a bitmap (one bit per row; a morsel owns whole words) and inserts
// their keys; then each qualifying row bids its row number for its key's rank, and the highest bid, the
// last in row order, owns it. Distinct keys never collide; repeated keys (not TPC-H data, but not excluded
// by the loader) stay well defined.
template <typename Customer, typename Orders>
Q3BuildSide BuildQ3(const Customer& customer, const Orders& orders, int64_t max_custkey, int64_t max_orderkey,
                    int32_t date, int threads) {
  static_assert(kMorselRows % 64 == 0, "a morsel must own whole words of the row bitmap");
  std::vector<uint8_t> building(static_cast<size_t>(max_custkey) + 1, 0);
  ForEachMorsel(customer.Rows(), threads, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int32_t key = customer.Custkey(i);
      if (key >= 0 && key <= max_custkey && customer.Mktsegment(i) == "BUILDING") {
        std::atomic_ref<uint8_t>(building[key]).store(1, std::memory_order_relaxed);
      }
    }
  });
  Q3BuildSide build{RankedKeySet(max_orderkey, threads), {}};
  std::vector<uint64_t> qualifies(static_cast<size_t>((orders.Rows() + 63) / 64));
  ForEachMorsel(orders.Rows(), threads, [&](int64_t, int64_t begin, int64_t end) {
    const Orders rows = orders;  // a local copy keeps the spans in registers (see q6.h)
    RankedKeySet::Inserter inserter(build.keys);
    for (int64_t word_begin = begin; word_begin < end; word_begin += 64) {
      const int64_t word_end = std::min(word_begin + 64, end);
      // Without branches: one in five orders has a BUILDING customer and one in two the date, in random
      // order, so branches would mispredict on most qualifying rows.
      uint64_t bits = 0;
      for (int64_t i = word_begin; i < word_end; ++i) {
        const uint32_t custkey = static_cast<uint32_t>(rows.Custkey(i));
        const bool customer_known = custkey <= static_cast<uint64_t>(max_custkey);
        const bool pass = customer_known & (building[customer_known ? custkey : 0] != 0) &
                          (rows.Orderdate(i) < date) &
                          (static_cast<uint64_t>(rows.Orderkey(i)) <= static_cast<uint64_t>(max_orderkey));
        bits |= static_cast<uint64_t>(pass) << (i - word_begin);
      }
      qualifies[static_cast<size_t>(word_begin / 64)] = bits;
      for (; bits != 0; bits &= bits - 1) inserter.Insert(rows.Orderkey(word_begin + std::countr_zero(bits)));
    }
  });
  build.keys.FinishInserts(threads);
  const int64_t ranks = build.keys.Size();
  std::unique_ptr<int64_t[]> owner = std::make_unique_for_overwrite<int64_t[]>(static_cast<size_t>(ranks));
  ForEachMorsel(ranks, threads, [&](int64_t, int64_t begin, int64_t end) {
    std::fill(owner.get() + begin, owner.get() + end, int64_t{-1});
  });
  // The first bid for a rank writes its candidate; only a repeated key (a later bid) needs the gather below.
  build.candidates.resize(static_cast<size_t>(ranks));
  std::atomic<bool> repeated_keys = false;
  ForEachMorsel(orders.Rows(), threads, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t word_begin = begin; word_begin < end; word_begin += 64) {
      for (uint64_t bits = qualifies[static_cast<size_t>(word_begin / 64)]; bits != 0; bits &= bits - 1) {
        const int64_t row = word_begin + std::countr_zero(bits);
        const int64_t orderkey = orders.Orderkey(row);
        const int64_t rank = build.keys.Rank(orderkey);
        std::atomic_ref<int64_t> entry(owner[static_cast<size_t>(rank)]);
        int64_t seen = -1;
        if (entry.compare_exchange_strong(seen, row, std::memory_order_relaxed)) {
          build.candidates[static_cast<size_t>(rank)] = {orderkey, 0, orders.Orderdate(row), orders.Shippriority(row)};
          continue;
        }
        repeated_keys.store(true, std::memory_order_relaxed);
        while (seen < row && !entry.compare_exchange_weak(seen, row, std::memory_order_relaxed)) {
        }
      }
    }
  });
  if (repeated_keys.load()) {
    ForEachMorsel(ranks, threads, [&](int64_t, int64_t begin, int64_t end) {
      for (int64_t rank = begin; rank < end; ++rank) {
        const int64_t row = owner[static_cast<size_t>(rank)];
        build.candidates[static_cast<size_t>(rank)] = {orders.Orderkey(row), 0, orders.Orderdate(row), orders.Shippriority(row)};
      }
    });
  }
  return build;
}

// max_custkey and max_orderkey bound the keys of customer and orders (their column maxima).
template <typename Customer, typename Orders, typename Lineitem>
std::string RunQ3(const Customer& customer, const Orders& orders, const Lineitem& lineitem, int64_t max_custkey,
                  int64_t max_orderkey, int threads) {
  constexpr int32_t kDate = DaysFromCivil(1995, 3, 15);
  const Q3BuildSide build = BuildQ3(customer, orders, max_custkey, max_orderkey, kDate, threads);
  const std::vector<Q3Row>& candidates = build.candidates;
  // About one line in ten belongs to a candidate order, and an order's lines are adjacent, so the branch on
  // the order predicts well. About half pass the shipdate filter, in no order a predictor could learn, so
  // that test is a multiplier instead of a branch.
  const std::vector<int64_t> revenue = ScatterAdd<int64_t>(
      lineitem.Rows(), candidates.size(), threads, [&](int64_t begin, int64_t end, std::vector<int64_t>& sums) {
        const Lineitem rows = lineitem;  // a local copy keeps the spans in registers (see q6.h)
        int64_t* const revenue_of = sums.data();
        const RankedKeySet& keys = build.keys;
        for (int64_t i = begin; i < end; ++i) {
          // The lines read below belong to one order in ten: without this, each is a cache miss.
          if ((i & 7) == 0) rows.PrefetchPriceAndDate(i + 512);
          const int64_t orderkey = rows.Orderkey(i);
          const bool in_range = static_cast<uint64_t>(orderkey) <= static_cast<uint64_t>(max_orderkey);
          const int64_t slot = keys.Rank(in_range ? orderkey : 0);
          if (!in_range || slot < 0) continue;
          revenue_of[slot] += (rows.Shipdate(i) > kDate) * rows.Extendedprice(i) * (100 - rows.Discount(i));
        }
      });
  // The top 10 of each morsel of candidates, then of those: the order is total (orderkeys are distinct).
  const auto before = [](const Q3Row& a, const Q3Row& b) {
    if (a.revenue != b.revenue) return a.revenue > b.revenue;
    if (a.orderdate != b.orderdate) return a.orderdate < b.orderdate;
    return a.orderkey < b.orderkey;
  };
  const auto keep_top = [&](std::vector<Q3Row>& rows) {
    const size_t limit = std::min<size_t>(10, rows.size());
    std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(limit), rows.end(), before);
    rows.resize(limit);
  };
  std::vector<Q3Row> result = ReduceMorsels<std::vector<Q3Row>>(
      static_cast<int64_t>(candidates.size()), threads,
      [&](int64_t begin, int64_t end) {
        std::vector<Q3Row> top;
        for (int64_t slot = begin; slot < end; ++slot) {
          if (revenue[slot] == 0) continue;  // no qualifying lineitem: the inner join drops the order
          top.push_back(candidates[slot]);
          top.back().revenue = revenue[slot];
          if (top.size() == 64) keep_top(top);
        }
        keep_top(top);
        return top;
      },
      [&](std::vector<Q3Row>& into, const std::vector<Q3Row>& from) {
        into.insert(into.end(), from.begin(), from.end());
        keep_top(into);
      });
  return FormatQ3(result);
}

}  // namespace claimbench::columnar
