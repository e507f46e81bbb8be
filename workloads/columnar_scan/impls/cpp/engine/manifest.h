// The manifest of a columnar data directory (SPEC.md, "Data format"): which tables, how many rows, and
// for every column its type and files with their sizes and checksums. It is the one place a loader trusts
// about the files, so parsing it checks everything that could make a later read go out of bounds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tpch_schema.h"

namespace claimbench::columnar {

// A data directory or query that cannot be used: the message says what is wrong and what to do.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::string_view kFormatName = "claimbench-columnar";
inline constexpr int kFormatVersion = 1;

struct FileEntry {
  std::string path;  // relative to the data directory, no "..", e.g. "lineitem/l_shipdate.bin"
  int64_t bytes = 0;
  uint64_t checksum = 0;  // Checksum64 of the whole file
};

struct ColumnEntry {
  std::string name;
  ColumnType type = ColumnType::kInt32;
  std::vector<FileEntry> files;  // fixed width: {values}; string: {offsets, bytes}
};

struct TableEntry {
  std::string name;
  int64_t rows = 0;
  std::vector<ColumnEntry> columns;

  // nullptr when the table has no such column.
  const ColumnEntry* FindColumn(std::string_view column) const;
};

struct Manifest {
  std::string scale_factor;  // as given to the generator, e.g. "0.1"
  std::string generator;     // e.g. "tpchgen-cli 4.0.0"
  std::vector<TableEntry> tables;

  const TableEntry* FindTable(std::string_view table) const;
};

// A 64-bit checksum of `data` (four multiply-xor lanes over 8-byte words, then the tail): fast enough to
// verify every column on load, and any flipped bit changes it. Not cryptographic.
uint64_t Checksum64(std::span<const std::byte> data);

std::string ManifestToJson(const Manifest& manifest);

// Parses and checks a manifest: JSON shape, format name and version, known types, sizes consistent with
// the row count (fixed width: rows * width; string offsets: (rows + 1) * 8), relative paths without "..".
// Throws DataError naming the first problem. Never reads past `json`.
Manifest ParseManifest(std::string_view json);

}  // namespace claimbench::columnar
