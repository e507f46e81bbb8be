// Turns one dbgen-format .tbl file ('|'-separated fields, one trailing '|', one row per line) into the
// columnar format: one file per column (two for strings) under OUT/<table>/, described by a TableEntry for
// the manifest. Values are parsed strictly: a malformed field is an error naming its line and column,
// never a silently wrong number.
#pragma once

#include <filesystem>

#include "manifest.h"
#include "tpch_schema.h"

namespace claimbench::columnar {

// Reads `tbl_path` as rows of `table` and writes its columns under out_dir / table.name. Throws DataError
// for an unreadable input, a malformed line, or a write failure.
TableEntry ImportTbl(const TableDef& table, const std::filesystem::path& tbl_path,
                     const std::filesystem::path& out_dir);

// Maps `path` and returns its FileEntry (path relative to out_dir, size, checksum).
FileEntry DescribeFile(const std::filesystem::path& out_dir, const std::filesystem::path& relative);

}  // namespace claimbench::columnar
