// Answers that do not depend on how they are computed: the column store, the row store and any thread
// count give the same text; and Q1's answer on a hand-made table is the one worked out by hand.
#include "query.h"

#include <gtest/gtest.h>

#include "q1.h"
#include "testing/synthetic_tpch.h"
#include "testing/temp_dir.h"

namespace claimbench::columnar {
namespace {

TEST(QueryTest, LayoutsAndThreadCountsGiveTheSameAnswer) {
  claimbench::testing::TempDir dir;
  // 40000 orders make about 160000 lines: several morsels, so threads really split the work.
  testing::WriteSyntheticTpch(dir.path(), 3000, 40000);
  ColumnStore store(dir.path());
  for (const std::string& query : QueryNames()) {
    const std::string expected = PrepareQuery(query, Layout::kColumns, store)->Execute(1).csv;
    EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 1) << query << " found nothing:\n" << expected;
    EXPECT_EQ(PrepareQuery(query, Layout::kColumns, store)->Execute(2).csv, expected) << query;
    EXPECT_EQ(PrepareQuery(query, Layout::kColumns, store)->Execute(3).csv, expected) << query;
    EXPECT_EQ(PrepareQuery(query, Layout::kRows, store)->Execute(1).csv, expected) << query;
    EXPECT_EQ(PrepareQuery(query, Layout::kRows, store)->Execute(2).csv, expected) << query;
  }
}

struct HandLineitem {
  struct Row {
    int32_t shipdate;
    char flag, status;
    int64_t quantity, price, discount, tax;
  };
  std::vector<Row> rows;
  int64_t Rows() const { return static_cast<int64_t>(rows.size()); }
  int32_t Shipdate(int64_t i) const { return rows[i].shipdate; }
  char Returnflag(int64_t i) const { return rows[i].flag; }
  char Linestatus(int64_t i) const { return rows[i].status; }
  int64_t Quantity(int64_t i) const { return rows[i].quantity; }
  int64_t Extendedprice(int64_t i) const { return rows[i].price; }
  int64_t Discount(int64_t i) const { return rows[i].discount; }
  int64_t Tax(int64_t i) const { return rows[i].tax; }
};

TEST(QueryTest, Q1MatchesAHandComputedAnswer) {
  const int32_t in = DaysFromCivil(1998, 9, 2);  // the last day Q1 keeps
  HandLineitem lineitem{{
      {in, 'A', 'F', 1000, 100000, 10, 5},        // 10 units, 1000.00, 10% off, 5% tax
      {in - 5, 'A', 'F', 2000, 300001, 0, 0},     // 20 units, 3000.01
      {in + 1, 'A', 'F', 5000, 999999, 0, 0},     // past the cutoff: dropped
      {in, 'X', 'F', 5000, 999999, 0, 0},         // a flag outside TPC-H's domain: never printed
      {in, 'R', 'O', 300, 333, 7, 8},             // 3 units, 3.33
  }};
  // A|F: disc_price = 900.00 + 3000.01 = 3900.01; charge = 945.00 + 3000.01 = 3945.01;
  // avg_qty 15.00, avg_price 2000.005 -> 2000.01 (half away from zero), avg_disc 0.05.
  // R|O: disc_price = 3.33 * 0.93 = 3.0969 -> 3.10; charge = 3.0969 * 1.08 = 3.344652 -> 3.34.
  EXPECT_EQ(RunQ1(lineitem, 1),
            "l_returnflag,l_linestatus,sum_qty,sum_base_price,sum_disc_price,sum_charge,avg_qty,avg_price,avg_disc,"
            "count_order\n"
            "A,F,30.00,4000.01,3900.01,3945.01,15.00,2000.01,0.05,2\n"
            "R,O,3.00,3.33,3.10,3.34,3.00,3.33,0.07,1\n");
}

}  // namespace
}  // namespace claimbench::columnar
