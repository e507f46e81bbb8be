#include "answer_check.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace claimbench::columnar {
namespace {

using ::testing::HasSubstr;

constexpr const char* kQ1 =
    "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
    "A,F,37734107.00,25.52,1478493\n"
    "N,O,74476040.00,25.50,2920374\n";

TEST(AnswerCheckTest, SameTextMatches) { EXPECT_EQ(CompareAnswers(kQ1, kQ1), ""); }

TEST(AnswerCheckTest, SumsMayDifferByUpToOneHundredDollars) {
  EXPECT_EQ(CompareAnswers(kQ1, "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
                                "A,F,37734156.99,25.52,1478493\nN,O,74476040.00,25.50,2920374\n"),
            "");
  EXPECT_THAT(CompareAnswers(kQ1, "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
                                  "A,F,37734207.01,25.52,1478493\nN,O,74476040.00,25.50,2920374\n"),
              HasSubstr("row 1 sum_qty"));
}

TEST(AnswerCheckTest, AveragesWithinOnePercentCountsExactly) {
  EXPECT_EQ(CompareAnswers(kQ1, "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
                                "A,F,37734107.00,25.64,1478493\nN,O,74476040.00,25.5012,2920374\n"),
            "");
  EXPECT_THAT(CompareAnswers(kQ1, "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
                                  "A,F,37734107.00,25.90,1478493\nN,O,74476040.00,25.50,2920374\n"),
              HasSubstr("avg_qty"));
  EXPECT_THAT(CompareAnswers(kQ1, "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\n"
                                  "A,F,37734107.00,25.52,1478494\nN,O,74476040.00,25.50,2920374\n"),
              HasSubstr("count_order"));
}

TEST(AnswerCheckTest, ShapeMustMatch) {
  EXPECT_THAT(CompareAnswers(kQ1, "wrong,header\n"), HasSubstr("header"));
  EXPECT_THAT(CompareAnswers(kQ1, "l_returnflag,l_linestatus,sum_qty,avg_qty,count_order\nA,F,1.00,1.00,1\n"),
              HasSubstr("1 result rows, expected 2"));
  EXPECT_THAT(CompareAnswers(kQ1, ""), HasSubstr("empty"));
  EXPECT_THAT(CompareAnswers("revenue\n123.45\n", "revenue\n123.45,1\n"), HasSubstr("fields"));
}

TEST(AnswerCheckTest, PricesAndKeysAreExact) {
  const char* q18 = "c_name,o_orderkey,o_totalprice\nCustomer#000000001,7,544089.09\n";
  EXPECT_EQ(CompareAnswers(q18, q18), "");
  EXPECT_THAT(CompareAnswers(q18, "c_name,o_orderkey,o_totalprice\nCustomer#000000001,7,544089.10\n"),
              HasSubstr("o_totalprice"));
  EXPECT_THAT(CompareAnswers(q18, "c_name,o_orderkey,o_totalprice\nCustomer#000000002,7,544089.09\n"),
              HasSubstr("c_name"));
}

}  // namespace
}  // namespace claimbench::columnar
