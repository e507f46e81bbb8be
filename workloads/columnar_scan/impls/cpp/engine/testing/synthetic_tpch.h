// Small, valid, deterministic TPC-H-shaped data for tests: .tbl text written by a seeded generator (not
// dbgen: the values follow TPC-H's domains, not its distributions), imported into a data directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include <fmt/format.h>

#include "atomic_manifest.h"
#include "date.h"
#include "tbl_import.h"
#include "tpch_schema.h"

namespace claimbench::columnar::testing {

// Writes `orders` orders (custkeys 1..customers, orderkeys 1, 2, 3, 4, 33, ... like dbgen's sparse keys) with
// 1..7 lines each, imports all three tables into `dir` and writes its manifest.
inline void WriteSyntheticTpch(const std::filesystem::path& dir, int customers, int orders, uint64_t seed = 42) {
  std::filesystem::create_directories(dir);
  std::mt19937_64 random(seed);
  auto pick = [&](int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(random); };
  const char* segments[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"};
  {
    std::FILE* out = std::fopen((dir / "customer.tbl").c_str(), "w");
    for (int c = 1; c <= customers; ++c) {
      fmt::print(out, "{}|Customer#{:09}|addr {}|{}|10-000-000-{:04}|{}.{:02}|{}|comment {}|\n", c, c, c, c % 25, c % 10000,
                 pick(-999, 9999), pick(0, 99), segments[pick(0, 4)], c);
    }
    std::fclose(out);
  }
  std::FILE* orders_out = std::fopen((dir / "orders.tbl").c_str(), "w");
  std::FILE* lines_out = std::fopen((dir / "lineitem.tbl").c_str(), "w");
  const int32_t first_day = DaysFromCivil(1992, 1, 1);
  for (int o = 0; o < orders; ++o) {
    const int64_t orderkey = (o / 8) * 32 + (o % 8) + 1;
    const int32_t orderdate = first_day + static_cast<int32_t>(pick(0, 2400));
    const int lines = static_cast<int>(pick(1, 7));
    fmt::print(orders_out, "{}|{}|O|{}.{:02}|{}|1-URGENT|Clerk#{:09}|0|order {}|\n", orderkey, pick(1, customers),
               pick(1000, 500000), pick(0, 99), FormatDate(orderdate), pick(1, 1000), o);
    for (int line = 1; line <= lines; ++line) {
      const int64_t quantity = pick(1, 50);
      const int32_t shipdate = orderdate + static_cast<int32_t>(pick(1, 121));
      const char* flag = shipdate > DaysFromCivil(1995, 6, 17) ? "N" : (pick(0, 1) == 0 ? "R" : "A");
      const char* status = shipdate > DaysFromCivil(1995, 6, 17) ? "O" : "F";
      fmt::print(lines_out, "{}|{}|{}|{}|{}|{}.{:02}|0.{:02}|0.{:02}|{}|{}|{}|{}|{}|DELIVER IN PERSON|TRUCK|line {}|\n",
                 orderkey, pick(1, 2000), pick(1, 100), line, quantity, quantity * pick(900, 2099), pick(0, 99),
                 pick(0, 10), pick(0, 8), flag, status, FormatDate(shipdate), FormatDate(shipdate + 30),
                 FormatDate(shipdate + static_cast<int32_t>(pick(1, 30))), o);
    }
  }
  std::fclose(orders_out);
  std::fclose(lines_out);
  Manifest manifest;
  manifest.scale_factor = "synthetic";
  manifest.generator = "synthetic_tpch.h";
  for (const TableDef& table : TpchTables()) {
    manifest.tables.push_back(ImportTbl(table, dir / fmt::format("{}.tbl", table.name), dir));
  }
  WriteManifest(dir, manifest);
}

}  // namespace claimbench::columnar::testing
