// Read access to a columnar data directory: the manifest, then each column mapped on first use and
// checked (size against the manifest, checksum, string offsets) before any query sees it, so that a
// corrupt or truncated file is a clear DataError and never an out-of-bounds read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <array>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "manifest.h"
#include "mapped_file.h"

namespace claimbench::columnar {

// A string column: row i is bytes[offsets[i], offsets[i + 1]).
struct StringColumn {
  std::span<const uint64_t> offsets;  // rows + 1, offsets[0] == 0, non-decreasing, last == bytes.size()
  std::span<const char> bytes;
  std::string_view At(int64_t row) const {
    return {bytes.data() + offsets[row], static_cast<size_t>(offsets[row + 1] - offsets[row])};
  }
};

// Not thread-safe while columns are being mapped; the spans it returns may be read from any thread and
// live as long as the store.
class ColumnStore {
 public:
  // Reads and checks DIR/manifest.json. Throws DataError when it is missing or malformed.
  explicit ColumnStore(std::filesystem::path dir);

  const Manifest& manifest() const { return manifest_; }
  // Throws DataError when the manifest has no such table.
  const TableEntry& Table(std::string_view table) const;
  int64_t Rows(std::string_view table) const { return Table(table).rows; }

  // The values of a fixed-width column whose manifest type is `type` (T must have its width). Throws
  // DataError for a missing column, another type, or a file that fails its checks.
  template <typename T>
  std::span<const T> Fixed(std::string_view table, std::string_view column, ColumnType type) {
    std::span<const std::byte> bytes = Map(table, column, type, sizeof(T))[0];
    return {reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T)};
  }
  StringColumn Strings(std::string_view table, std::string_view column);

  // Bytes of every file mapped so far.
  int64_t mapped_bytes() const { return mapped_bytes_; }

 private:
  struct MappedColumn {
    std::unique_ptr<MappedFile> files[2];
  };
  std::array<std::span<const std::byte>, 2> Map(std::string_view table, std::string_view column, ColumnType type,
                                                size_t width);

  std::filesystem::path dir_;
  Manifest manifest_;
  std::map<std::string, MappedColumn, std::less<>> columns_;
  int64_t mapped_bytes_ = 0;
};

}  // namespace claimbench::columnar
