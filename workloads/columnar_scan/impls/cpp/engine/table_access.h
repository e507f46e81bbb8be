// Table accessors: what the query templates read a row's fields through. The column-store accessor holds
// one span per column; the row-store accessor holds one span of structs. Only the memory layout differs,
// so comparing the two measures the layout and nothing else.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "column_store.h"
#include "row_store.h"

namespace claimbench::columnar {

// lineitem as columns; only the columns a query mapped are non-empty.
struct LineitemColumns {
  int64_t rows = 0;
  std::span<const int64_t> orderkey, quantity, extendedprice, discount, tax;
  std::span<const int32_t> shipdate;
  std::span<const char> returnflag, linestatus;

  int64_t Rows() const { return rows; }
  int64_t Orderkey(int64_t i) const { return orderkey[i]; }
  int64_t Quantity(int64_t i) const { return quantity[i]; }
  int64_t Extendedprice(int64_t i) const { return extendedprice[i]; }
  int64_t Discount(int64_t i) const { return discount[i]; }
  int64_t Tax(int64_t i) const { return tax[i]; }
  int32_t Shipdate(int64_t i) const { return shipdate[i]; }
  char Returnflag(int64_t i) const { return returnflag[i]; }
  char Linestatus(int64_t i) const { return linestatus[i]; }

  // Starts loading row i's extendedprice, discount and shipdate. For probes that read them for a scattered
  // tenth of the rows, which the hardware prefetcher does not follow; call it every 8 rows (a cache line
  // of the 8-byte columns), some hundreds of rows ahead. Prefetching past the end is harmless.
  void PrefetchPriceAndDate(int64_t i) const {
    __builtin_prefetch(extendedprice.data() + i);
    __builtin_prefetch(discount.data() + i);
    __builtin_prefetch(shipdate.data() + i);  // twice per line of this 4-byte column: simpler than a test
  }
};

struct LineitemRows {
  std::span<const LineitemRow> rows;

  int64_t Rows() const { return static_cast<int64_t>(rows.size()); }
  int64_t Orderkey(int64_t i) const { return rows[i].orderkey; }
  int64_t Quantity(int64_t i) const { return rows[i].quantity; }
  int64_t Extendedprice(int64_t i) const { return rows[i].extendedprice; }
  int64_t Discount(int64_t i) const { return rows[i].discount; }
  int64_t Tax(int64_t i) const { return rows[i].tax; }
  int32_t Shipdate(int64_t i) const { return rows[i].shipdate; }
  char Returnflag(int64_t i) const { return rows[i].returnflag; }
  char Linestatus(int64_t i) const { return rows[i].linestatus; }
  void PrefetchPriceAndDate(int64_t) const {}  // a probe reads whole rows: nothing to start early
};

struct OrdersColumns {
  int64_t rows = 0;
  std::span<const int64_t> orderkey, totalprice;
  std::span<const int32_t> custkey, orderdate, shippriority;

  int64_t Rows() const { return rows; }
  int64_t Orderkey(int64_t i) const { return orderkey[i]; }
  int64_t Totalprice(int64_t i) const { return totalprice[i]; }
  int32_t Custkey(int64_t i) const { return custkey[i]; }
  int32_t Orderdate(int64_t i) const { return orderdate[i]; }
  int32_t Shippriority(int64_t i) const { return shippriority[i]; }
};

struct OrdersRows {
  std::span<const OrdersRow> rows;

  int64_t Rows() const { return static_cast<int64_t>(rows.size()); }
  int64_t Orderkey(int64_t i) const { return rows[i].orderkey; }
  int64_t Totalprice(int64_t i) const { return rows[i].totalprice; }
  int32_t Custkey(int64_t i) const { return rows[i].custkey; }
  int32_t Orderdate(int64_t i) const { return rows[i].orderdate; }
  int32_t Shippriority(int64_t i) const { return rows[i].shippriority; }
};

struct CustomerColumns {
  int64_t rows = 0;
  std::span<const int32_t> custkey;
  StringColumn name, mktsegment;

  int64_t Rows() const { return rows; }
  int32_t Custkey(int64_t i) const { return custkey[i]; }
  std::string_view Name(int64_t i) const { return name.At(i); }
  std::string_view Mktsegment(int64_t i) const { return mktsegment.At(i); }
};

struct CustomerRows {
  std::span<const CustomerRow> rows;

  int64_t Rows() const { return static_cast<int64_t>(rows.size()); }
  int32_t Custkey(int64_t i) const { return rows[i].custkey; }
  std::string_view Name(int64_t i) const { return FixedText(rows[i].name); }
  std::string_view Mktsegment(int64_t i) const { return FixedText(rows[i].mktsegment); }
};

}  // namespace claimbench::columnar
