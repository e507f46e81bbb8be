// Measuring a running service the same way for every workload: idle memory, open-loop load, latency
// distributions and per-interval series, and the checks that make a service run valid.
#pragma once

#include <cstdint>
#include <vector>

#include "claimbench/loadgen.h"
#include "claimbench/result.h"
#include "claimbench/workload.h"

namespace claimbench {

// The metrics MeasureService() fills, for CaseSpec::extra_metrics.
std::vector<MetricDescriptor> ServiceMetricDescriptors();

// Samples the idle resident set of `process` (after a short settle), runs `load` open-loop against it,
// and fills `measurement` with latency percentiles (corrected and uncorrected), achieved rate, error
// counts, idle RSS and the per-interval series. The run is invalid when any response is wrong, or when
// errors, timeouts or unsent requests exceed 0.1% of the schedule. Throws SetupError only when the
// load generator cannot be set up (e.g. no connection at all).
Verdict MeasureService(const loadgen::LoadSpec& load, ChildProcess& process, ServiceMeasurement& measurement);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0). Throws SetupError if none.
uint16_t FreeLoopbackPort();

}  // namespace claimbench
