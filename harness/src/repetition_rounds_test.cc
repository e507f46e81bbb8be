#include "repetition_rounds.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace claimbench {
namespace {

// An implementation with a fixed time per repetition; `noisy` values never give a tight interval.
struct FakeImplementation {
  double seconds_per_repetition = 1;
  bool noisy = false;
};

struct Simulation {
  std::vector<size_t> counted;
  std::vector<std::vector<bool>> took_part;  // [round][implementation]
  std::vector<std::string> reasons;
  size_t Pairs(size_t a, size_t b) const {
    size_t pairs = 0;
    for (const std::vector<bool>& round : took_part) pairs += round[a] && round[b] ? 1 : 0;
    return pairs;
  }
};

// Runs measured rounds the way the suite runner does, with fake durations instead of processes.
Simulation Simulate(const stats::StoppingRule& rule, const std::vector<FakeImplementation>& impls,
                    size_t fail_at_round = SIZE_MAX, size_t failing = SIZE_MAX) {
  std::vector<RoundProgress> progress(impls.size());
  std::vector<bool> takes_part(impls.size(), true);
  Simulation simulation;
  for (size_t round = 0; round < 1000; ++round) {
    simulation.took_part.push_back(takes_part);
    for (size_t i = 0; i < impls.size(); ++i) {
      if (!takes_part[i]) continue;
      progress[i].spent_s += impls[i].seconds_per_repetition;
      if (i == failing && round == fail_at_round) {
        progress[i].ended = true;
        continue;
      }
      ++progress[i].counted;
      const double wobble = impls[i].noisy ? (round % 2 == 0 ? 1.0 : 1.5) : 1.0;
      progress[i].values.push_back(impls[i].seconds_per_repetition * wobble);
    }
    const RoundPlan plan = PlanNextRound(rule, progress);
    simulation.reasons.resize(impls.size());
    for (size_t i = 0; i < impls.size(); ++i) {
      if (!progress[i].ended) simulation.reasons[i] = plan.reasons[i];  // as the runner keeps stop_reason
    }
    if (plan.case_over) break;
    for (size_t i = 0; i < impls.size(); ++i) {
      if (!plan.takes_part[i]) progress[i].ended = true;
    }
    takes_part = plan.takes_part;
  }
  for (const RoundProgress& p : progress) simulation.counted.push_back(p.counted);
  return simulation;
}

stats::StoppingRule Rule(int min, int max, double budget_s) {
  stats::StoppingRule rule;
  rule.min_repetitions = min;
  rule.max_repetitions = max;
  rule.time_budget_s = budget_s;
  return rule;
}

TEST(RepetitionRoundsTest, ASlowPeerDoesNotStarveTheOthers) {
  // columnar_scan at the quick profile: C++ at 0.1 s, Polars at 0.5 s, pandas at 10 s, 15 s for the case.
  // With one budget for the case, two rounds (21 s) would have ended it with two pairs each.
  const std::vector<FakeImplementation> impls = {{0.1, true}, {0.5, true}, {10, true}};
  const Simulation s = Simulate(Rule(3, 30, 15), impls);
  EXPECT_EQ(s.counted[2], stats::kMinPairs) << "the slow peer does its minimum and leaves";
  EXPECT_EQ(s.counted[1], 10u) << "5 s, its share of the budget, at 0.5 s each";
  EXPECT_EQ(s.counted[0], 30u) << "its maximum: 3 s of its 5 s share";
  EXPECT_EQ(s.Pairs(0, 2), stats::kMinPairs);
  EXPECT_EQ(s.Pairs(1, 2), stats::kMinPairs);
  EXPECT_EQ(s.Pairs(0, 1), 10u);
  EXPECT_NE(s.reasons[2].find("share of the time budget"), std::string::npos) << s.reasons[2];
  EXPECT_EQ(s.reasons[0], "maximum of 30 repetitions reached");
}

TEST(RepetitionRoundsTest, NobodyStopsShortOfTheMinimumWhateverTheBudget) {
  const Simulation s = Simulate(Rule(1, 20, 1), {{5, true}, {7, true}});
  EXPECT_EQ(s.counted[0], stats::kMinPairs);
  EXPECT_EQ(s.counted[1], stats::kMinPairs);
  EXPECT_EQ(s.Pairs(0, 1), stats::kMinPairs);
}

TEST(RepetitionRoundsTest, AMaximumBelowTheMinimumIsACap) {
  // The quick profile of a slow service case runs 3 repetitions: indicative, without intervals.
  const Simulation s = Simulate(Rule(3, 3, 600), {{30, false}, {30, false}});
  EXPECT_EQ(s.counted[0], 3u);
  EXPECT_EQ(s.counted[1], 3u);
  EXPECT_EQ(MinimumRepetitions(Rule(3, 3, 600), stats::kMinPairs), 3);
  EXPECT_EQ(MinimumRepetitions(Rule(8, 20, 600), stats::kMinPairs), 8);
  EXPECT_EQ(MinimumRepetitions(Rule(1, 20, 600), stats::kMinPairs), static_cast<int>(stats::kMinPairs));
}

TEST(RepetitionRoundsTest, AConvergedImplementationKeepsGivingPairsWithinItsShare) {
  // The steady one's interval is tight at once; it goes on while the noisy one needs more.
  const Simulation s = Simulate(Rule(5, 25, 100), {{0.1, false}, {0.2, true}});
  EXPECT_EQ(s.counted[1], 25u);
  EXPECT_EQ(s.counted[0], 25u);
  EXPECT_EQ(s.Pairs(0, 1), 25u);
}

TEST(RepetitionRoundsTest, TheCaseEndsWhenEveryIntervalIsTight) {
  const Simulation s = Simulate(Rule(5, 30, 100), {{0.1, false}, {0.2, false}});
  EXPECT_EQ(s.counted[0], stats::kMinPairs);
  EXPECT_EQ(s.counted[1], stats::kMinPairs);
  EXPECT_EQ(s.reasons[0], "95% CI within ±2.0% of median after 6 repetitions");
}

TEST(RepetitionRoundsTest, AFailedImplementationNeverTakesPartAgain) {
  const Simulation s = Simulate(Rule(5, 12, 100), {{0.1, true}, {0.1, true}}, /*fail_at_round=*/2, /*failing=*/1);
  EXPECT_EQ(s.counted[1], 2u);
  EXPECT_EQ(s.counted[0], 12u);
  for (size_t round = 3; round < s.took_part.size(); ++round) EXPECT_FALSE(s.took_part[round][1]) << round;
}

TEST(RepetitionRoundsTest, RepetitionsWithoutAValueStillCount) {
  // An ok repetition whose primary metric is missing: the case must still end at the maximum.
  std::vector<RoundProgress> progress(1);
  progress[0].counted = 10;
  const RoundPlan plan = PlanNextRound(Rule(5, 10, 100), progress);
  EXPECT_TRUE(plan.case_over);
  progress[0].counted = 4;
  EXPECT_TRUE(PlanNextRound(Rule(5, 10, 100), progress).takes_part[0]);
}

TEST(RepetitionRoundsTest, EmptyAndInvalid) {
  EXPECT_TRUE(PlanNextRound(Rule(5, 10, 100), {}).case_over);
  std::vector<RoundProgress> progress(1);
  progress[0].counted = 6;
  progress[0].values = {1, 2, 3, 4, 5, 6};
  EXPECT_THROW(PlanNextRound(Rule(5, 10, 0), progress), std::invalid_argument);
}

}  // namespace
}  // namespace claimbench
