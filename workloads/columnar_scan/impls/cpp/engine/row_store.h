// The row-store (array of structs) copy of the tables: every field of a row side by side, strings in
// fixed CHAR(n) arrays as a row-oriented engine would keep them. Built from the column store before a
// query starts, so a scan of one field drags whole rows through the caches: the cost the columnar claim
// is about.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "column_store.h"

namespace claimbench::columnar {

// TPC-H's CHAR(n)/VARCHAR(n) widths; a shorter value is padded with '\0'.
template <size_t N>
using Text = char[N];

template <size_t N>
std::string_view FixedText(const char (&text)[N]) {
  size_t length = 0;
  while (length < N && text[length] != '\0') ++length;
  return {text, length};
}

struct LineitemRow {
  int64_t orderkey;
  int32_t partkey, suppkey, linenumber;
  int32_t shipdate, commitdate, receiptdate;
  int64_t quantity, extendedprice, discount, tax;
  char returnflag, linestatus;
  Text<25> shipinstruct;
  Text<10> shipmode;
  Text<44> comment;
};

struct OrdersRow {
  int64_t orderkey;
  int32_t custkey;
  char orderstatus;
  int64_t totalprice;
  int32_t orderdate;
  Text<15> orderpriority;
  Text<15> clerk;
  int32_t shippriority;
  Text<79> comment;
};

struct CustomerRow {
  int32_t custkey;
  Text<25> name;
  Text<40> address;
  int32_t nationkey;
  Text<15> phone;
  int64_t acctbal;
  Text<10> mktsegment;
  Text<117> comment;
};

// Copies every column of each table into rows. Throws DataError for missing or unusable columns, or a
// string longer than its CHAR(n).
std::vector<LineitemRow> BuildLineitemRows(ColumnStore& store);
std::vector<OrdersRow> BuildOrdersRows(ColumnStore& store);
std::vector<CustomerRow> BuildCustomerRows(ColumnStore& store);

}  // namespace claimbench::columnar
