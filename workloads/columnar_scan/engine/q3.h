// TPC-H Q3, shipping priority (SEGMENT BUILDING, DATE 1995-03-15): a three-way join with selective
// filters on both sides, a group-by on orderkey and a top 10. Build sides (customer, orders) become dense
// arrays; the probe is one pass over lineitem.
#pragma once

#include <algorithm>
#include <cstdint>
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

// max_custkey and max_orderkey bound the keys of customer and orders (their column maxima).
template <typename Customer, typename Orders, typename Lineitem>
std::string RunQ3(const Customer& customer, const Orders& orders, const Lineitem& lineitem, int64_t max_custkey,
                  int64_t max_orderkey, int threads) {
  constexpr int32_t kDate = DaysFromCivil(1995, 3, 15);
  std::vector<uint8_t> building(static_cast<size_t>(max_custkey) + 1, 0);
  for (int64_t i = 0; i < customer.Rows(); ++i) {
    const int32_t key = customer.Custkey(i);
    if (key >= 0 && key <= max_custkey && customer.Mktsegment(i) == "BUILDING") building[key] = 1;
  }
  std::vector<int32_t> slot_of(static_cast<size_t>(max_orderkey) + 1, -1);
  std::vector<Q3Row> candidates;
  for (int64_t i = 0; i < orders.Rows(); ++i) {
    const int32_t custkey = orders.Custkey(i);
    const int64_t orderkey = orders.Orderkey(i);
    // The customer test first: one in five passes it, against one in two for the date, in random order.
    if (custkey >= 0 && custkey <= max_custkey && building[custkey] != 0 && orders.Orderdate(i) < kDate &&
        orderkey >= 0 && orderkey <= max_orderkey) {
      slot_of[orderkey] = static_cast<int32_t>(candidates.size());
      candidates.push_back({orderkey, 0, orders.Orderdate(i), orders.Shippriority(i)});
    }
  }
  // About half the rows pass the shipdate filter in no order a predictor could learn, but only about one
  // in ten belongs to a candidate order: testing the order first keeps mispredicted branches rare.
  const std::vector<int64_t> revenue = ScatterAdd<int64_t>(
      lineitem.Rows(), candidates.size(), threads, [&](int64_t begin, int64_t end, std::vector<int64_t>& sums) {
        const Lineitem rows = lineitem;  // a local copy keeps the spans in registers (see q6.h)
        int64_t* const revenue_of = sums.data();
        const int32_t* const slots = slot_of.data();
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
