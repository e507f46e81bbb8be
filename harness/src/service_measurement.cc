#include "claimbench/service_measurement.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/process.h"
#include "claimbench/tcp_socket.h"
#include "claimbench/unique_fd.h"

namespace claimbench {
namespace {

// Long enough for a runtime to finish lazy start-up work after it said ready, short next to any run.
constexpr std::chrono::milliseconds kIdleSettle{300};

}  // namespace

std::vector<MetricDescriptor> ServiceMetricDescriptors() {
  return {{"latency_p50_ns", "ns", false},      {"latency_p99_ns", "ns", false},
          {"latency_p999_ns", "ns", false},     {"latency_max_ns", "ns", false},
          {"uncorrected_p50_ns", "ns", false},  {"uncorrected_p99_ns", "ns", false},
          {"uncorrected_p999_ns", "ns", false}, {"achieved_rps", "requests_per_s", true},
          {"idle_rss_bytes", "bytes", false},   {"completed_requests", "count", true},
          {"failed_requests", "count", false},  {"send_lag_p99_ns", "ns", false},
          {"first_response_ns", "ns", false}};
}

Verdict MeasureFirstResponse(const loadgen::LoadSpec& load, const ChildProcess& process,
                             ServiceMeasurement& measurement, std::chrono::nanoseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  auto wait_for = [&](int fd, short events) {
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return false;
      pollfd poll_fd{fd, events, 0};
      int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
      if (ready > 0) return true;
      if (ready < 0 && errno != EINTR) return false;
    }
  };
  auto failed = [](std::string why) { return Verdict::Invalid("the first request after ready: " + why); };

  ConnectAttempt connection = StartConnect(ResolveIpv4(load.host, load.port));
  if (connection.error == EINPROGRESS) {
    if (!wait_for(connection.fd.get(), POLLOUT)) return failed("no connection within the timeout");
    connection.error = PendingSocketError(connection.fd.get());
  }
  if (connection.error != 0) return failed(fmt::format("cannot connect: {}", std::strerror(connection.error)));
  const int fd = connection.fd.get();
  std::unique_ptr<loadgen::Protocol> protocol = load.make_protocol();
  std::string request;
  protocol->WriteRequest(0, request);
  for (size_t sent = 0; sent < request.size();) {
    if (!wait_for(fd, POLLOUT)) return failed("could not send it within the timeout");
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return failed(fmt::format("send: {}", std::strerror(errno)));
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string received;
  char buffer[16 * 1024];
  for (;;) {
    if (!wait_for(fd, POLLIN)) return failed("no complete answer within the timeout");
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return failed("the service closed the connection before answering");
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return failed(fmt::format("recv: {}", std::strerror(errno)));
    }
    received.append(buffer, static_cast<size_t>(n));
    const loadgen::ParseOutcome outcome = protocol->ParseResponse(received, 0);
    if (outcome.status == loadgen::ParseOutcome::Status::kIncomplete) continue;
    if (outcome.status == loadgen::ParseOutcome::Status::kMalformed || !outcome.valid) {
      return failed("wrong answer: " + outcome.error);
    }
    measurement.metrics["first_response_ns"] = static_cast<double>(process.SinceSpawn().count());
    return Verdict::Ok();
  }
}

