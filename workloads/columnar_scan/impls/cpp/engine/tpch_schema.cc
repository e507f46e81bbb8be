#include "tpch_schema.h"

#include <array>

namespace claimbench::columnar {
namespace {

using T = ColumnType;

constexpr std::array kLineitem = {
    ColumnDef{"l_orderkey", T::kInt64},     ColumnDef{"l_partkey", T::kInt32},
    ColumnDef{"l_suppkey", T::kInt32},      ColumnDef{"l_linenumber", T::kInt32},
    ColumnDef{"l_quantity", T::kDecimal},   ColumnDef{"l_extendedprice", T::kDecimal},
    ColumnDef{"l_discount", T::kDecimal},   ColumnDef{"l_tax", T::kDecimal},
    ColumnDef{"l_returnflag", T::kChar},    ColumnDef{"l_linestatus", T::kChar},
    ColumnDef{"l_shipdate", T::kDate},      ColumnDef{"l_commitdate", T::kDate},
    ColumnDef{"l_receiptdate", T::kDate},   ColumnDef{"l_shipinstruct", T::kString},
    ColumnDef{"l_shipmode", T::kString},    ColumnDef{"l_comment", T::kString},
};

constexpr std::array kOrders = {
    ColumnDef{"o_orderkey", T::kInt64},      ColumnDef{"o_custkey", T::kInt32},
    ColumnDef{"o_orderstatus", T::kChar},    ColumnDef{"o_totalprice", T::kDecimal},
    ColumnDef{"o_orderdate", T::kDate},      ColumnDef{"o_orderpriority", T::kString},
    ColumnDef{"o_clerk", T::kString},        ColumnDef{"o_shippriority", T::kInt32},
    ColumnDef{"o_comment", T::kString},
};

constexpr std::array kCustomer = {
    ColumnDef{"c_custkey", T::kInt32},     ColumnDef{"c_name", T::kString},
    ColumnDef{"c_address", T::kString},    ColumnDef{"c_nationkey", T::kInt32},
    ColumnDef{"c_phone", T::kString},      ColumnDef{"c_acctbal", T::kDecimal},
    ColumnDef{"c_mktsegment", T::kString}, ColumnDef{"c_comment", T::kString},
};

constexpr std::array kTables = {
    TableDef{"lineitem", kLineitem},
    TableDef{"orders", kOrders},
    TableDef{"customer", kCustomer},
};

}  // namespace

std::string_view TypeName(ColumnType type) {
  switch (type) {
    case T::kInt32: return "int32";
    case T::kInt64: return "int64";
    case T::kDecimal: return "decimal(15,2)";
    case T::kDate: return "date";
    case T::kChar: return "char";
    case T::kString: return "string";
  }
  return "?";
}

bool TypeFromName(std::string_view name, ColumnType& type) {
  for (T candidate : {T::kInt32, T::kInt64, T::kDecimal, T::kDate, T::kChar, T::kString}) {
    if (TypeName(candidate) == name) {
      type = candidate;
      return true;
    }
  }
  return false;
}

int64_t TypeWidth(ColumnType type) {
  switch (type) {
    case T::kInt32:
    case T::kDate: return 4;
    case T::kInt64:
    case T::kDecimal: return 8;
    case T::kChar: return 1;
    case T::kString: return 0;
  }
  return 0;
}

std::span<const TableDef> TpchTables() { return kTables; }

const TableDef* FindTable(std::string_view name) {
  for (const TableDef& table : kTables) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

}  // namespace claimbench::columnar
