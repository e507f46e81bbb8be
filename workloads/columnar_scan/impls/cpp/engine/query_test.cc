// Answers that do not depend on how they are computed: the column store, the row store and any thread
// count give the same text; and Q1's answer on a hand-made table is the one worked out by hand.
#include "query.h"

#include <iterator>
#include <map>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "q1.h"
#include "q3.h"
#include "ranked_key_set.h"
#include "testing/synthetic_tpch.h"
#include "claimbench/testing/temp_dir.h"

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

struct HandCustomer {
  std::vector<std::string_view> segments;  // custkey i + 1
  int64_t Rows() const { return static_cast<int64_t>(segments.size()); }
  int32_t Custkey(int64_t i) const { return static_cast<int32_t>(i + 1); }
  std::string_view Mktsegment(int64_t i) const { return segments[i]; }
};

struct HandOrders {
  struct Row {
    int64_t orderkey;
    int32_t custkey, orderdate, shippriority;
  };
  std::vector<Row> rows;
  int64_t Rows() const { return static_cast<int64_t>(rows.size()); }
  int64_t Orderkey(int64_t i) const { return rows[i].orderkey; }
  int32_t Custkey(int64_t i) const { return rows[i].custkey; }
  int32_t Orderdate(int64_t i) const { return rows[i].orderdate; }
  int32_t Shippriority(int64_t i) const { return rows[i].shippriority; }
};

// The parallel build side gives exactly what one pass gives, over several morsels of orders, with keys out
// of range and repeated keys (where the last candidate in row order must own the key).
TEST(QueryTest, Q3BuildSideIsTheSameForEveryThreadCount) {
  const int32_t date = DaysFromCivil(1995, 3, 15);
  const int64_t max_custkey = 1000, max_orderkey = 100000;
  HandCustomer customer;
  for (int64_t key = 1; key <= max_custkey; ++key) customer.segments.push_back(key % 5 == 0 ? "BUILDING" : "MACHINERY");
  HandOrders orders;
  uint64_t state = 12345;
  auto next = [&state] { return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
  for (int64_t i = 0; i < 3 * kMorselRows + 123; ++i) {
    const int64_t key = static_cast<int64_t>(next() % (max_orderkey + 50)) - 10;  // repeats, and some out of range
    orders.rows.push_back({key, static_cast<int32_t>(next() % (max_custkey + 20)) - 5,
                           date - 200 + static_cast<int32_t>(next() % 400), static_cast<int32_t>(i % 3)});
  }
  // The plain loop: for each qualifying key, the last qualifying order in row order, in key order.
  std::map<int64_t, Q3Row> want;
  size_t repeated = 0;
  for (const HandOrders::Row& row : orders.rows) {
    if (row.custkey >= 1 && row.custkey <= max_custkey && row.custkey % 5 == 0 && row.orderdate < date &&
        row.orderkey >= 0 && row.orderkey <= max_orderkey) {
      repeated += want.count(row.orderkey);
      want[row.orderkey] = {row.orderkey, 0, row.orderdate, row.shippriority};
    }
  }
  ASSERT_GT(want.size(), 10000u);
  ASSERT_GT(repeated, 100u);  // the data really has keys that repeat
  for (int threads : {1, 2, 3}) {
    const Q3BuildSide build = BuildQ3(customer, orders, max_custkey, max_orderkey, date, threads);
    ASSERT_EQ(build.keys.Size(), static_cast<int64_t>(want.size())) << threads << " threads";
    ASSERT_EQ(build.candidates.size(), want.size()) << threads << " threads";
    for (int64_t key = 0; key <= max_orderkey; ++key) {
      const auto wanted = want.find(key);
      const int64_t rank = build.keys.Rank(key);
      if (wanted == want.end()) {
        ASSERT_EQ(rank, -1) << threads << " threads, orderkey " << key;
        continue;
      }
      ASSERT_EQ(rank, std::distance(want.begin(), wanted)) << threads << " threads, orderkey " << key;
      const Q3Row& got = build.candidates[static_cast<size_t>(rank)];
      ASSERT_EQ(got.orderkey, key) << threads << " threads";
      ASSERT_EQ(got.orderdate, wanted->second.orderdate) << threads << " threads, orderkey " << key;
      ASSERT_EQ(got.shippriority, wanted->second.shippriority) << threads << " threads, orderkey " << key;
    }
  }
}

// Ranks against a sorted list of the members: word edges, both ends of the range, a range that is not a
// whole number of words, an empty set, and inserts from several threads at once.
TEST(RankedKeySetTest, RanksAreIndicesAmongTheMembersInKeyOrder) {
  for (const int64_t max_key : {int64_t{0}, int64_t{63}, int64_t{64}, int64_t{200}, 3 * kMorselRows * 64 + 17}) {
    std::vector<int64_t> members;
    uint64_t state = static_cast<uint64_t>(max_key) + 7;
    auto next = [&state] { return (state = state * 6364136223846793005ULL + 1442695040888963407ULL) >> 33; };
    for (int64_t key = 0; key <= max_key; ++key) {
      const bool edge = key == 0 || key == max_key || key % 64 == 0 || key % 64 == 63;
      if ((edge && key % 3 != 1) || next() % 7 == 0) members.push_back(key);
    }
    for (int threads : {1, 2, 3}) {
      RankedKeySet set(max_key, threads);
      // Half the morsels insert one key at a time, half through an Inserter, whose buffered word can
      // span the edge between two morsels' keys.
      ForEachMorsel(static_cast<int64_t>(members.size()), threads, [&](int64_t morsel, int64_t begin, int64_t end) {
        RankedKeySet::Inserter inserter(set);
        for (int64_t i = begin; i < end; ++i) {
          const int64_t key = members[static_cast<size_t>(i)];
          if (morsel % 2 == 0) {
            set.Insert(key);
            set.Insert(key);  // twice: a set
          } else {
            inserter.Insert(key);
            inserter.Insert(key);
            inserter.Insert(members[static_cast<size_t>(begin)]);  // out of order
          }
        }
      });
      set.FinishInserts(threads);
      ASSERT_EQ(set.Size(), static_cast<int64_t>(members.size())) << "max_key " << max_key;
      size_t next_member = 0;
      for (int64_t key = 0; key <= max_key; ++key) {
        const bool member = next_member < members.size() && members[next_member] == key;
        ASSERT_EQ(set.Rank(key), member ? static_cast<int64_t>(next_member) : -1)
            << "max_key " << max_key << ", key " << key << ", " << threads << " threads";
        next_member += member;
      }
    }
  }
  RankedKeySet empty(1000, 2);
  empty.FinishInserts(2);
  EXPECT_EQ(empty.Size(), 0);
  EXPECT_EQ(empty.Rank(0), -1);
  EXPECT_EQ(empty.Rank(1000), -1);
}

}  // namespace
}  // namespace claimbench::columnar
