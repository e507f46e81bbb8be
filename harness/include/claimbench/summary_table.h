// The table `claimbench run` prints at the end: per case and implementation, the primary metric's median
// with its 95% interval, the ratio to the reference from paired repetitions, and peak memory; failed,
// invalid and unavailable implementations are listed with their one-line reason, except implementations
// that have no equivalent of the case (impl.toml `cases`), which stay in the JSON only. A ratio from fewer
// pairs than its comparison's min_pairs has no interval: it reads "1.23x, too few pairs (3)".
#pragma once

#include <iosfwd>

#include "claimbench/result.h"

namespace claimbench {

void WriteSummaryTable(std::ostream& out, const RunResult& run);

// Formats a value in its unit for people: "1.23 ms", "45.6 MiB", "7.89e+06/s".
std::string FormatQuantity(double value, const std::string& unit);

}  // namespace claimbench
