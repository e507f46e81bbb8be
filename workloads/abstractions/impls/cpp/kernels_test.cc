// Both styles' kernels against hand-computed answers and against each other on seeded inputs, and the input
// generator against SPEC.md.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "abstractions_input.h"
#include "kernels.h"

namespace claimbench::abstractions {
namespace {

class KernelsTest : public testing::TestWithParam<const KernelSet*> {
 protected:
  const KernelSet& kernels() const { return *GetParam(); }
};

TEST_P(KernelsTest, SumEvenSquaresAddsOnlyEvenValues) {
  const std::vector<uint32_t> values = {1, 2, 3, 4, 65535, 65534};
  EXPECT_EQ(kernels().sum_even_squares(values), 4u + 16u + 65534ull * 65534ull);
  EXPECT_EQ(kernels().sum_even_squares({}), 0u);
}

TEST_P(KernelsTest, DotProductWidensBeforeMultiplying) {
  const std::vector<uint32_t> a = {65535, 2, 3};
  const std::vector<uint32_t> b = {65535, 5, 7};
  EXPECT_EQ(kernels().dot_product(a, b), 65535ull * 65535ull + 10u + 21u);
}

TEST_P(KernelsTest, FilterMapCollectWeightsByPositionInTheOutput) {
  const std::vector<uint32_t> values = {3, 1, 6, 2, 0};  // kept: 3, 6, 0 -> 10, 19, 1
  EXPECT_EQ(kernels().filter_map_collect(values), 1u * 10u + 2u * 19u + 3u * 1u);
}

TEST_P(KernelsTest, MatVecSumsTheProductVector) {
  const std::vector<uint32_t> matrix = {1, 2, 3, 4, 5, 6};  // 2 rows of 3
  const std::vector<uint32_t> x = {1, 10, 100};
  EXPECT_EQ(kernels().matvec(matrix, x), 321u + 654u);
  EXPECT_EQ(kernels().matvec(matrix, std::vector<uint32_t>{2}), 2u * 21u) << "one column";
}

TEST_P(KernelsTest, WordLengthsDropsEmptyPieces) {
  EXPECT_EQ(kernels().word_lengths("ab  c   defg"), 4u + 1u + 16u);
  EXPECT_EQ(kernels().word_lengths("  ab "), 4u);
  EXPECT_EQ(kernels().word_lengths(""), 0u);
  EXPECT_EQ(kernels().word_lengths("   "), 0u);
}

TEST_P(KernelsTest, AgreesWithTheReferenceOnSeededInputs) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SplitMix64 draws(seed);
    const std::vector<uint32_t> a = MakeValues(draws, 1000 + seed);
    const std::vector<uint32_t> b = MakeValues(draws, a.size());
    const std::string text = MakeText(draws, 5000);
    const KernelSet& reference = LoopKernels();
    EXPECT_EQ(kernels().sum_even_squares(a), reference.sum_even_squares(a));
    EXPECT_EQ(kernels().dot_product(a, b), reference.dot_product(a, b));
    EXPECT_EQ(kernels().filter_map_collect(a), reference.filter_map_collect(a));
    const std::span<const uint32_t> matrix(a.data(), 1000);
    const std::span<const uint32_t> x(b.data(), 8);
    EXPECT_EQ(kernels().matvec(matrix, x), reference.matvec(matrix, x));
    EXPECT_EQ(kernels().word_lengths(text), reference.word_lengths(text));
  }
}

INSTANTIATE_TEST_SUITE_P(Styles, KernelsTest,
                         testing::Values(&LoopKernels(), &RangesKernels(), &FunctionKernels()),
                         [](const testing::TestParamInfo<const KernelSet*>& info) {
                           if (info.param == &LoopKernels()) return std::string("loops");
                           return std::string(info.param == &RangesKernels() ? "ranges" : "function");
                         });

TEST(InputTest, DrawsFollowSplitMix64) {
  SplitMix64 draws(0);
  EXPECT_EQ(draws.Next(), 0xe220a8397b1dcdafULL);  // SplitMix64's well-known first output for seed 0
  SplitMix64 again(0);
  EXPECT_EQ(MakeValues(again, 1), std::vector<uint32_t>{0xe220});
}

TEST(InputTest, TextIsWordsAndSpacesOfTheExactLength) {
  SplitMix64 draws(7);
  const std::string text = MakeText(draws, 10'000);
  ASSERT_EQ(text.size(), 10'000u);
  EXPECT_NE(text.front(), ' ') << "the text starts with a word";
  for (char c : text) EXPECT_TRUE(c == ' ' || (c >= 'a' && c <= 'z')) << int{c};
  EXPECT_EQ(text.find("    "), std::string::npos) << "at most 3 spaces in a row";
}

}  // namespace
}  // namespace claimbench::abstractions
