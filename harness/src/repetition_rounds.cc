#include "repetition_rounds.h"

#include <algorithm>

#include <fmt/format.h>

namespace claimbench {

int MinimumRepetitions(const stats::StoppingRule& rule, size_t min_pairs) {
  return std::min(std::max(rule.min_repetitions, static_cast<int>(min_pairs)), rule.max_repetitions);
}

RoundPlan PlanNextRound(const stats::StoppingRule& rule, std::span<const RoundProgress> progress,
                        size_t min_pairs) {
  const size_t k = progress.size();
  RoundPlan plan;
  plan.takes_part.assign(k, false);
  plan.reasons.assign(k, "");
  plan.case_over = true;
  if (k == 0) return plan;

  // The implementation's own rule: its share of the case's budget, and the minimum the pairs need.
  stats::StoppingRule own = rule;
  own.min_repetitions = MinimumRepetitions(rule, min_pairs);
  own.time_budget_s = rule.time_budget_s / static_cast<double>(k);
  const auto minimum = static_cast<size_t>(own.min_repetitions);
  const auto maximum = static_cast<size_t>(own.max_repetitions);

  for (size_t i = 0; i < k; ++i) {
    const RoundProgress& p = progress[i];
    const size_t n = p.counted;
    if (p.ended) continue;
    if (n < minimum) {
      // The budget never ends an implementation short of the pairs its comparisons need.
      plan.takes_part[i] = true;
      plan.case_over = false;
      plan.reasons[i] = fmt::format("{} of at least {} repetitions done", n, minimum);
      continue;
    }
    const stats::StopDecision decision = stats::ShouldStop(own, p.values, p.spent_s);
    plan.reasons[i] = decision.reason;
    if (n >= maximum) continue;
    if (p.spent_s >= own.time_budget_s) {
      plan.reasons[i] = fmt::format("its share of the time budget ({:.3g} of {:g} s) spent after {} repetitions",
                                    own.time_budget_s, rule.time_budget_s, n);
      continue;
    }
    // Within its share: it goes on, giving the others pairs, whether or not it needs more itself.
    plan.takes_part[i] = true;
    if (!decision.stop) plan.case_over = false;
  }
  if (plan.case_over) std::fill(plan.takes_part.begin(), plan.takes_part.end(), false);
  return plan;
}

}  // namespace claimbench
