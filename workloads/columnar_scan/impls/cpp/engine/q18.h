// TPC-H Q18, large volume customer (QUANTITY 300): a group-by on l_orderkey with one group per order
// (1.5 million groups per SF, far beyond the caches), a semi-join back to orders, a join to customer and
// a top 100.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "date.h"
#include "decimal.h"
#include "dense_keys.h"
#include "ranked_key_set.h"

namespace claimbench::columnar {

struct Q18Row {
  std::string_view name;
  int32_t custkey;
  int64_t orderkey;
  int32_t orderdate;
  int64_t totalprice;    // scale 2
  int64_t sum_quantity;  // scale 2
};

std::string FormatQ18(const std::vector<Q18Row>& rows);

template <typename Customer, typename Orders, typename Lineitem>
std::string RunQ18(const Customer& customer, const Orders& orders, const Lineitem& lineitem, int64_t max_custkey,
                   int64_t max_orderkey, int threads) {
  // The groups are the orders' keys, numbered by their rank in a RankedKeySet: 1.5 million per SF, where
  // an array indexed by the key itself spans four times as many values (240 MB at SF 10, whose first touch
  // took most of the query's time).
  RankedKeySet keys(max_orderkey, threads);
  ForEachMorsel(orders.Rows(), threads, [&](int64_t, int64_t begin, int64_t end) {
    RankedKeySet::Inserter inserter(keys);
    for (int64_t i = begin; i < end; ++i) {
      const int64_t orderkey = orders.Orderkey(i);
      if (orderkey >= 0 && orderkey <= max_orderkey) inserter.Insert(orderkey);
    }
  });
  keys.FinishInserts(threads);
  // An order has at most 7 lines of at most 50 units: 35000 hundredths fit in uint32 (whose wrap-around
  // on impossible data is defined, unlike int32's overflow). Lines of an order that is not in orders are
  // not summed: the semi-join below would drop them anyway.
  const std::vector<uint32_t> quantity = ScatterAdd<uint32_t>(
      lineitem.Rows(), static_cast<size_t>(keys.Size()), threads,
      [&](int64_t begin, int64_t end, std::vector<uint32_t>& sums) {
        const Lineitem rows = lineitem;  // a local copy keeps the spans in registers (see q6.h)
        uint32_t* const quantity_of = sums.data();
        for (int64_t i = begin; i < end; ++i) {
          const int64_t orderkey = rows.Orderkey(i);
          if (orderkey < 0 || orderkey > max_orderkey) continue;
          const int64_t group = keys.Rank(orderkey);
          if (group >= 0) quantity_of[group] += static_cast<uint32_t>(rows.Quantity(i));
        }
      });
  std::vector<int64_t> customer_row(static_cast<size_t>(max_custkey) + 1, -1);
  for (int64_t i = 0; i < customer.Rows(); ++i) {
    const int32_t key = customer.Custkey(i);
    if (key >= 0 && key <= max_custkey) customer_row[key] = i;
  }
  std::vector<Q18Row> result;
  for (int64_t i = 0; i < orders.Rows(); ++i) {
    const int64_t orderkey = orders.Orderkey(i);
    const int32_t custkey = orders.Custkey(i);
    if (orderkey < 0 || orderkey > max_orderkey) continue;
    const uint32_t order_quantity = quantity[static_cast<size_t>(keys.Rank(orderkey))];
    if (order_quantity <= 30000) continue;
    if (custkey < 0 || custkey > max_custkey || customer_row[custkey] < 0) continue;
    result.push_back({customer.Name(customer_row[custkey]), custkey, orderkey, orders.Orderdate(i),
                      orders.Totalprice(i), static_cast<int64_t>(order_quantity)});
  }
  const size_t limit = std::min<size_t>(100, result.size());
  std::partial_sort(result.begin(), result.begin() + limit, result.end(), [](const Q18Row& a, const Q18Row& b) {
    if (a.totalprice != b.totalprice) return a.totalprice > b.totalprice;
    if (a.orderdate != b.orderdate) return a.orderdate < b.orderdate;
    return a.orderkey < b.orderkey;
  });
  result.resize(limit);
  return FormatQ18(result);
}

}  // namespace claimbench::columnar
