#include "row_store.h"

#include <cstring>

#include <fmt/format.h>

namespace claimbench::columnar {
namespace {

using T = ColumnType;

template <size_t N>
void CopyText(const StringColumn& column, int64_t row, char (&out)[N], std::string_view name) {
  const std::string_view value = column.At(row);
  if (value.size() > N) {
    throw DataError(fmt::format("{} row {} is {} bytes, longer than CHAR({}); regenerate the data", name, row,
                                value.size(), N));
  }
  std::memset(out, 0, N);
  if (!value.empty()) std::memcpy(out, value.data(), value.size());  // an empty column's data may be null
}

}  // namespace

std::vector<LineitemRow> BuildLineitemRows(ColumnStore& store) {
  const auto orderkey = store.Fixed<int64_t>("lineitem", "l_orderkey", T::kInt64);
  const auto partkey = store.Fixed<int32_t>("lineitem", "l_partkey", T::kInt32);
  const auto suppkey = store.Fixed<int32_t>("lineitem", "l_suppkey", T::kInt32);
  const auto linenumber = store.Fixed<int32_t>("lineitem", "l_linenumber", T::kInt32);
  const auto quantity = store.Fixed<int64_t>("lineitem", "l_quantity", T::kDecimal);
  const auto extendedprice = store.Fixed<int64_t>("lineitem", "l_extendedprice", T::kDecimal);
  const auto discount = store.Fixed<int64_t>("lineitem", "l_discount", T::kDecimal);
  const auto tax = store.Fixed<int64_t>("lineitem", "l_tax", T::kDecimal);
  const auto returnflag = store.Fixed<char>("lineitem", "l_returnflag", T::kChar);
  const auto linestatus = store.Fixed<char>("lineitem", "l_linestatus", T::kChar);
  const auto shipdate = store.Fixed<int32_t>("lineitem", "l_shipdate", T::kDate);
  const auto commitdate = store.Fixed<int32_t>("lineitem", "l_commitdate", T::kDate);
  const auto receiptdate = store.Fixed<int32_t>("lineitem", "l_receiptdate", T::kDate);
  const StringColumn shipinstruct = store.Strings("lineitem", "l_shipinstruct");
  const StringColumn shipmode = store.Strings("lineitem", "l_shipmode");
  const StringColumn comment = store.Strings("lineitem", "l_comment");
  std::vector<LineitemRow> rows(static_cast<size_t>(store.Rows("lineitem")));
  for (size_t i = 0; i < rows.size(); ++i) {
    LineitemRow& row = rows[i];
    row.orderkey = orderkey[i];
    row.partkey = partkey[i];
    row.suppkey = suppkey[i];
    row.linenumber = linenumber[i];
    row.shipdate = shipdate[i];
    row.commitdate = commitdate[i];
    row.receiptdate = receiptdate[i];
    row.quantity = quantity[i];
    row.extendedprice = extendedprice[i];
    row.discount = discount[i];
    row.tax = tax[i];
    row.returnflag = returnflag[i];
    row.linestatus = linestatus[i];
    CopyText(shipinstruct, i, row.shipinstruct, "l_shipinstruct");
    CopyText(shipmode, i, row.shipmode, "l_shipmode");
    CopyText(comment, i, row.comment, "l_comment");
  }
  return rows;
}

std::vector<OrdersRow> BuildOrdersRows(ColumnStore& store) {
  const auto orderkey = store.Fixed<int64_t>("orders", "o_orderkey", T::kInt64);
  const auto custkey = store.Fixed<int32_t>("orders", "o_custkey", T::kInt32);
  const auto orderstatus = store.Fixed<char>("orders", "o_orderstatus", T::kChar);
  const auto totalprice = store.Fixed<int64_t>("orders", "o_totalprice", T::kDecimal);
  const auto orderdate = store.Fixed<int32_t>("orders", "o_orderdate", T::kDate);
  const StringColumn orderpriority = store.Strings("orders", "o_orderpriority");
  const StringColumn clerk = store.Strings("orders", "o_clerk");
  const auto shippriority = store.Fixed<int32_t>("orders", "o_shippriority", T::kInt32);
  const StringColumn comment = store.Strings("orders", "o_comment");
  std::vector<OrdersRow> rows(static_cast<size_t>(store.Rows("orders")));
  for (size_t i = 0; i < rows.size(); ++i) {
    OrdersRow& row = rows[i];
    row.orderkey = orderkey[i];
    row.custkey = custkey[i];
    row.orderstatus = orderstatus[i];
    row.totalprice = totalprice[i];
    row.orderdate = orderdate[i];
    CopyText(orderpriority, i, row.orderpriority, "o_orderpriority");
    CopyText(clerk, i, row.clerk, "o_clerk");
    row.shippriority = shippriority[i];
    CopyText(comment, i, row.comment, "o_comment");
  }
  return rows;
}

std::vector<CustomerRow> BuildCustomerRows(ColumnStore& store) {
  const auto custkey = store.Fixed<int32_t>("customer", "c_custkey", T::kInt32);
  const StringColumn name = store.Strings("customer", "c_name");
  const StringColumn address = store.Strings("customer", "c_address");
  const auto nationkey = store.Fixed<int32_t>("customer", "c_nationkey", T::kInt32);
  const StringColumn phone = store.Strings("customer", "c_phone");
  const auto acctbal = store.Fixed<int64_t>("customer", "c_acctbal", T::kDecimal);
  const StringColumn mktsegment = store.Strings("customer", "c_mktsegment");
  const StringColumn comment = store.Strings("customer", "c_comment");
  std::vector<CustomerRow> rows(static_cast<size_t>(store.Rows("customer")));
  for (size_t i = 0; i < rows.size(); ++i) {
    CustomerRow& row = rows[i];
    row.custkey = custkey[i];
    CopyText(name, i, row.name, "c_name");
    CopyText(address, i, row.address, "c_address");
    row.nationkey = nationkey[i];
    CopyText(phone, i, row.phone, "c_phone");
    row.acctbal = acctbal[i];
    CopyText(mktsegment, i, row.mktsegment, "c_mktsegment");
    CopyText(comment, i, row.comment, "c_comment");
  }
  return rows;
}

}  // namespace claimbench::columnar
