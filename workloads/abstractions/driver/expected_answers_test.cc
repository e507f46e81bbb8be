// The driver's answers against values worked out from SPEC.md by hand.
#include "expected_answers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "abstractions_input.h"

namespace claimbench::abstractions {
namespace {

TEST(ExpectedAnswerTest, OneValueFromSeedZero) {
  // Seed 0's first draw is 0xe220a8397b1dcdaf: value 0xe220 = 57888, even and divisible by 3.
  EXPECT_EQ(ExpectedAnswer({"sum_even_squares", 1, 1, 256, 0}), 57888ull * 57888ull);
  EXPECT_EQ(ExpectedAnswer({"filter_map_collect", 1, 1, 256, 0}), 3ull * 57888ull + 1);
  EXPECT_EQ(ExpectedAnswer({"matvec", 1, 1, 1, 0}), ExpectedAnswer({"dot_product", 1, 1, 256, 0}))
      << "a 1x1 matrix times a 1-vector is the dot product of the first two values";
}

TEST(ExpectedAnswerTest, PassesMultiplyAndWrap) {
  const uint64_t once = ExpectedAnswer({"dot_product", 1000, 1, 256, 5});
  EXPECT_EQ(ExpectedAnswer({"dot_product", 1000, 7, 256, 5}), once * 7);
  EXPECT_EQ(ExpectedAnswer({"dot_product", 1000, int64_t{1} << 40, 256, 5}), once * (uint64_t{1} << 40));
}

TEST(ExpectedAnswerTest, WordLengthsFollowsTheGeneratedText) {
  SplitMix64 draws(9);
  const std::string text = MakeText(draws, 40);
  uint64_t expected = 0;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = std::min(text.find(' ', start), text.size());
    expected += (end - start) * (end - start);
    start = end + 1;
  }
  EXPECT_EQ(ExpectedAnswer({"word_lengths", 40, 1, 256, 9}), expected) << text;
}

TEST(ExpectedAnswerTest, RefusesWhatSpecDoesNotAllow) {
  EXPECT_THROW(ExpectedAnswer({"sum_odd_cubes", 10, 1, 256, 0}), std::invalid_argument);
  EXPECT_THROW(ExpectedAnswer({"matvec", 10, 1, 3, 0}), std::invalid_argument);
  EXPECT_THROW(ExpectedAnswer({"dot_product", 0, 1, 256, 0}), std::invalid_argument);
}

}  // namespace
}  // namespace claimbench::abstractions
