// A fully populated RunResult for tests: every field and container is non-empty somewhere, every status
// appears, and some doubles are NaN, so a writer or reader that drops or mangles anything is caught.
#pragma once

#include <nlohmann/json.hpp>

#include "claimbench/result.h"

namespace claimbench::testing {

// Deterministic except for `context`, which is stored as given (pass CollectFingerprint() output for a
// realistic file, or any object). Thread-safe: no shared state.
RunResult MakeSampleResult(nlohmann::json context);

}  // namespace claimbench::testing