Verdict MeasureService(const loadgen::LoadSpec& load, ChildProcess& process, ServiceMeasurement& measurement) {
  std::this_thread::sleep_for(kIdleSettle);
  measurement.metrics["idle_rss_bytes"] = static_cast<double>(process.CurrentRssBytes());

  loadgen::LoadResult result = loadgen::RunOpenLoop(load);
  auto& m = measurement.metrics;
  m["latency_p50_ns"] = static_cast<double>(result.corrected.ValueAtPercentile(50));
  m["latency_p99_ns"] = static_cast<double>(result.corrected.ValueAtPercentile(99));
  m["latency_p999_ns"] = static_cast<double>(result.corrected.ValueAtPercentile(99.9));
  m["latency_max_ns"] = static_cast<double>(result.corrected.Max());
  m["uncorrected_p50_ns"] = static_cast<double>(result.uncorrected.ValueAtPercentile(50));
  m["uncorrected_p99_ns"] = static_cast<double>(result.uncorrected.ValueAtPercentile(99));
  m["uncorrected_p999_ns"] = static_cast<double>(result.uncorrected.ValueAtPercentile(99.9));
  m["achieved_rps"] = result.achieved_rate_per_s;
  m["completed_requests"] = static_cast<double>(result.completed);
  m["failed_requests"] = static_cast<double>(loadgen::FailedRequests(result));
  m["send_lag_p99_ns"] = static_cast<double>(result.send_lag.ValueAtPercentile(99));
  measurement.latency.push_back(loadgen::ToLatencyDistribution(result.corrected, "corrected"));
  measurement.latency.push_back(loadgen::ToLatencyDistribution(result.uncorrected, "uncorrected"));
  measurement.timeline = loadgen::ToTimeline(result.intervals);
  return CheckLoadFailures(result);
}

Verdict CheckLoadFailures(const loadgen::LoadResult& result, std::string_view run) {
  const std::string prefix = run.empty() ? "" : fmt::format("{}: ", run);
  const std::string first_error =
      result.error_samples.empty() ? "" : "; first error: " + result.error_samples.front();
  if (result.invalid_responses > 0) {
    return Verdict::Invalid(fmt::format("{}{} wrong responses of {} sent{}", prefix, result.invalid_responses,
                                        result.sent, first_error));
  }
  const int64_t failed = loadgen::FailedRequests(result);
  const int64_t scheduled = loadgen::ScheduledRequests(result);
  if (static_cast<double>(failed) > kMaxFailedShare * static_cast<double>(scheduled)) {
    const bool open_loop = result.target_rate_per_s > 0;
    const std::string load =
        open_loop ? fmt::format("at {:.0f} requests/s", result.target_rate_per_s) : "closed loop";
    // Mostly requests still queued behind busy connections at the end: the service was too slow for the
    // offered load (e.g. one CPython process at a rate set by nginx), not wrong or broken. Said first, so a
    // reader of the summary or the report sees why the run does not count.
    const std::string too_slow =
        open_loop && result.unsent > result.errors + result.timeouts
            ? fmt::format("did not sustain the offered load of {:.0f} requests/s: ", result.target_rate_per_s)
            : "";
    return Verdict::Invalid(
        fmt::format("{}{}{} of {} {} requests failed, more than {}% ({} errors, {} timeouts, {} unsent; {}){}",
                    prefix, too_slow, failed, scheduled, open_loop ? "scheduled" : "sent", kMaxFailedShare * 100,
                    result.errors, result.timeouts, result.unsent, load, first_error));
  }
  return Verdict::Ok();
}

Verdict CheckSweepFailures(const loadgen::SweepResult& sweep) {
  Verdict verdict = CheckLoadFailures(sweep.closed_loop, "the closed-loop probe");
  for (size_t i = 0; verdict.ok && i < sweep.open_loop.size(); ++i) {
    const double fraction = i < sweep.fractions.size() ? sweep.fractions[i] : 0;
    verdict = CheckLoadFailures(sweep.open_loop[i], fmt::format("the {:g}% step", fraction * 100));
  }
  return verdict;
}

double IntervalMaxOverMedian(const std::vector<TimePoint>& timeline, const std::string& name) {
  std::vector<double> values;
  for (const TimePoint& point : timeline) {
    auto scheduled = point.values.find("scheduled");
    auto value = point.values.find(name);
    if (scheduled == point.values.end() || scheduled->second <= 0 || value == point.values.end()) continue;
    values.push_back(value->second);
  }
  if (values.empty()) return 0;
  const double max = *std::max_element(values.begin(), values.end());
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2),
                   values.end());
  const double median = values[values.size() / 2];
  return median > 0 ? max / median : 0;
}

uint16_t FreeLoopbackPort() {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) throw SetupError(fmt::format("cannot create a socket: {}", std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw SetupError(fmt::format("cannot find a free port on 127.0.0.1: {}", std::strerror(errno)));
  }
  return ntohs(address.sin_port);
}

}  // namespace claimbench
