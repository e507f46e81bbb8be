#include "decimal.h"

#include <gtest/gtest.h>

#include "date.h"
#include "q6.h"

namespace claimbench::columnar {
namespace {

TEST(DecimalTest, ParsesTblDecimalsExactly) {
  EXPECT_EQ(ParseScaled("24710.35", 2), 2471035);
  EXPECT_EQ(ParseScaled("17", 2), 1700);
  EXPECT_EQ(ParseScaled("0.5", 2), 50);
  EXPECT_EQ(ParseScaled("-999.99", 2), -99999);
  EXPECT_EQ(ParseScaled("123", 0), 123);
}

TEST(DecimalTest, RejectsWhatIsNotADecimal) {
  for (const char* bad : {"", "-", ".", "1.234", "1.2.3", "abc", "1e5", " 1", "99999999999999999999"}) {
    EXPECT_FALSE(ParseScaled(bad, 2).has_value()) << bad;
  }
}

TEST(DecimalTest, RoundsHalfAwayFromZeroOnlyWhenPrinting) {
  EXPECT_EQ(FormatScaled(123455, 4, 2), "12.35");
  EXPECT_EQ(FormatScaled(123449, 4, 2), "12.34");
  EXPECT_EQ(FormatScaled(-123455, 4, 2), "-12.35");
  EXPECT_EQ(FormatScaled(5, 2, 2), "0.05");
  EXPECT_EQ(FormatScaled(0, 6, 2), "0.00");
  EXPECT_EQ(FormatScaled(-4, 4, 2), "0.00");
  EXPECT_EQ(FormatScaled(110367043872497000, 6, 2), "110367043872.50");
}

TEST(DecimalTest, PrintsSumsBeyondInt64) {
  // Q1's sum_charge passes 2^63 at scale 6 near SF 84: 2^64 millionths must still print exactly.
  const Int128 big = static_cast<Int128>(1) << 64;
  EXPECT_EQ(FormatScaled(big, 6, 2), "18446744073709.55");
  EXPECT_EQ(FormatScaled(big * 1000, 6, 2), "18446744073709551.62");
}

TEST(DecimalTest, AveragesAreExactRatios) {
  EXPECT_EQ(FormatRatio(3773410700, 2, 1478493, 2), "25.52");  // Q1 A|F avg_qty at SF 1
  EXPECT_EQ(FormatRatio(1, 2, 3, 2), "0.00");
  EXPECT_EQ(FormatRatio(2, 2, 3, 4), "0.0067");
}

TEST(DateTest, ConvertsBothWays) {
  EXPECT_EQ(ParseDate("1970-01-01"), 0);
  EXPECT_EQ(FormatDate(DaysFromCivil(1998, 12, 1) - 90), "1998-09-02");
  for (int32_t day = DaysFromCivil(1991, 1, 1); day < DaysFromCivil(2000, 1, 1); ++day) {
    ASSERT_EQ(ParseDate(FormatDate(day)), day);
  }
  for (const char* bad : {"", "1998-13-01", "1998-00-10", "1998-1-01", "19981201", "1998-12-32", "abcd-ef-gh"}) {
    EXPECT_FALSE(ParseDate(bad).has_value()) << bad;
  }
}

struct TinyLineitem {
  std::vector<int32_t> shipdate;
  std::vector<int64_t> discount, quantity, extendedprice;
  int64_t Rows() const { return static_cast<int64_t>(shipdate.size()); }
  int32_t Shipdate(int64_t i) const { return shipdate[i]; }
  int64_t Discount(int64_t i) const { return discount[i]; }
  int64_t Quantity(int64_t i) const { return quantity[i]; }
  int64_t Extendedprice(int64_t i) const { return extendedprice[i]; }
};

TEST(Q6Test, KeepsTheUpperDiscountBoundThatBinaryFloatingPointLoses) {
  // In double, 0.06 + 0.01 < 0.07: a float engine computing the bound drops discount 0.07 rows.
  ASSERT_LT(0.06 + 0.01, 0.07);
  const int32_t day = DaysFromCivil(1994, 6, 1);
  TinyLineitem lineitem{{day, day, day, day, DaysFromCivil(1995, 1, 1)},
                        {7, 5, 8, 6, 6},
                        {2300, 100, 100, 2400, 100},
                        {100000, 200000, 300000, 400000, 500000}};
  // Kept: rows 0 (discount 7) and 1 (discount 5): 1000.00 * 0.07 + 2000.00 * 0.05 = 170.00.
  EXPECT_EQ(RunQ6(lineitem, 1), "revenue\n170.00\n");
}

}  // namespace
}  // namespace claimbench::columnar
