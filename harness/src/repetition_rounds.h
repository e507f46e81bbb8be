// Who takes part in a case's next round of repetitions, and when the case is over.
//
// Design: the implementations of a case run in rounds (one repetition each, interleaved), and the
// repetitions of one round form the pairs that comparisons are computed from. Two rules keep every
// comparison honest when the implementations differ a hundredfold in speed:
// - Nobody stops before the minimum: an implementation takes part in every round until it has
//   min_pairs counted repetitions (stats::kMinPairs, the fewest pairs a comparison gives an interval for;
//   capped by the case's max_repetitions). Only a failure, an invalid answer or an interrupt ends it
//   sooner. Each repetition is bounded by its timeout, so the minimum costs at most min_pairs timeouts.
// - The time budget is accounted per implementation: each of the case's k implementations may spend
//   time_budget_s / k of its own repetitions' time. A slow peer (pandas, plain Python) spends its share,
//   finishes its minimum and leaves; the others go on in rounds without it, so it never starves them of
//   pairs, and the case as a whole still takes about time_budget_s plus what the minimum needs.
// An implementation whose interval is already tight keeps taking part while it is within its share and
// below its maximum (it gives the others pairs); the case is over once nobody needs another repetition.
//
// Thread-safety: pure functions. Failure: std::invalid_argument for an invalid rule (stats::ShouldStop).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "claimbench/statistics.h"

namespace claimbench {

// What one implementation of a case has done so far (measured rounds only, warm-ups excluded).
struct RoundProgress {
  size_t counted = 0;          // its measured repetitions that were ok
  std::vector<double> values;  // its primary metric over them, in order (fewer where a value was missing)
  double spent_s = 0;          // the time its measured repetitions took, s
  bool ended = false;          // it failed, answered wrongly, or has left the rounds
};

struct RoundPlan {
  std::vector<bool> takes_part;     // per implementation: runs in the next round
  std::vector<std::string> reasons;  // per implementation: why it goes on or stops (the result's stop_reason)
  bool case_over = false;           // nobody needs another repetition
};

// The fewest counted repetitions an implementation makes under `rule`: max(min_repetitions, min_pairs),
// capped by max_repetitions (the quick profile of a slow service may cap it below min_pairs).
int MinimumRepetitions(const stats::StoppingRule& rule, size_t min_pairs);

// Plans the next round after a measured round (see the design above). `progress` has one entry per
// implementation of the case, ended ones included (they keep the budget shares fixed). Implementations
// that have ended never take part again.
RoundPlan PlanNextRound(const stats::StoppingRule& rule, std::span<const RoundProgress> progress,
                        size_t min_pairs = stats::kMinPairs);

}  // namespace claimbench
