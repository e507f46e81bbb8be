// The open-loop load generator: sends requests on a precomputed schedule and measures latency from the
// time each request was MEANT to be sent.
//
// Design: a closed-loop client waits for each response before sending the next request, so when the
// server stalls the client stops asking, and the stall shows up as one slow request instead of the many
// users who would have arrived meanwhile ("coordinated omission"). Here every send time is fixed before
// the run (loadgen_schedule.h); a request that cannot go out on time (its connection is still waiting
// for a response, one outstanding request per connection) goes out as soon as it can, and its
// `corrected` latency still counts from the intended time. `uncorrected` (from the actual send) is kept
// beside it to show what coordinated omission would have hidden. Each worker thread owns a subset of the
// connections and runs its own epoll loop, sleeping on a timerfd armed at the absolute CLOCK_MONOTONIC
// time of the next due send (the same clock as std::chrono::steady_clock on Linux; a timerfd's hrtimer
// has no slack); it never spins. We use epoll directly rather than Asio because the loop's whole job is
// timing: with epoll + timerfd every wake-up, syscall and buffer is explicit and allocation-free on the
// hot path, and there is no handler queue between the timer firing and the send. The wake-up itself
// still costs tens of microseconds on a VM; `send_lag` reports it. Linux only.
//
// Failures in the distributions. A request that got no valid answer is the worst a user can get, so it
// is never left out of the latency distributions: leaving it out would let a server that drops its
// slowest 0.1% show a clean p99.9, and would reward failing fast. Each failed request is recorded at
// what it waited, but at no less than request_timeout_ns (the longest a valid answer may take):
//   - timed out: waited = from the intended send to when the timeout was noticed (>= the timeout);
//   - error (the connection failed with it in flight) or invalid response: waited = from the intended
//     send to when the failure was noticed, raised to the timeout however fast it came;
//   - unsent (scheduled, but the run ended before it went out): waited = from the intended send to the
//     end of the run (when the worker that owned it stopped), and at least the timeout.
// `uncorrected` measures from the actual send, so it records the failed requests that were sent (at
// max(since the actual send, timeout)) and not the unsent ones, which have no send time: never sending
// them is exactly what coordinated omission hides, and the gap between the two distributions shows it.
// So corrected.TotalCount() == ScheduledRequests(result) and uncorrected.TotalCount() == sent. The
// counts (errors, timeouts, invalid_responses, unsent) say how many values are failures.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "claimbench/histogram.h"
#include "claimbench/loadgen_protocol.h"
#include "claimbench/loadgen_schedule.h"
#include "claimbench/result.h"

