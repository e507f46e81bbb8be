// TPC-H Q3, shipping priority (SEGMENT BUILDING, DATE 1995-03-15): a three-way join with selective
// filters on both sides, a group-by on orderkey and a top 10. Build sides (customer, orders) become dense
// arrays, built in parallel; the probe is one pass over lineitem.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "date.h"
#include "decimal.h"
#include "dense_keys.h"

namespace claimbench::columnar {

struct Q3Row {
  int64_t orderkey;
  int64_t revenue;  // scale 4
  int32_t orderdate;
  int32_t shippriority;
};

std::string FormatQ3(const std::vector<Q3Row>& rows);

// Q3's build side: the candidate orders (a BUILDING customer, ordered before `date`) in orders' row order,
// and slot_of[orderkey], the index in `candidates` of the order with that key (-1: none; the last such
// order when a key repeats).
struct Q3BuildSide {
  std::vector<Q3Row> candidates;
  std::unique_ptr<int32_t[]> slot_of;  // max_orderkey + 1 entries
};

// Builds it on `threads`, morsel by morsel, giving exactly the arrays a single pass in row order gives:
// each morsel collects its candidates, the morsels are concatenated in order, and slot_of keeps the
// largest index written for a key. Writes to shared arrays are relaxed atomics: distinct keys never
// collide, and repeated keys (not TPC-H data, but not excluded by the loader) stay well defined.
template <typename Customer, typename Orders>
Q3BuildSide BuildQ3(const Customer& customer, const Orders& orders, int64_t max_custkey, int64_t max_orderkey,
                    int32_t date, int threads) {
  std::vector<uint8_t> building(static_cast<size_t>(max_custkey) + 1, 0);
  ForEachMorsel(customer.Rows(), threads, [&](int64_t, int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const int32_t key = customer.Custkey(i);
      if (key >= 0 && key <= max_custkey && customer.Mktsegment(i) == "BUILDING") {
        std::atomic_ref<uint8_t>(building[key]).store(1, std::memory_order_relaxed);
      }
    }
  });
  Q3BuildSide build;
  // Filled in parallel: at SF 1 this array is 24 MB, and its first touch (page faults) is most of its cost.
  const int64_t keys = max_orderkey + 1;
  build.slot_of = std::make_unique_for_overwrite<int32_t[]>(static_cast<size_t>(keys));
  ForEachMorsel(keys, threads, [&](int64_t, int64_t begin, int64_t end) {
    std::fill(build.slot_of.get() + begin, build.slot_of.get() + end, -1);
  });
  const int64_t morsels = (orders.Rows() + kMorselRows - 1) / kMorselRows;
  std::vector<std::vector<Q3Row>> found(static_cast<size_t>(morsels));
  ForEachMorsel(orders.Rows(), threads, [&](int64_t morsel, int64_t begin, int64_t end) {
    std::vector<Q3Row>& rows = found[static_cast<size_t>(morsel)];
    for (int64_t i = begin; i < end; ++i) {
      const int32_t custkey = orders.Custkey(i);
      const int64_t orderkey = orders.Orderkey(i);
      // The customer test first: one in five passes it, against one in two for the date, in random order.
      if (custkey >= 0 && custkey <= max_custkey && building[custkey] != 0 && orders.Orderdate(i) < date &&
          orderkey >= 0 && orderkey <= max_orderkey) {
        rows.push_back({orderkey, 0, orders.Orderdate(i), orders.Shippriority(i)});
      }
    }
  });
  std::vector<size_t> first(found.size() + 1, 0);
  for (size_t morsel = 0; morsel < found.size(); ++morsel) first[morsel + 1] = first[morsel] + found[morsel].size();
  build.candidates.resize(first.back());
  // One task per morsel of orders: copy its candidates into place and record their slots.
  ForEachMorsel(morsels * kMorselRows, threads, [&](int64_t morsel, int64_t, int64_t) {
    const std::vector<Q3Row>& rows = found[static_cast<size_t>(morsel)];
    for (size_t j = 0; j < rows.size(); ++j) {
      const int32_t slot = static_cast<int32_t>(first[static_cast<size_t>(morsel)] + j);
      build.candidates[static_cast<size_t>(slot)] = rows[j];
      std::atomic_ref<int32_t> entry(build.slot_of[static_cast<size_t>(rows[j].orderkey)]);
      int32_t seen = entry.load(std::memory_order_relaxed);
      while (seen < slot && !entry.compare_exchange_weak(seen, slot, std::memory_order_relaxed)) {
      }
    }
  });
  return build;
}

// max_custkey and max_orderkey bound the keys of customer and orders (their column maxima).
template <typename Customer, typename Orders, typename Lineitem>
std::string RunQ3(const Customer& customer, const Orders& orders, const Lineitem& lineitem, int64_t max_custkey,
                  int64_t max_orderkey, int threads) {
  constexpr int32_t kDate = DaysFromCivil(1995, 3, 15);
  const Q3BuildSide build = BuildQ3(customer, orders, max_custkey, max_orderkey, kDate, threads);
  const std::vector<Q3Row>& candidates = build.candidates;
  // About half the rows pass the shipdate filter in no order a predictor could learn, but only about one
  // in ten belongs to a candidate order: testing the order first keeps mispredicted branches rare.
  const std::vector<int64_t> revenue = ScatterAdd<int64_t>(
      lineitem.Rows(), candidates.size(), threads, [&](int64_t begin, int64_t end, std::vector<int64_t>& sums) {
        const Lineitem rows = lineitem;  // a local copy keeps the spans in registers (see q6.h)
        int64_t* const revenue_of = sums.data();
        const int32_t* const slots = build.slot_of.get();
        for (int64_t i = begin; i < end; ++i) {
          const int64_t orderkey = rows.Orderkey(i);
          const bool in_range = static_cast<uint64_t>(orderkey) <= static_cast<uint64_t>(max_orderkey);
          const int32_t found = slots[in_range ? orderkey : 0];
          if (!in_range || found < 0) continue;
          if (rows.Shipdate(i) > kDate) revenue_of[found] += rows.Extendedprice(i) * (100 - rows.Discount(i));
        }
      });
  std::vector<Q3Row> result;
  for (size_t slot = 0; slot < candidates.size(); ++slot) {
    if (revenue[slot] == 0) continue;  // no qualifying lineitem: the inner join drops the order
    result.push_back(candidates[slot]);
    result.back().revenue = revenue[slot];
  }
  const size_t limit = std::min<size_t>(10, result.size());
  std::partial_sort(result.begin(), result.begin() + limit, result.end(), [](const Q3Row& a, const Q3Row& b) {
    if (a.revenue != b.revenue) return a.revenue > b.revenue;
    if (a.orderdate != b.orderdate) return a.orderdate < b.orderdate;
    return a.orderkey < b.orderkey;
  });
  result.resize(limit);
  return FormatQ3(result);
}

}  // namespace claimbench::columnar
