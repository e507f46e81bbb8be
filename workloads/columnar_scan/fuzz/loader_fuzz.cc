// libFuzzer target for the columnar loader: whatever the bytes, opening a data directory and preparing any
// query either works or throws DataError; it never reads out of bounds, crashes or allocates without
// bound. Two modes, chosen by the first byte:
//   even: the bytes are a manifest, given to ParseManifest;
//   odd:  the bytes fill every column file of a directory whose manifest has the right sizes and
//         checksums (so the fuzzer gets past them) and whose row counts come from the input; string
//         offsets are sometimes well-formed, sometimes raw bytes. Every query is then prepared in both
//         layouts (mapping, offset checks, key statistics, row-store build).
// Query arithmetic on arbitrary values is out of scope: a checksummed file is trusted to hold TPC-H's
// value domains (SPEC.md), and SPEC.md's bounds are what keep the fixed-point sums from overflowing.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "atomic_manifest.h"
#include "column_store.h"
#include "query.h"
#include "tbl_import.h"
#include "tpch_schema.h"

namespace {

namespace fs = std::filesystem;
using namespace claimbench::columnar;

const fs::path& WorkDir() {
  static const fs::path dir = [] {
    fs::path path = fs::temp_directory_path() / fmt::format("columnar_loader_fuzz_{}", ::getpid());
    fs::create_directories(path);
    return path;
  }();
  // The seed replay (and a libFuzzer run that ends normally) leaves nothing behind in /tmp. Registered
  // after `dir` is built, so it runs before `dir` is destroyed.
  static const bool cleanup = std::atexit([] {
    std::error_code error;
    fs::remove_all(WorkDir(), error);
  }) == 0;
  (void)cleanup;
  return dir;
}

// Cycles through the input from `start` to make `size` bytes.
std::string Fill(std::string_view input, size_t start, size_t size) {
  std::string out(size, '\0');
  if (input.empty()) return out;
  for (size_t i = 0; i < size; ++i) out[i] = input[(start + i) % input.size()];
  return out;
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return;
  std::fwrite(bytes.data(), 1, bytes.size(), file);
  std::fclose(file);
}

void FuzzDirectory(std::string_view input) {
  const fs::path dir = WorkDir();
  fs::remove_all(dir);
  const bool well_formed_offsets = input.size() > 1 && (input[1] & 1) != 0;
  Manifest manifest;
  manifest.scale_factor = "fuzz";
  manifest.generator = "loader_fuzz";
  size_t cursor = 0;
  for (const TableDef& table : TpchTables()) {
    fs::create_directories(dir / std::string(table.name));
    TableEntry entry;
    entry.name = std::string(table.name);
    entry.rows = input.size() > 2 + cursor % 7 ? static_cast<uint8_t>(input[2 + cursor % 7]) % 64 : 1;
    for (const ColumnDef& def : table.columns) {
      ColumnEntry column;
      column.name = std::string(def.name);
      column.type = def.type;
      const std::string base = fmt::format("{}/{}", table.name, def.name);
      const size_t rows = static_cast<size_t>(entry.rows);
      if (def.type == ColumnType::kString) {
        std::string offsets;
        std::string bytes;
        if (well_formed_offsets) {
          uint64_t end = 0;
          offsets.append(reinterpret_cast<const char*>(&end), 8);
          for (size_t i = 0; i < rows; ++i) {
            end += input.empty() ? 0 : static_cast<uint8_t>(input[(cursor + i) % input.size()]) % 130;
            offsets.append(reinterpret_cast<const char*>(&end), 8);
          }
          bytes = Fill(input, cursor, end);
        } else {
          offsets = Fill(input, cursor, (rows + 1) * 8);
          bytes = Fill(input, cursor + 3, rows * 4);
        }
        WriteFile(dir / (base + ".offsets"), offsets);
        WriteFile(dir / (base + ".bytes"), bytes);
        column.files = {DescribeFile(dir, base + ".offsets"), DescribeFile(dir, base + ".bytes")};
      } else {
        WriteFile(dir / (base + ".bin"), Fill(input, cursor, rows * static_cast<size_t>(TypeWidth(def.type))));
        column.files = {DescribeFile(dir, base + ".bin")};
      }
      cursor += 13;
      entry.columns.push_back(std::move(column));
    }
    manifest.tables.push_back(std::move(entry));
  }
  WriteManifest(dir, manifest);
  for (const std::string& query : QueryNames()) {
    for (Layout layout : {Layout::kColumns, Layout::kRows}) {
      try {
        ColumnStore store(dir);
        PrepareQuery(query, layout, store);
      } catch (const DataError&) {
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if ((data[0] & 1) == 0) {
    try {
      ParseManifest(input.substr(1));
    } catch (const DataError&) {
    }
    return 0;
  }
  FuzzDirectory(input);
  return 0;
}