namespace claimbench::loadgen {

// What to run. All durations are nanoseconds of steady_clock time.
struct LoadSpec {
  std::string host = "127.0.0.1";  // numeric IPv4 or a name resolving to IPv4
  uint16_t port = 0;               // required
  int connections = 16;            // opened before the run; requests go round-robin across them
  int threads = 1;                 // worker threads (at most one per open connection); thread t owns
                                   // connections c with c % threads == t
  double rate_per_s = 0;           // open loop: target requests per second (required, > 0)
  enum class Arrival { kConstant, kPoisson };
  Arrival arrival = Arrival::kConstant;
  uint64_t seed = 1;                           // for kPoisson; the measured schedule is PoissonSchedule(seed)
  int64_t warmup_ns = 1'000'000'000;           // same rate, nothing recorded
  int64_t duration_ns = 10'000'000'000;        // the measured phase
  int64_t request_timeout_ns = 2'000'000'000;  // from the actual send; then counted and the connection reset
  int64_t connect_timeout_ns = 1'000'000'000;  // per connection attempt
  int64_t interval_ns = 1'000'000'000;         // width of each LoadResult::intervals entry
  // Called once per connection before the run, and again from a worker thread whenever a connection is
  // re-established, so it must be safe to call concurrently (a lambda that only constructs is).
  std::function<std::unique_ptr<Protocol>()> make_protocol;
  int64_t late_send_threshold_ns = 1'000'000;  // a send later than this after its intended time is "late"
};

// One interval of the measured phase. Requests are attributed to the interval holding their INTENDED
// send time, so each entry answers "what did a request arriving in this interval experience", and every
// measured request falls in exactly one interval however late it completed or failed. Once the run has
// ended, scheduled == completed + errors + the interval's unsent requests.
struct IntervalStats {
  int64_t t_ns = 0;      // interval start, from the start of the measured phase
  int64_t scheduled = 0; // requests intended in it (closed loop: sent in it)
  int64_t completed = 0; // of those, valid responses
  int64_t errors = 0;    // of those, errors + timeouts + invalid responses
  // Corrected latency of all `scheduled` requests: completed, failed and unsent, failures recorded as
  // described above ("Failures in the distributions"). 2 significant digits.
  int64_t p50_ns = 0, p99_ns = 0, p999_ns = 0, max_ns = 0;
};

// What was measured. Only measured-phase requests are counted. Every sent request ends as exactly one
// of completed, errors, timeouts or invalid_responses, so sent == completed + errors + timeouts +
// invalid_responses, and (open loop) target_requests == sent + unsent.
struct LoadResult {
  // Response complete - intended send time, for every scheduled request; a failed or unsent one at
  // max(what it waited, request timeout) (see "Failures in the distributions" above).
  Histogram corrected = Histogram::ForLatencyNs();
  // Response complete - actual send time, for every sent request; a failed one at max(what it waited,
  // request timeout). Unsent requests are not in it.
  Histogram uncorrected = Histogram::ForLatencyNs();
  // Actual - intended send time of every sent request: the load generator's own lateness (wake-up
  // latency, CPU contention) plus any backlog behind a busy connection. Read it before blaming the
  // server for the low end of `corrected`.
  Histogram send_lag = Histogram::ForLatencyNs();
  int64_t target_requests = 0;  // in the measured schedule (closed loop: 0)
  int64_t sent = 0;
  int64_t completed = 0;          // valid responses
  int64_t errors = 0;             // the connection failed (reset, closed, write error) with it in flight
  int64_t timeouts = 0;           // no complete response within request_timeout_ns of its send
  int64_t invalid_responses = 0;  // a complete but wrong response, or bytes that cannot be one
  int64_t unsent = 0;             // scheduled but never sent because the run ended (a backlog)
  int64_t late_sends = 0;         // sent more than late_send_threshold_ns after the intended time
  int64_t connect_failures = 0;   // failed connection attempts: at start-up and when reconnecting
  int64_t connections_opened = 0; // at start-up, before the run
  int64_t reconnects = 0;         // connections re-established during the run
  double target_rate_per_s = 0;   // closed loop: 0
  double achieved_rate_per_s = 0; // completed / measured_ns
  int64_t bytes_sent = 0;         // of measured requests
  int64_t bytes_received = 0;     // of responses to measured requests
  // From the start of the measured phase to its end or to the last measured response, whichever is
  // later (a backlog drained after the end lowers the achieved rate rather than vanishing).
  int64_t measured_ns = 0;
  std::vector<IntervalStats> intervals;   // ceil(duration_ns / interval_ns) entries
  std::vector<std::string> error_samples; // up to kMaxErrorSamples distinct one-line messages
};

inline constexpr size_t kMaxErrorSamples = 8;

// The requests a run meant to send: target_requests (open loop) or sent (closed loop, which has no
// schedule). Each is in `corrected` exactly once. The base of the failure limit (service_measurement.h).
// Thread-safe (pure function).
int64_t ScheduledRequests(const LoadResult& result) noexcept;
// The requests that got no valid response: errors + timeouts + invalid_responses + unsent. Thread-safe.
int64_t FailedRequests(const LoadResult& result) noexcept;

// Runs the open-loop test described above. Opens spec.connections connections first (failures are
// counted in connect_failures; the run uses those that opened), then runs warm-up and measured phases
// back to back on one timeline. Requests still in flight at the end are waited for up to
// request_timeout_ns. Throws SetupError for an invalid spec or when no connection at all can be opened
// (the message names host:port). Errors during the run are counted, never thrown. Exceptions thrown by
// the Protocol are rethrown after all threads have stopped. Blocks for about warmup_ns + duration_ns.
// Thread-safe: runs share nothing.
LoadResult RunOpenLoop(const LoadSpec& spec);

// Closed loop: each connection sends its next request as soon as the previous response arrives (or
// fails), for warmup_ns + duration_ns; rate_per_s and arrival are ignored. Measures the maximum
// throughput; its latencies have corrected == uncorrected and suffer coordinated omission by design.
// Same failure behaviour and thread-safety as RunOpenLoop.
LoadResult RunClosedLoop(const LoadSpec& spec);

// Fractions of the closed-loop maximum at which a sweep runs open loop: {0.5, 0.8, 0.95}.
std::vector<double> SweepFractions();

struct SweepResult {
  LoadResult closed_loop;          // the maximum-rate probe
  double max_rate_per_s = 0;       // closed_loop.achieved_rate_per_s
  std::vector<double> fractions;   // as given
  std::vector<LoadResult> open_loop;  // one per fraction, at fraction * max_rate_per_s
};

// Runs RunClosedLoop(spec) to find the maximum rate, then RunOpenLoop at each fraction of it (spec's
// rate_per_s is ignored). Throws SetupError if a fraction is not in (0, 1] or the closed loop completed
// no request; otherwise as RunOpenLoop.
SweepResult RunSweep(const LoadSpec& spec, const std::vector<double>& fractions = SweepFractions());

// Conversions to the result model (result.h). The distribution's percentiles_ns holds "p50", "p90",
// "p99", "p99.9", "p99.99" and "max"; `name` is "corrected" or "uncorrected" by convention.
LatencyDistribution ToLatencyDistribution(const Histogram& histogram, const std::string& name);
// One TimePoint per interval, values: "scheduled", "completed", "errors", "p50_ns", "p99_ns",
// "p99.9_ns", "max_ns".
std::vector<TimePoint> ToTimeline(const std::vector<IntervalStats>& intervals);

}  // namespace claimbench::loadgen
