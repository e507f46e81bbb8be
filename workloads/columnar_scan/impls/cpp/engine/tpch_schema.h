// The TPC-H tables this workload stores, column by column, with each column's physical type. The order
// of the columns is the order of the fields in dbgen's .tbl lines.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace claimbench::columnar {

// Physical column types of the on-disk format (SPEC.md, "Data format").
enum class ColumnType {
  kInt32,    // int32 little-endian
  kInt64,    // int64 little-endian
  kDecimal,  // DECIMAL(15,2): int64 hundredths
  kDate,     // int32 days since 1970-01-01
  kChar,     // CHAR(1): one byte
  kString,   // variable length: uint64 offsets (rows + 1) and the concatenated bytes
};

struct ColumnDef {
  std::string_view name;
  ColumnType type;
};

struct TableDef {
  std::string_view name;
  std::span<const ColumnDef> columns;
};

// "int32", "int64", "decimal(15,2)", "date", "char", "string".
std::string_view TypeName(ColumnType type);
// The inverse of TypeName; false for an unknown name.
bool TypeFromName(std::string_view name, ColumnType& type);
// Bytes per row of a fixed-width type; 0 for kString.
int64_t TypeWidth(ColumnType type);

// lineitem, orders, customer: what the workload's queries read.
std::span<const TableDef> TpchTables();
// nullptr when the table is not one of TpchTables().
const TableDef* FindTable(std::string_view name);

}  // namespace claimbench::columnar
