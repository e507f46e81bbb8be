// Tests of the open-loop load generator against an in-process echo origin on 127.0.0.1.
// Every run is bounded by its LoadSpec (warm-up + duration + request timeout); the whole file takes
// about 20 s.
#include "claimbench/loadgen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "claimbench/error.h"
#include "claimbench/tcp_socket.h"
#include "testing/echo_server.h"

namespace claimbench::loadgen {
namespace {

using testing::EchoServer;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

LoadSpec EchoSpec(uint16_t port) {
  LoadSpec spec;
  spec.port = port;
  spec.connections = 8;
  spec.rate_per_s = 2000;
  spec.warmup_ns = 500 * kMs;
  spec.duration_ns = 2 * kS;
  spec.request_timeout_ns = 2 * kS;
  spec.connect_timeout_ns = 1 * kS;
  spec.make_protocol = [] { return std::make_unique<LineEchoProtocol>(64); };
  return spec;
}

// Every sent request ends in exactly one outcome, and every scheduled one is either sent or unsent.
// Every scheduled request is in the corrected distribution whatever its outcome (open loop: the
// schedule; closed loop: what was sent), every sent one in the uncorrected distribution.
void ExpectAccountingAddsUp(const LoadResult& r) {
  EXPECT_EQ(r.sent, r.completed + r.errors + r.timeouts + r.invalid_responses);
  if (r.target_requests > 0) {
    EXPECT_EQ(r.target_requests, r.sent + r.unsent);
  }
  const int64_t scheduled = r.target_requests > 0 ? r.target_requests : r.sent;
  EXPECT_EQ(r.corrected.TotalCount(), scheduled);
  EXPECT_EQ(r.uncorrected.TotalCount(), r.sent);
  EXPECT_EQ(r.send_lag.TotalCount(), r.sent);
  int64_t interval_scheduled = 0, interval_completed = 0, interval_errors = 0;
  for (const IntervalStats& interval : r.intervals) {
    interval_scheduled += interval.scheduled;
    interval_completed += interval.completed;
    interval_errors += interval.errors;
  }
  EXPECT_EQ(interval_scheduled, scheduled);
  EXPECT_EQ(interval_completed, r.completed);
  EXPECT_EQ(interval_errors, r.errors + r.timeouts + r.invalid_responses);
}

// The k-th largest value of `h` (k >= 1), to bucket precision.
int64_t KthLargest(const Histogram& h, int64_t k) {
  const int64_t n = h.TotalCount();
  return h.ValueAtPercentile(100.0 * static_cast<double>(n - k + 1) / static_cast<double>(n));
}

double Ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string Describe(const LoadResult& r) {
  return fmt::format(
      "target {} sent {} completed {} errors {} timeouts {} invalid {} unsent {} late {} connect_failures {} "
      "reconnects {} target {:.1f}/s achieved {:.1f}/s "
      "corrected p50/p99/p99.9/max {:.3f}/{:.3f}/{:.3f}/{:.3f} ms "
      "uncorrected {:.3f}/{:.3f}/{:.3f}/{:.3f} ms send lag p50/p99 {:.3f}/{:.3f} ms",
      r.target_requests, r.sent, r.completed, r.errors, r.timeouts, r.invalid_responses, r.unsent,
      r.late_sends,
      r.connect_failures, r.reconnects, r.target_rate_per_s, r.achieved_rate_per_s,
      Ms(r.corrected.ValueAtPercentile(50)), Ms(r.corrected.ValueAtPercentile(99)),
      Ms(r.corrected.ValueAtPercentile(99.9)), Ms(r.corrected.Max()), Ms(r.uncorrected.ValueAtPercentile(50)),
      Ms(r.uncorrected.ValueAtPercentile(99)), Ms(r.uncorrected.ValueAtPercentile(99.9)),
      Ms(r.uncorrected.Max()),
      Ms(r.send_lag.ValueAtPercentile(50)), Ms(r.send_lag.ValueAtPercentile(99)));
}

// ---- schedules ----

TEST(LoadGenSchedule, ConstantSpacingIsExact) {
  const std::vector<int64_t> offsets = ConstantRateSchedule(1000, 1 * kS);
  ASSERT_EQ(offsets.size(), 1000u);
  for (size_t k = 0; k < offsets.size(); ++k) ASSERT_EQ(offsets[k], static_cast<int64_t>(k) * kMs) << k;

  // A period that is not a whole number of nanoseconds is floored from k each time: no drift.
  EXPECT_EQ(ConstantRateSchedule(3, 1 * kS), (std::vector<int64_t>{0, 333'333'333, 666'666'666}));
  const std::vector<int64_t> thirds = ConstantRateSchedule(3, 3000 * kS);
  ASSERT_EQ(thirds.size(), 9000u);
  EXPECT_EQ(thirds.back(), 2999 * kS + 666'666'666);
  EXPECT_TRUE(ConstantRateSchedule(1000, 0).empty());
}

TEST(LoadGenSchedule, PoissonHasTheMeanRateAndIsReproducible) {
  const double rate_per_s = 100'000;
  const int64_t duration_ns = 10 * kS;  // 1e6 expected arrivals: the count's sd is 0.1%
  const std::vector<int64_t> a = PoissonSchedule(rate_per_s, duration_ns, 42);
  const double expected = rate_per_s * 10;
  EXPECT_NEAR(static_cast<double>(a.size()), expected, 0.01 * expected);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_GE(a.front(), 0);
  EXPECT_LT(a.back(), duration_ns);

  // Exponential gaps: coefficient of variation 1 (a constant schedule would have 0).
  double sum = 0, sum_sq = 0;
  for (size_t i = 1; i < a.size(); ++i) {
    const auto gap = static_cast<double>(a[i] - a[i - 1]);
    sum += gap;
    sum_sq += gap * gap;
  }
  const double n = static_cast<double>(a.size() - 1);
  const double mean = sum / n;
  EXPECT_NEAR(mean, 1e9 / rate_per_s, 0.01 * 1e9 / rate_per_s);
  EXPECT_NEAR(std::sqrt(sum_sq / n - mean * mean) / mean, 1.0, 0.02);

  EXPECT_EQ(PoissonSchedule(rate_per_s, duration_ns, 42), a);
  EXPECT_NE(PoissonSchedule(rate_per_s, duration_ns, 43), a);
}

TEST(LoadGenSchedule, PoissonOffsetsArePinnedForASeed) {
  // Golden values: if these change, every published seed's schedule changed with them.
  const std::vector<int64_t> offsets = PoissonSchedule(1000, 5 * kMs, 7);
  EXPECT_EQ(offsets, (std::vector<int64_t>{494017, 510948, 2821169, 3695671, 4297958, 4584882}));
}

TEST(LoadGenSchedule, RejectsBadArguments) {
  EXPECT_THROW(ConstantRateSchedule(0, kS), SetupError);
  EXPECT_THROW(ConstantRateSchedule(-5, kS), SetupError);
  EXPECT_THROW(PoissonSchedule(std::nan(""), kS, 1), SetupError);
  EXPECT_THROW(PoissonSchedule(INFINITY, kS, 1), SetupError);
  EXPECT_THROW(ConstantRateSchedule(1000, -1), SetupError);
  EXPECT_THROW(ConstantRateSchedule(1e12, 3600 * kS), SetupError);  // too many requests to hold
}

// ---- protocol ----

TEST(LoadGenProtocol, LineEchoRequestsAndVerification) {
  LineEchoProtocol protocol(32);
  std::string request;
  protocol.WriteRequest(1234, request);
  ASSERT_EQ(request.size(), 32u);
  EXPECT_EQ(request.substr(0, 5), "1234 ");
  EXPECT_EQ(request.back(), '\n');
  EXPECT_EQ(std::count(request.begin(), request.end(), '\n'), 1);

  // Incomplete until the newline arrives.
  EXPECT_EQ(protocol.ParseResponse(request.substr(0, 10), 1234).status, ParseOutcome::Status::kIncomplete);
  EXPECT_EQ(protocol.ParseResponse("", 1234).status, ParseOutcome::Status::kIncomplete);

  // The exact echo is valid, and only its own bytes are consumed.
  ParseOutcome ok = protocol.ParseResponse(request + "extra", 1234);
  EXPECT_EQ(ok.status, ParseOutcome::Status::kComplete);
  EXPECT_EQ(ok.consumed, 32u);
  EXPECT_TRUE(ok.valid);
  EXPECT_TRUE(ok.error.empty());

  // Another request's line is a complete but invalid response.
  std::string other;
  protocol.WriteRequest(1235, other);
  ParseOutcome wrong = protocol.ParseResponse(other, 1234);
  EXPECT_EQ(wrong.status, ParseOutcome::Status::kComplete);
  EXPECT_FALSE(wrong.valid);
  EXPECT_NE(wrong.error.find("not the echo"), std::string::npos) << wrong.error;

  // A short wrong line too; a long run of bytes without a newline cannot be a response at all.
  EXPECT_FALSE(protocol.ParseResponse("garbage\n", 1234).valid);
  EXPECT_EQ(protocol.ParseResponse(std::string(32, 'x'), 1234).status, ParseOutcome::Status::kMalformed);

  // Large indices lengthen the line rather than being cut.
  std::string big;
  protocol.WriteRequest(UINT64_MAX, big);
  EXPECT_EQ(big.substr(0, 21), "18446744073709551615 ");
  EXPECT_TRUE(protocol.ParseResponse(big, UINT64_MAX).valid);
}

// ---- runs against the echo origin ----

TEST(LoadGenOpenLoop, MeetsAModestRateAndVerifiesEveryResponse) {
  EchoServer server;
  LoadSpec spec = EchoSpec(server.port());
  spec.threads = 2;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  std::printf("[ figures  ] open loop 2000/s x 2 s, 8 connections: %s\n", Describe(r).c_str());

  EXPECT_EQ(r.target_requests, 4000);
  EXPECT_EQ(r.connections_opened, 8);
  EXPECT_EQ(r.target_rate_per_s, 2000);
  EXPECT_NEAR(r.achieved_rate_per_s, 2000, 0.05 * 2000);
  EXPECT_EQ(r.completed, r.target_requests);
  EXPECT_EQ(r.errors, 0);
  EXPECT_EQ(r.timeouts, 0);
  EXPECT_EQ(r.invalid_responses, 0);
  EXPECT_EQ(r.unsent, 0);
  EXPECT_EQ(r.connect_failures, 0);
  EXPECT_EQ(r.reconnects, 0);
  EXPECT_TRUE(r.error_samples.empty());
  ExpectAccountingAddsUp(r);
  EXPECT_EQ(r.bytes_sent, 64 * r.sent);
  EXPECT_EQ(r.bytes_received, 64 * r.completed);
  EXPECT_GE(server.lines_received(), r.sent);  // warm-up requests too
  EXPECT_GE(r.measured_ns, spec.duration_ns);

  // Each request's corrected latency is >= its uncorrected one, so every order statistic is too.
  for (double p : {50.0, 99.0, 99.9, 100.0}) {
    EXPECT_GE(r.corrected.ValueAtPercentile(p), r.uncorrected.ValueAtPercentile(p)) << p;
  }
  EXPECT_GT(r.corrected.Min(), 0);

  // The series covers the measured phase, interval by interval.
  ASSERT_EQ(r.intervals.size(), 2u);
  for (size_t i = 0; i < r.intervals.size(); ++i) {
    EXPECT_EQ(r.intervals[i].t_ns, static_cast<int64_t>(i) * kS);
    EXPECT_EQ(r.intervals[i].scheduled, 2000);
    EXPECT_EQ(r.intervals[i].completed, 2000);
    EXPECT_GT(r.intervals[i].max_ns, 0);
    EXPECT_LE(r.intervals[i].p50_ns, r.intervals[i].p99_ns);
  }
}

TEST(LoadGenOpenLoop, PoissonArrivalsAgainstEcho) {
  EchoServer server;
  LoadSpec spec = EchoSpec(server.port());
  spec.arrival = LoadSpec::Arrival::kPoisson;
  spec.seed = 2024;
  spec.duration_ns = 1 * kS;
  spec.warmup_ns = 200 * kMs;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(r.target_requests, static_cast<int64_t>(PoissonSchedule(2000, 1 * kS, 2024).size()));
  EXPECT_EQ(r.errors + r.timeouts + r.invalid_responses, 0);
  // Poisson bursts can leave a request or two queued behind a busy connection when the run ends on a
  // loaded machine; the drain sends them after the end, so none is unsent.
  EXPECT_EQ(r.unsent, 0);
  EXPECT_EQ(r.completed, r.target_requests);
  ExpectAccountingAddsUp(r);
}

// A server that stalls across the end leaves a backlog behind every connection: the drain sends it
// after the end (nothing unsent, nothing failed), and the wait shows in the corrected latency.
TEST(LoadGenOpenLoop, BacklogAtTheEndIsDrainedAndShowsInCorrectedLatency) {
  const int64_t warmup_ns = 200 * kMs;
  EchoServer server({.behavior = EchoServer::Behavior::kEcho,
                     .stall_after_ns = warmup_ns + 850 * kMs,
                     .stall_for_ns = 300 * kMs});
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 4;
  spec.rate_per_s = 400;
  spec.warmup_ns = warmup_ns;
  spec.duration_ns = 1 * kS;
  spec.request_timeout_ns = 1 * kS;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(r.unsent, 0);
  EXPECT_EQ(r.errors + r.timeouts + r.invalid_responses, 0);
  EXPECT_EQ(r.completed, r.target_requests);
  EXPECT_GE(r.corrected.ValueAtPercentile(100), 50 * kMs);  // requests sent late wait for the stall
  ExpectAccountingAddsUp(r);
}

// THE coordinated omission test. The server holds every response for 1 s, 1.5 s into a 4 s measured
// phase at 1000 requests/s. A quarter of the requests are meant to be sent during or just before the
// stall, so measured from their intended time (corrected) the tail is about 1 s. Measured from when
// they were actually sent (uncorrected), only the one request in flight per connection sees the stall;
// the rest were held back by the load generator and look fast. Two connections keep those few requests
// (2 of 4000) above the 99.9th percentile (the top 4).
// The "fast" limits are 250 ms, a quarter of the stall: a generator that omitted the stall's effect would
// put those figures near 1 s, while a loaded CI machine can delay a response by tens of milliseconds.
TEST(LoadGenOpenLoop, StallShowsInCorrectedLatencyNotInUncorrected) {
  const int64_t warmup_ns = 500 * kMs;
  EchoServer server({.behavior = EchoServer::Behavior::kEcho,
                     .stall_after_ns = warmup_ns + 1500 * kMs,
                     .stall_for_ns = 1000 * kMs});
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 2;
  spec.rate_per_s = 1000;
  spec.warmup_ns = warmup_ns;
  spec.duration_ns = 4 * kS;
  spec.request_timeout_ns = 5 * kS;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  std::printf("[ figures  ] stall test 1000/s x 4 s, 1 s stall at 1.5 s: %s\n", Describe(r).c_str());

  EXPECT_EQ(r.target_requests, 4000);
  EXPECT_EQ(r.completed, 4000);
  EXPECT_EQ(r.errors + r.timeouts + r.invalid_responses + r.unsent, 0);
  ExpectAccountingAddsUp(r);

  const int64_t corrected_p999 = r.corrected.ValueAtPercentile(99.9);
  const int64_t corrected_p99 = r.corrected.ValueAtPercentile(99);
  const int64_t uncorrected_p999 = r.uncorrected.ValueAtPercentile(99.9);
  EXPECT_GE(corrected_p999, 900 * kMs);
  EXPECT_GE(corrected_p99, 800 * kMs);  // the top 1% were all meant to go out early in the stall
  EXPECT_GE(r.corrected.ValueAtPercentile(80), 50 * kMs);  // ~25% of requests were delayed
  EXPECT_LT(uncorrected_p999, 250 * kMs);
  EXPECT_LT(uncorrected_p999 * 4, corrected_p999);
  EXPECT_GE(r.uncorrected.Max(), 900 * kMs);  // the requests in flight when it began did wait
  EXPECT_GE(r.late_sends, 900);               // held back behind the stalled ones

  // The series shows when: requests meant for 1.5-2 s waited up to 1 s, those for 2-2.5 s up to 0.5 s.
  ASSERT_EQ(r.intervals.size(), 4u);
  EXPECT_LT(r.intervals[0].p99_ns, 250 * kMs);
  EXPECT_GE(r.intervals[1].max_ns, 900 * kMs);
  EXPECT_GE(r.intervals[2].max_ns, 400 * kMs);
  EXPECT_LT(r.intervals[2].max_ns, 750 * kMs);  // plus the backlog's drain
  EXPECT_LT(r.intervals[3].p99_ns, 250 * kMs);
}

TEST(LoadGenOpenLoop, GarbageResponsesAreCountedAsInvalid) {
  EchoServer server({.behavior = EchoServer::Behavior::kGarbageLine});
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 4;
  spec.rate_per_s = 500;
  spec.warmup_ns = 200 * kMs;
  spec.duration_ns = 1 * kS;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(r.target_requests, 500);
  EXPECT_EQ(r.completed, 0);
  EXPECT_EQ(r.invalid_responses, r.sent);
  EXPECT_EQ(r.sent, 500);
  EXPECT_EQ(r.reconnects, 0);  // a wrong but well-framed answer keeps the connection
  ExpectAccountingAddsUp(r);
  ASSERT_FALSE(r.error_samples.empty());
  EXPECT_NE(r.error_samples.front().find("garbage"), std::string::npos) << r.error_samples.front();
  EXPECT_EQ(r.intervals[0].errors, 500);
  // A wrong answer is no answer: it counts as the request timeout, however fast it came.
  EXPECT_GE(r.corrected.Min(), spec.request_timeout_ns);
  EXPECT_GE(r.uncorrected.Min(), spec.request_timeout_ns);
  EXPECT_GE(r.intervals[0].p50_ns, spec.request_timeout_ns);
}

TEST(LoadGenOpenLoop, UnframeableResponsesResetTheConnection) {
  EchoServer server({.behavior = EchoServer::Behavior::kUnterminatedGarbage});
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 4;
  spec.rate_per_s = 500;
  spec.warmup_ns = 200 * kMs;
  spec.duration_ns = 1 * kS;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(r.completed, 0);
  EXPECT_GT(r.invalid_responses, 400);
  EXPECT_GT(r.reconnects, 400);
  ExpectAccountingAddsUp(r);
  ASSERT_FALSE(r.error_samples.empty());
  EXPECT_NE(r.error_samples.front().find("no newline"), std::string::npos) << r.error_samples.front();
}

TEST(LoadGenOpenLoop, ServerClosingConnectionsCountsErrors) {
  EchoServer server({.behavior = EchoServer::Behavior::kCloseOnRequest});
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 4;
  spec.rate_per_s = 500;
  spec.warmup_ns = 200 * kMs;
  spec.duration_ns = 1 * kS;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(r.completed, 0);
  EXPECT_GT(r.errors, 400);  // each request fails and its connection is re-opened for the next
  EXPECT_EQ(r.invalid_responses + r.timeouts, 0);
  EXPECT_GT(r.reconnects, 400);
  ExpectAccountingAddsUp(r);
  ASSERT_FALSE(r.error_samples.empty());
  EXPECT_NE(r.error_samples.front().find("closed"), std::string::npos) << r.error_samples.front();
  // Failing fast is not being fast: each failure counts as at least the request timeout.
  EXPECT_GE(r.corrected.Min(), spec.request_timeout_ns);
}

TEST(LoadGenOpenLoop, TimeoutsAreCountedAndTheConnectionReset) {
  const int64_t warmup_ns = 200 * kMs;
  EchoServer server({.behavior = EchoServer::Behavior::kEcho,
                     .stall_after_ns = warmup_ns + 300 * kMs,
                     .stall_for_ns = 2 * kS});
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 2;
  spec.rate_per_s = 200;
  spec.warmup_ns = warmup_ns;
  spec.duration_ns = 1 * kS;
  spec.request_timeout_ns = 100 * kMs;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_GT(r.completed, 40);  // ~60 before the stall
  EXPECT_GE(r.timeouts, 8);    // ~0.7 s of stall / 100 ms, per connection
  EXPECT_GE(r.reconnects, r.timeouts - spec.connections);  // none after the end
  EXPECT_GT(r.unsent, 0);  // the backlog behind the timed-out requests: what coordinated omission hides
  EXPECT_EQ(r.errors + r.invalid_responses, 0);
  ExpectAccountingAddsUp(r);
  ASSERT_FALSE(r.error_samples.empty());
  EXPECT_NE(r.error_samples.front().find("within 100.0 ms"), std::string::npos) << r.error_samples.front();
}

// The tail the latency claims judge (p99.9) must not lose the requests that never got an answer. The
// server leaves 3 of 4000 requests unanswered, all in the first second: 0.075% of the run, below the
// 0.1% failure limit, but 0.15% of the first second's 2000 requests. Each one counts at least the
// request timeout, so the run's three largest values and the first second's p99.9 are at least the
// timeout. (The run's own p99.9 is the 4000 - 3996 = 4th largest value (the top 0.1% is 4 values):
// below the limit, failures alone cannot set it, but they push it up to the slowest answered request.)
TEST(LoadGenOpenLoop, UnansweredRequestsCountAtLeastTheTimeout) {
  const int64_t warmup_ns = 500 * kMs;
  EchoServer server({.behavior = EchoServer::Behavior::kEcho, .drop_after_ns = warmup_ns + 400 * kMs,
                     .drop_count = 3});
  LoadSpec spec = EchoSpec(server.port());
  spec.warmup_ns = warmup_ns;
  spec.request_timeout_ns = 250 * kMs;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(server.lines_dropped(), 3);
  EXPECT_EQ(r.target_requests, 4000);
  EXPECT_EQ(r.timeouts, 3);
  EXPECT_EQ(r.errors + r.invalid_responses + r.unsent, 0);
  EXPECT_EQ(r.completed, r.target_requests - 3);
  ExpectAccountingAddsUp(r);

  EXPECT_GE(KthLargest(r.corrected, 3), spec.request_timeout_ns);
  EXPECT_GE(KthLargest(r.uncorrected, 3), spec.request_timeout_ns);
  ASSERT_EQ(r.intervals.size(), 2u);
  EXPECT_EQ(r.intervals[0].errors, 3);
  EXPECT_GE(r.intervals[0].p999_ns, spec.request_timeout_ns);
  EXPECT_GE(r.intervals[0].max_ns, spec.request_timeout_ns);
  EXPECT_LT(r.intervals[1].max_ns, spec.request_timeout_ns);  // answered requests only
}

// A server that stops answering half-way through leaves requests that the run ended before it could
// send: they were scheduled, so they are in the corrected distribution, each at least its wait from
// the intended send to the end of the run (and at least the timeout), in the interval of its intended
// send time. They were never sent, so the uncorrected distribution (from the actual send) has none.
TEST(LoadGenOpenLoop, UnsentRequestsCountFromTheirIntendedTimeToTheEnd) {
  const int64_t warmup_ns = 200 * kMs;
  EchoServer server({.behavior = EchoServer::Behavior::kEcho,
                     .stall_after_ns = warmup_ns + 500 * kMs,
                     .stall_for_ns = 5 * kS});  // beyond the run: the stalled requests never return
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 2;
  spec.rate_per_s = 200;
  spec.warmup_ns = warmup_ns;
  spec.duration_ns = 1 * kS;
  spec.request_timeout_ns = 200 * kMs;
  spec.interval_ns = 250 * kMs;
  const LoadResult r = RunOpenLoop(spec);
  SCOPED_TRACE(Describe(r));
  EXPECT_EQ(r.target_requests, 200);
  EXPECT_GT(r.unsent, 50);  // ~100 fall due in the stall, and each connection sends one per timeout
  EXPECT_GT(r.timeouts, 0);
  ExpectAccountingAddsUp(r);

  ASSERT_EQ(r.intervals.size(), 4u);
  int64_t interval_unsent = 0;
  for (const IntervalStats& interval : r.intervals) {
    interval_unsent += interval.scheduled - interval.completed - interval.errors;
  }
  EXPECT_EQ(interval_unsent, r.unsent);
  // Before the stall: fast (but the last requests before it are caught by it). In it: mostly unsent or
  // timed out, so even the median is past the timeout.
  EXPECT_LT(r.intervals[0].p99_ns, spec.request_timeout_ns);
  EXPECT_LT(r.intervals[1].p50_ns, spec.request_timeout_ns);
  for (size_t i : {2u, 3u}) {
    EXPECT_GE(r.intervals[i].p50_ns, spec.request_timeout_ns) << i;
    EXPECT_GE(r.intervals[i].max_ns, spec.request_timeout_ns) << i;
  }
  // The first unsent request was meant for about 0.53 s and the run ended after 1 s: it waited ~0.5 s.
  EXPECT_GE(r.intervals[2].max_ns, 450 * kMs);
  EXPECT_GE(r.corrected.Max(), 450 * kMs);
  EXPECT_LT(r.uncorrected.Max(), 450 * kMs);  // timeouts only: 200 ms plus the time to notice
}

TEST(LoadGenOpenLoop, ClosedPortIsASetupErrorNamingTheAddress) {
  // A bound socket that never listens: connections to its port are refused, and nobody else can take it.
  UniqueFd blocker(::socket(AF_INET, SOCK_STREAM, 0));
  ASSERT_TRUE(blocker.valid());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(blocker.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const uint16_t port = LocalPort(blocker.get());
  ASSERT_NE(port, 0);

  LoadSpec spec = EchoSpec(port);
  try {
    RunOpenLoop(spec);
    FAIL() << "expected SetupError";
  } catch (const SetupError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(fmt::format("127.0.0.1:{}", port)), std::string::npos) << message;
    EXPECT_NE(message.find("refused"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(LoadGenSpec, InvalidSpecsAreSetupErrors) {
  LoadSpec spec = EchoSpec(1);
  spec.port = 0;
  EXPECT_THROW(RunOpenLoop(spec), SetupError);
  spec = EchoSpec(1);
  spec.rate_per_s = 0;
  EXPECT_THROW(RunOpenLoop(spec), SetupError);
  spec = EchoSpec(1);
  spec.make_protocol = nullptr;
  EXPECT_THROW(RunOpenLoop(spec), SetupError);
  spec = EchoSpec(1);
  spec.connections = 0;
  EXPECT_THROW(RunClosedLoop(spec), SetupError);
  spec = EchoSpec(1);
  spec.duration_ns = 0;
  EXPECT_THROW(RunClosedLoop(spec), SetupError);
  EXPECT_THROW(RunSweep(EchoSpec(1), {0.5, 1.5}), SetupError);
}

TEST(LoadGenClosedLoop, SendsBackToBack) {
  EchoServer server;
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 4;
  spec.rate_per_s = 0;  // ignored
  spec.warmup_ns = 100 * kMs;
  spec.duration_ns = 500 * kMs;
  spec.interval_ns = 100 * kMs;
  const LoadResult r = RunClosedLoop(spec);
  SCOPED_TRACE(Describe(r));
  std::printf("[ figures  ] closed loop, 4 connections: %.0f requests/s\n", r.achieved_rate_per_s);
  EXPECT_EQ(r.target_requests, 0);
  EXPECT_EQ(r.target_rate_per_s, 0);
  EXPECT_GT(r.achieved_rate_per_s, 1000);
  EXPECT_EQ(r.errors + r.timeouts + r.invalid_responses, 0);
  EXPECT_EQ(r.late_sends, 0);
  ExpectAccountingAddsUp(r);
  for (double p : {50.0, 99.0, 100.0}) {
    EXPECT_EQ(r.corrected.ValueAtPercentile(p), r.uncorrected.ValueAtPercentile(p)) << p;
  }
  ASSERT_EQ(r.intervals.size(), 5u);
  for (const IntervalStats& interval : r.intervals) EXPECT_GT(interval.completed, 0);
}

TEST(LoadGenSweep, RunsOpenLoopAtFractionsOfTheClosedLoopMaximum) {
  EchoServer server;
  LoadSpec spec = EchoSpec(server.port());
  spec.connections = 4;
  spec.warmup_ns = 100 * kMs;
  spec.duration_ns = 300 * kMs;
  spec.interval_ns = 100 * kMs;
  const SweepResult sweep = RunSweep(spec);
  EXPECT_EQ(SweepFractions(), (std::vector<double>{0.5, 0.8, 0.95}));
  ASSERT_EQ(sweep.fractions, SweepFractions());
  ASSERT_EQ(sweep.open_loop.size(), 3u);
  EXPECT_EQ(sweep.max_rate_per_s, sweep.closed_loop.achieved_rate_per_s);
  EXPECT_GT(sweep.max_rate_per_s, 0);
  for (size_t i = 0; i < sweep.open_loop.size(); ++i) {
    const LoadResult& r = sweep.open_loop[i];
    SCOPED_TRACE(Describe(r));
    std::printf("[ figures  ] sweep %.2f of %.0f/s: %s\n", sweep.fractions[i], sweep.max_rate_per_s,
                Describe(r).c_str());
    EXPECT_DOUBLE_EQ(r.target_rate_per_s, sweep.fractions[i] * sweep.max_rate_per_s);
    EXPECT_GT(r.target_requests, 0);
    EXPECT_EQ(r.errors + r.invalid_responses, 0);
    ExpectAccountingAddsUp(r);
  }
}

TEST(LoadGenResultModel, ConvertsToDistributionsAndTimeline) {
  Histogram h = Histogram::ForLatencyNs();
  for (int64_t v = 1; v <= 1000; ++v) h.Record(v * 1000);
  const LatencyDistribution d = ToLatencyDistribution(h, "corrected");
  EXPECT_EQ(d.name, "corrected");
  EXPECT_EQ(d.highest_trackable_value, h.highest_trackable_value());
  EXPECT_EQ(d.percentiles_ns.at("max"), static_cast<double>(h.Max()));
  EXPECT_EQ(d.percentiles_ns.at("p99"), static_cast<double>(h.ValueAtPercentile(99)));
  EXPECT_EQ(d.percentiles_ns.size(), 6u);
  int64_t total = 0;
  for (const auto& bucket : d.buckets) total += bucket.second;
  EXPECT_EQ(total, 1000);

  const std::vector<TimePoint> timeline =
      ToTimeline({{0, 10, 9, 1, 5, 7, 8, 9}, {kS, 10, 10, 0, 1, 2, 3, 4}});
  ASSERT_EQ(timeline.size(), 2u);
  EXPECT_EQ(timeline[1].t_ns, kS);
  EXPECT_EQ(timeline[0].values.at("errors"), 1);
  EXPECT_EQ(timeline[0].values.at("p99.9_ns"), 8);
}

}  // namespace
}  // namespace claimbench::loadgen
