#include "expected_ids.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "claimbench/error.h"

namespace claimbench::tokenizer_workload {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(ExpectedIdsTest, AgreementIsByteForByte) {
  EXPECT_EQ(AgreedIds({"cpp", "1 2 3\n\n4\n"}, {"python", "1 2 3\n\n4\n"}, "the corpus"), "1 2 3\n\n4\n");
}

TEST(ExpectedIdsTest, ADisagreementNamesBothImplementationsAndTheFirstDifferentDocument) {
  try {
    AgreedIds({"cpp", "1 2 3\n\n4 5\n"}, {"python", "1 2 3\n\n4 6 7\n"}, "the benchmark corpus of encode_gpt2");
    FAIL() << "no SetupError";
  } catch (const SetupError& error) {
    EXPECT_THAT(error.what(), AllOf(HasSubstr("cpp and python disagree on the benchmark corpus of encode_gpt2"),
                                    HasSubstr("document 3: expected 2 ids, got 3; expected '4 5', got '4 6 7'")));
  }
  EXPECT_THROW(AgreedIds({"cpp", "1\n"}, {"python", "1"}, "x"), SetupError) << "a missing newline is a difference";
}

TEST(ExpectedIdsTest, FirstDifferenceCountsLinesWhenEveryCommonDocumentAgrees) {
  EXPECT_EQ(FirstDifference("1\n2\n", "1\n"), "expected 2 lines (one per document), got 1");
  EXPECT_EQ(FirstDifference("1\n", "1\r\n"), "document 1: expected 1 ids, got 1; expected '1', got '1\r'");
}

}  // namespace
}  // namespace claimbench::tokenizer_workload
