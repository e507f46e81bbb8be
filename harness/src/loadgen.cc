#include "claimbench/loadgen.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <latch>
#include <thread>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "loadgen_worker.h"
#include "claimbench/tcp_socket.h"

namespace claimbench::loadgen {
namespace {

using detail::LoopMode;
using detail::RunPlan;
using detail::Worker;
using detail::WorkerTally;

// Workers are released this long after the last one is ready, so none starts the schedule late
// because a sibling thread was still being created.
constexpr int64_t kStartLeadNs = 1'000'000;
constexpr int kMaxConnections = 100'000;
constexpr int64_t kMaxIntervals = 1'000'000;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void ValidateSpec(const LoadSpec& spec, LoopMode mode) {
  auto fail = [](const std::string& what) { throw SetupError("load spec: " + what); };
  if (spec.port == 0) fail("no port given");
  if (spec.connections < 1 || spec.connections > kMaxConnections) {
    fail(fmt::format("connections must be in 1..{}, got {}", kMaxConnections, spec.connections));
  }
  if (spec.threads < 1) fail(fmt::format("threads must be >= 1, got {}", spec.threads));
  if (spec.warmup_ns < 0) fail(fmt::format("warm-up must be >= 0 ns, got {}", spec.warmup_ns));
  if (spec.duration_ns <= 0) fail(fmt::format("duration must be > 0 ns, got {}", spec.duration_ns));
  if (spec.request_timeout_ns <= 0) {
    fail(fmt::format("request timeout must be > 0 ns, got {}", spec.request_timeout_ns));
  }
  if (spec.connect_timeout_ns <= 0) {
    fail(fmt::format("connect timeout must be > 0 ns, got {}", spec.connect_timeout_ns));
  }
  if (spec.interval_ns <= 0) fail(fmt::format("interval must be > 0 ns, got {}", spec.interval_ns));
  if ((spec.duration_ns - 1) / spec.interval_ns + 1 > kMaxIntervals) {
    fail(fmt::format("{} ns in intervals of {} ns is more than {} intervals", spec.duration_ns,
                     spec.interval_ns, kMaxIntervals));
  }
  if (spec.late_send_threshold_ns < 0) fail("late-send threshold must be >= 0 ns");
  if (!spec.make_protocol) fail("no protocol factory (make_protocol)");
  if (mode == LoopMode::kOpen && !(std::isfinite(spec.rate_per_s) && spec.rate_per_s > 0)) {
    fail(fmt::format("the open-loop rate must be > 0 requests/s, got {}", spec.rate_per_s));
  }
}

std::vector<int64_t> MakeSchedule(const LoadSpec& spec, int64_t duration_ns, uint64_t seed) {
  return spec.arrival == LoadSpec::Arrival::kPoisson ? PoissonSchedule(spec.rate_per_s, duration_ns, seed)
                                                     : ConstantRateSchedule(spec.rate_per_s, duration_ns);
}

struct OpenedConnections {
  std::vector<UniqueFd> fds;
  int64_t failures = 0;
  int last_error = 0;
};

// Starts every connect at once and waits for them together, so that N slow connects cost one timeout,
// not N. Bounded by timeout_ns.
OpenedConnections OpenConnections(const sockaddr_in& address, int count, int64_t timeout_ns) {
  OpenedConnections opened;
  std::vector<UniqueFd> pending;
  for (int i = 0; i < count; ++i) {
    ConnectAttempt attempt = StartConnect(address);
    if (attempt.error == 0) {
      opened.fds.push_back(std::move(attempt.fd));
    } else if (attempt.error == EINPROGRESS) {
      pending.push_back(std::move(attempt.fd));
    } else {
      ++opened.failures;
      opened.last_error = attempt.error;
    }
  }
  const int64_t deadline_ns = NowNs() + timeout_ns;
  std::vector<pollfd> polled;
  while (!pending.empty()) {
    const int64_t left_ns = deadline_ns - NowNs();
    if (left_ns <= 0) {
      opened.failures += static_cast<int64_t>(pending.size());
      opened.last_error = ETIMEDOUT;
      break;
    }
    polled.clear();
    for (const UniqueFd& fd : pending) polled.push_back({fd.get(), POLLOUT, 0});
    const auto timeout_ms = static_cast<int>(std::min<int64_t>((left_ns + 999'999) / 1'000'000, 1 << 30));
    const int ready = ::poll(polled.data(), polled.size(), timeout_ms);
    if (ready < 0 && errno != EINTR) {
      throw SetupError(
          fmt::format("waiting for connections to {}: {}", FormatAddress(address), std::strerror(errno)));
    }
    std::vector<UniqueFd> still_pending;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (ready <= 0 || polled[i].revents == 0) {
        still_pending.push_back(std::move(pending[i]));
        continue;
      }
      const int error = PendingSocketError(pending[i].get());
      if (error == 0) {
        opened.fds.push_back(std::move(pending[i]));
      } else {
        ++opened.failures;
        opened.last_error = error;
      }
    }
    pending = std::move(still_pending);
  }
  return opened;
}

void AddSample(std::vector<std::string>& samples, const std::string& message) {
  if (samples.size() >= kMaxErrorSamples) return;
  if (std::find(samples.begin(), samples.end(), message) == samples.end()) samples.push_back(message);
}

LoadResult Run(const LoadSpec& spec, LoopMode mode) {
  ValidateSpec(spec, mode);
  RunPlan plan;
  plan.mode = mode;
  plan.spec = &spec;
  plan.address = ResolveIpv4(spec.host, spec.port);
  plan.interval_count = (spec.duration_ns - 1) / spec.interval_ns + 1;

  LoadResult result;
  if (mode == LoopMode::kOpen) {
    // The warm-up gets its own stream derived from the seed, so the measured schedule is exactly
    // PoissonSchedule(rate, duration, seed) whatever the warm-up length.
    const uint64_t warmup_seed = SplitMix64(spec.seed ^ 0x5741524d55505f31ULL).Next();
    plan.offsets_ns = MakeSchedule(spec, spec.warmup_ns, warmup_seed);
    const std::vector<int64_t> measured_offsets_ns = MakeSchedule(spec, spec.duration_ns, spec.seed);
    plan.warmup_count = static_cast<int64_t>(plan.offsets_ns.size());
    plan.offsets_ns.reserve(plan.offsets_ns.size() + measured_offsets_ns.size());
    for (int64_t offset_ns : measured_offsets_ns) plan.offsets_ns.push_back(spec.warmup_ns + offset_ns);
    result.target_requests = static_cast<int64_t>(measured_offsets_ns.size());
    result.target_rate_per_s = spec.rate_per_s;
  }

  OpenedConnections opened = OpenConnections(plan.address, spec.connections, spec.connect_timeout_ns);
  result.connect_failures = opened.failures;
  result.connections_opened = static_cast<int64_t>(opened.fds.size());
  if (opened.fds.empty()) {
    throw SetupError(fmt::format("cannot connect to {}:{}: {} (all {} connection attempts failed)", spec.host,
                                 spec.port, std::strerror(opened.last_error), spec.connections));
  }
  if (opened.failures > 0) {
    AddSample(result.error_samples,
              fmt::format("connecting to {}:{} failed: {} ({} of {} connections)", spec.host, spec.port,
                          std::strerror(opened.last_error), opened.failures, spec.connections));
  }

  plan.connection_count = static_cast<int64_t>(opened.fds.size());
  const int thread_count = static_cast<int>(std::min<int64_t>(spec.threads, plan.connection_count));
  std::vector<std::unique_ptr<Worker>> workers;
  for (int t = 0; t < thread_count; ++t) workers.push_back(std::make_unique<Worker>(plan));
  for (int64_t j = 0; j < plan.connection_count; ++j) {
    std::unique_ptr<Protocol> protocol = spec.make_protocol();
    if (!protocol) throw SetupError("load spec: make_protocol returned no protocol");
    Worker& owner = *workers[static_cast<size_t>(j % thread_count)];
    owner.AddConnection(j, std::move(opened.fds[static_cast<size_t>(j)]), std::move(protocol));
  }

  // Threads first, then the clock: the schedule starts only once every worker is waiting for it, and
  // the latch publishes the plan's times to them.
  std::latch ready(thread_count);
  std::latch go(1);
  std::vector<std::exception_ptr> failures(static_cast<size_t>(thread_count));
  {
    std::vector<std::jthread> threads;
    bool released = false;
    try {
      for (int t = 0; t < thread_count; ++t) {
        threads.emplace_back([&, t] {
          ready.count_down();
          go.wait();
          if (plan.end_ns == 0) return;  // aborted before the start
          try {
            workers[static_cast<size_t>(t)]->Run();
          } catch (...) {
            failures[static_cast<size_t>(t)] = std::current_exception();
          }
        });
      }
      ready.wait();
      plan.start_ns = NowNs() + kStartLeadNs;
      plan.measured_start_ns = plan.start_ns + spec.warmup_ns;
      plan.end_ns = plan.measured_start_ns + spec.duration_ns;
      released = true;
      go.count_down();
    } catch (...) {
      // Could not start a thread: release the ones that did (they see end_ns == 0 and return).
      if (!released) go.count_down();
      throw;
    }
  }  // joins
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }

  std::vector<detail::IntervalTally> intervals(static_cast<size_t>(plan.interval_count));
  int64_t last_completion_ns = 0;
  for (const std::unique_ptr<Worker>& worker : workers) {
    const WorkerTally& tally = worker->tally();
    result.corrected.Merge(tally.corrected);
    result.uncorrected.Merge(tally.uncorrected);
    result.send_lag.Merge(tally.send_lag);
    result.sent += tally.sent;
    result.completed += tally.completed;
    result.errors += tally.errors;
    result.timeouts += tally.timeouts;
    result.invalid_responses += tally.invalid_responses;
    result.unsent += tally.unsent;
    result.late_sends += tally.late_sends;
    result.connect_failures += tally.connect_failures;
    result.reconnects += tally.reconnects;
    result.bytes_sent += tally.bytes_sent;
    result.bytes_received += tally.bytes_received;
    last_completion_ns = std::max(last_completion_ns, tally.last_completion_ns);
    for (size_t i = 0; i < intervals.size(); ++i) {
      intervals[i].corrected.Merge(tally.intervals[i].corrected);
      intervals[i].scheduled += tally.intervals[i].scheduled;
      intervals[i].completed += tally.intervals[i].completed;
      intervals[i].errors += tally.intervals[i].errors;
    }
    for (const std::string& message : tally.error_samples) AddSample(result.error_samples, message);
  }
  if (mode == LoopMode::kOpen) {  // closed loop: the workers counted sends instead
    for (size_t i = static_cast<size_t>(plan.warmup_count); i < plan.offsets_ns.size(); ++i) {
      ++intervals[static_cast<size_t>((plan.offsets_ns[i] - spec.warmup_ns) / spec.interval_ns)].scheduled;
    }
  }
  result.intervals.reserve(intervals.size());
  for (size_t i = 0; i < intervals.size(); ++i) {
    const Histogram& h = intervals[i].corrected;
    result.intervals.push_back({static_cast<int64_t>(i) * spec.interval_ns, intervals[i].scheduled,
                                intervals[i].completed, intervals[i].errors, h.ValueAtPercentile(50),
                                h.ValueAtPercentile(99), h.ValueAtPercentile(99.9), h.Max()});
  }
  result.measured_ns = std::max(spec.duration_ns, last_completion_ns - plan.measured_start_ns);
  result.achieved_rate_per_s =
      static_cast<double>(result.completed) * 1e9 / static_cast<double>(result.measured_ns);
  return result;
}

}  // namespace

int64_t ScheduledRequests(const LoadResult& result) noexcept {
  return result.target_rate_per_s > 0 ? result.target_requests : result.sent;
}

int64_t FailedRequests(const LoadResult& result) noexcept {
  return result.errors + result.timeouts + result.invalid_responses + result.unsent;
}

LoadResult RunOpenLoop(const LoadSpec& spec) { return Run(spec, LoopMode::kOpen); }

LoadResult RunClosedLoop(const LoadSpec& spec) { return Run(spec, LoopMode::kClosed); }

std::vector<double> SweepFractions() { return {0.5, 0.8, 0.95}; }

SweepResult RunSweep(const LoadSpec& spec, const std::vector<double>& fractions) {
  for (double fraction : fractions) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw SetupError(fmt::format("load sweep: fractions must be in (0, 1], got {}", fraction));
    }
  }
  SweepResult sweep;
  sweep.closed_loop = RunClosedLoop(spec);
  sweep.max_rate_per_s = sweep.closed_loop.achieved_rate_per_s;
  if (sweep.closed_loop.completed == 0 || sweep.max_rate_per_s <= 0) {
    const std::vector<std::string>& samples = sweep.closed_loop.error_samples;
    throw SetupError(fmt::format("load sweep: the closed-loop probe of {}:{} completed no valid request{}",
                                 spec.host, spec.port,
                                 samples.empty() ? "" : " (first error: " + samples.front() + ")"));
  }
  sweep.fractions = fractions;
  for (double fraction : fractions) {
    LoadSpec open = spec;
    open.rate_per_s = fraction * sweep.max_rate_per_s;
    sweep.open_loop.push_back(RunOpenLoop(open));
  }
  return sweep;
}

