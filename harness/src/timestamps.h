// Wall-clock timestamps for labelling runs. Never used to measure anything: durations use steady_clock.
#pragma once

#include <string>

namespace claimbench {

// Now in UTC as ISO 8601 with seconds, e.g. "2026-11-21T07:34:53Z".
std::string UtcNowIso8601();

// A run identifier that sorts by time and is unique on this machine: "run-20261121T073453Z-1a2b".
std::string NewRunId();

}  // namespace claimbench
