#include "answer_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace claimbench::columnar {
namespace {

using ::testing::HasSubstr;

constexpr Precision kExact = Precision::kExactDecimals;
constexpr Precision kTpch = Precision::kTpchTolerance;

constexpr const char* kHeader = "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n";
constexpr const char* kQ1 =
    "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
    "A,F,37734107.00,25.52,1478493\n"
    "N,O,74476040.00,25.50,2920374\n";

// kQ1 with its first row replaced.
std::string Q1WithFirstRow(const std::string& row) { return kHeader + row + "\nN,O,74476040.00,25.50,2920374\n"; }

TEST(AnswerCheckTest, SameTextMatchesUnderEitherPrecision) {
  EXPECT_EQ(CompareAnswers(kQ1, kQ1, kExact), "");
  EXPECT_EQ(CompareAnswers(kQ1, kQ1, kTpch), "");
}

TEST(AnswerCheckTest, TpchToleranceLetsSumsDifferByUpToOneHundredDollars) {
  EXPECT_EQ(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734156.99,25.52,1478493"), kTpch), "");
  EXPECT_THAT(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734207.01,25.52,1478493"), kTpch),
              HasSubstr("row 1 sum_qty"));
}

TEST(AnswerCheckTest, TpchToleranceLetsAveragesDifferByOnePercentCountsExactly) {
  const std::string close =
      std::string(kHeader) + "A,F,37734107.00,25.64,1478493\nN,O,74476040.00,25.5012,2920374\n";
  EXPECT_EQ(CompareAnswers(kQ1, close, kTpch), "");
  EXPECT_THAT(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.00,25.90,1478493"), kTpch), HasSubstr("avg_qty"));
  EXPECT_THAT(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.00,25.52,1478494"), kTpch), HasSubstr("count_order"));
}

TEST(AnswerCheckTest, ExactDecimalsHoldSumsToTheCentAndAveragesToTheirLastDigit) {
  // What TPC-H's tolerance forgives, an implementation with exact money may not do.
  EXPECT_THAT(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.01,25.52,1478493"), kExact),
              HasSubstr("row 1 sum_qty: got '37734107.01', expected '37734107.00' (exact decimals: to the cent)"));
  EXPECT_THAT(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.00,25.60,1478493"), kExact),
              HasSubstr("avg_qty"));
  // An average computed in binary floating point may round a tie the other way: one unit of the last digit.
  EXPECT_EQ(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.00,25.53,1478493"), kExact), "");
  EXPECT_EQ(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.00,25.51,1478493"), kExact), "");
  EXPECT_THAT(CompareAnswers(kQ1, Q1WithFirstRow("A,F,37734107.00,25.52,1478494"), kExact), HasSubstr("count_order"));
}

TEST(AnswerCheckTest, ShapeMustMatch) {
  for (Precision precision : {kExact, kTpch}) {
    EXPECT_THAT(CompareAnswers(kQ1, "wrong,header\n", precision), HasSubstr("header"));
    EXPECT_THAT(CompareAnswers(kQ1, std::string(kHeader) + "A,F,1.00,1.00,1\n", precision),
                HasSubstr("1 result rows, expected 2"));
    EXPECT_THAT(CompareAnswers(kQ1, "", precision), HasSubstr("empty"));
    EXPECT_THAT(CompareAnswers("revenue\n123.45\n", "revenue\n123.45,1\n", precision), HasSubstr("fields"));
  }
}

TEST(AnswerCheckTest, PricesAndKeysAreExactUnderEitherPrecision) {
  const char* q18 = "c_name,o_orderkey,o_totalprice\nCustomer#000000001,7,544089.09\n";
  for (Precision precision : {kExact, kTpch}) {
    EXPECT_EQ(CompareAnswers(q18, q18, precision), "");
    EXPECT_THAT(CompareAnswers(q18, "c_name,o_orderkey,o_totalprice\nCustomer#000000001,7,544089.10\n", precision),
                HasSubstr("o_totalprice"));
    EXPECT_THAT(CompareAnswers(q18, "c_name,o_orderkey,o_totalprice\nCustomer#000000002,7,544089.09\n", precision),
                HasSubstr("c_name"));
  }
}

}  // namespace
}  // namespace claimbench::columnar