LatencyDistribution ToLatencyDistribution(const Histogram& histogram, const std::string& name) {
  LatencyDistribution distribution;
  distribution.name = name;
  distribution.lowest_discernible_value = histogram.lowest_discernible_value();
  distribution.highest_trackable_value = histogram.highest_trackable_value();
  distribution.significant_digits = histogram.significant_digits();
  distribution.buckets = histogram.Buckets();
  static constexpr std::pair<const char*, double> kPercentiles[] = {
      {"p50", 50}, {"p90", 90}, {"p99", 99}, {"p99.9", 99.9}, {"p99.99", 99.99}};
  for (const auto& [label, percentile] : kPercentiles) {
    distribution.percentiles_ns[label] = static_cast<double>(histogram.ValueAtPercentile(percentile));
  }
  distribution.percentiles_ns["max"] = static_cast<double>(histogram.Max());
  return distribution;
}

std::vector<TimePoint> ToTimeline(const std::vector<IntervalStats>& intervals) {
  std::vector<TimePoint> timeline;
  timeline.reserve(intervals.size());
  for (const IntervalStats& interval : intervals) {
    TimePoint point;
    point.t_ns = interval.t_ns;
    point.values = {{"scheduled", static_cast<double>(interval.scheduled)},
                    {"completed", static_cast<double>(interval.completed)},
                    {"errors", static_cast<double>(interval.errors)},
                    {"p50_ns", static_cast<double>(interval.p50_ns)},
                    {"p99_ns", static_cast<double>(interval.p99_ns)},
                    {"p99.9_ns", static_cast<double>(interval.p999_ns)},
                    {"max_ns", static_cast<double>(interval.max_ns)}};
    timeline.push_back(std::move(point));
  }
  return timeline;
}

}  // namespace claimbench::loadgen
