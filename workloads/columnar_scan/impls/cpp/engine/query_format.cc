// How each query prints its answer (SPEC.md, "Output"): a header row, money rounded half away from zero
// to 2 decimals from its exact fixed-point value, averages computed exactly and rounded the same way.
#include <fmt/format.h>

#include "q1.h"
#include "q18.h"
#include "q3.h"
#include "q6.h"

namespace claimbench::columnar {

std::string FormatQ1(const Q1State& state) {
  std::string csv =
      "l_returnflag,l_linestatus,sum_qty,sum_base_price,sum_disc_price,sum_charge,avg_qty,avg_price,avg_disc,"
      "count_order\n";
  constexpr char kFlags[] = {'A', 'N', 'R'};
  constexpr char kStatuses[] = {'F', 'O'};
  for (int flag = 0; flag < 3; ++flag) {
    for (int status = 0; status < 2; ++status) {
      const Q1Group& group = state[flag * 2 + status];
      if (group.count == 0) continue;
      csv += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", kFlags[flag], kStatuses[status],
                         FormatScaled(group.sum_qty, 2, 2), FormatScaled(group.sum_base_price, 2, 2),
                         FormatScaled(group.sum_disc_price, 4, 2), FormatScaled(group.sum_charge, 6, 2),
                         FormatRatio(group.sum_qty, 2, group.count, 2),
                         FormatRatio(group.sum_base_price, 2, group.count, 2),
                         FormatRatio(group.sum_discount, 2, group.count, 2), group.count);
    }
  }
  return csv;
}

std::string FormatQ6(Int128 revenue) { return "revenue\n" + FormatScaled(revenue, 4, 2) + "\n"; }

std::string FormatQ3(const std::vector<Q3Row>& rows) {
  std::string csv = "l_orderkey,revenue,o_orderdate,o_shippriority\n";
  for (const Q3Row& row : rows) {
    csv += fmt::format("{},{},{},{}\n", row.orderkey, FormatScaled(row.revenue, 4, 2), FormatDate(row.orderdate),
                       row.shippriority);
  }
  return csv;
}

std::string FormatQ18(const std::vector<Q18Row>& rows) {
  std::string csv = "c_name,c_custkey,o_orderkey,o_orderdate,o_totalprice,sum_qty\n";
  for (const Q18Row& row : rows) {
    csv += fmt::format("{},{},{},{},{},{}\n", row.name, row.custkey, row.orderkey, FormatDate(row.orderdate),
                       FormatScaled(row.totalprice, 2, 2), FormatScaled(row.sum_quantity, 2, 2));
  }
  return csv;
}

}  // namespace claimbench::columnar
