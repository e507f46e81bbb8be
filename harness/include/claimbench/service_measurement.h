// Measuring a running service the same way for every workload: idle memory, open-loop load, latency
// distributions and per-interval series, and the checks that make a service run valid.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/loadgen.h"
#include "claimbench/result.h"
#include "claimbench/workload.h"

namespace claimbench {

// The metrics MeasureService() fills, for CaseSpec::extra_metrics.
std::vector<MetricDescriptor> ServiceMetricDescriptors();

// Samples the idle resident set of `process` (after a short settle), runs `load` open-loop against it,
// and fills `measurement` with latency percentiles (corrected and uncorrected, failed and unsent
// requests included as loadgen.h describes), achieved rate, error counts, idle RSS and the per-interval
// series. Valid or not as CheckLoadFailures() says. Throws SetupError only when the load generator
// cannot be set up (e.g. no connection at all).
Verdict MeasureService(const loadgen::LoadSpec& load, ChildProcess& process, ServiceMeasurement& measurement);

// Cold start as a user of a service sees it: sends one request of `load`'s protocol on a fresh connection
// (request index 0) the moment it is called, waits at most `timeout` for the whole answer and verifies it.
// Call it first thing in Drive(), right after `ready`. Sets `first_response_ns`: from the spawn of `process`
// to the verified answer (so start-up plus one round trip). Invalid, with the reason, when the connection,
// the answer or its content fails. Never throws for the service's failures.
Verdict MeasureFirstResponse(const loadgen::LoadSpec& load, const ChildProcess& process,
                             ServiceMeasurement& measurement,
                             std::chrono::nanoseconds timeout = std::chrono::seconds(5));

// The failure limit of a load run, as a share of the requests it meant to send.
inline constexpr double kMaxFailedShare = 0.001;

// Whether a load run may be reported. Invalid when any response was wrong (a correctness failure,
// however rare), or when FailedRequests() (errors, timeouts, invalid responses and unsent requests)
// exceed kMaxFailedShare of ScheduledRequests(): the schedule, never the completed requests, so a run
// cannot pass by completing less. The reason starts with `run` (e.g. "the 95% step") when it is not
// empty, and ends with the first error sample. Thread-safe (pure function).
Verdict CheckLoadFailures(const loadgen::LoadResult& result, std::string_view run = {});

// CheckLoadFailures() for each run of a sweep: the closed-loop probe (its share is of the requests it
// sent; it has no schedule) and every open-loop step, each against its own requests; the first run that
// breaks the rule makes the sweep invalid. Thread-safe (pure function).
Verdict CheckSweepFailures(const loadgen::SweepResult& sweep);

// max / median over the intervals of a ToTimeline() series of the value `name` (e.g. "p99.9_ns"): how
// much worse the worst interval was than a typical one. The median of an even count is the upper middle
// value. Intervals in which nothing was scheduled are skipped; one in which every request failed is not
// (its percentiles hold the failures, as loadgen.h describes: it is the worst interval, not a gap).
// Returns 0 when no interval counts or the median is 0. Thread-safe (pure function).
double IntervalMaxOverMedian(const std::vector<TimePoint>& timeline, const std::string& name);

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0). Throws SetupError if none.
uint16_t FreeLoopbackPort();

}  // namespace claimbench
