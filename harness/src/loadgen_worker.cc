#include "loadgen_worker.h"

#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace claimbench::loadgen::detail {
namespace {

// A failed connect is retried after this long: long enough not to spin against a dead server, short
// enough that a restarted one is back in use within a few requests.
constexpr int64_t kReconnectBackoffNs = 10'000'000;
constexpr uint64_t kTimerToken = UINT64_MAX;
// Free room made at the end of a partial response before reading onto it (the buffer doubles as it
// grows, so later reads of a large response get more).
constexpr size_t kMinReadBytes = 16 * 1024;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

uint64_t Token(size_t connection, uint32_t generation) {
  return (uint64_t{generation} << 32) | static_cast<uint32_t>(connection);
}

std::string FormatMs(int64_t ns) { return fmt::format("{:.1f} ms", static_cast<double>(ns) / 1e6); }

[[noreturn]] void ThrowErrno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

Worker::Worker(const RunPlan& plan) : plan_(plan) {
  epoll_.Reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) ThrowErrno("epoll_create1");
  // steady_clock is CLOCK_MONOTONIC in libstdc++ on Linux, so its readings arm this timer directly.
  timer_.Reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!timer_.valid()) ThrowErrno("timerfd_create");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kTimerToken;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, timer_.get(), &event) != 0) ThrowErrno("epoll_ctl");
  tally_.intervals.resize(static_cast<size_t>(plan_.interval_count));
}

void Worker::AddConnection(int64_t global_index, UniqueFd fd, std::unique_ptr<Protocol> protocol) {
  Connection& c = connections_.emplace_back();
  c.global_index = global_index;
  c.fd = std::move(fd);
  c.protocol = std::move(protocol);
  c.state = State::kIdle;
  Register(c, EPOLLIN | EPOLLRDHUP, /*add=*/true);
}

void Worker::Run() {
  {
    std::vector<ReadyEntry> storage;
    storage.reserve(connections_.size());  // each connection has at most one entry (Connection::queued)
    ready_ = decltype(ready_)(std::greater<>(), std::move(storage));
  }
  for (Connection& c : connections_) MakeReady(c, plan_.start_ns);

  for (;;) {
    const int64_t now_ns = NowNs();
    DispatchDue(now_ns);
    if (now_ns >= next_housekeeping_ns_) Housekeeping(now_ns);
    if (now_ns >= plan_.end_ns && in_flight_ == 0) break;

    int64_t wake_ns = next_housekeeping_ns_;
    if (!ready_.empty()) wake_ns = std::min(wake_ns, ready_.top().due_ns);
    if (now_ns < plan_.end_ns) wake_ns = std::min(wake_ns, plan_.end_ns);
    else if (now_ns < DrainEndNs()) wake_ns = std::min(wake_ns, DrainEndNs());
    const int count = Wait(now_ns, wake_ns);
    for (int e = 0; e < count; ++e) {
      const epoll_event& event = events_[static_cast<size_t>(e)];
      if (event.data.u64 == kTimerToken) {
        uint64_t expirations = 0;
        [[maybe_unused]] ssize_t n = ::read(timer_.get(), &expirations, sizeof expirations);
        armed_ns_ = -1;
        continue;
      }
      const size_t index = static_cast<uint32_t>(event.data.u64);
      const auto generation = static_cast<uint32_t>(event.data.u64 >> 32);
      Connection& c = connections_[index];
      if (c.generation != generation || !c.fd.valid()) continue;  // from a socket closed in this batch
      if (c.state == State::kConnecting) {
        if (event.events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) {
          const int error = PendingSocketError(c.fd.get());
          if (error == 0) {
            OnConnected(c, NowNs());
          } else {
            ConnectFailed(c, error, NowNs());
          }
        }
        continue;
      }
      if ((event.events & EPOLLOUT) && c.want_write) FlushWrite(c, NowNs());
      if (c.generation != generation) continue;  // the write failed and the socket was replaced
      if (event.events & (EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) OnReadable(c);
    }
  }
  RecordUnsent(NowNs());
}

int Worker::Wait(int64_t now_ns, int64_t wake_ns) {
  // The timerfd is armed at the absolute wake time; hrtimers behind a timerfd have no slack. (We tried
  // epoll_pwait2's own timeout for short waits to save a syscall per send: on our test VM it woke no
  // sooner, ~30 us after the due time either way, and made the loop harder to read.)
  int timeout_ms = -1;
  if (wake_ns <= now_ns) {
    timeout_ms = 0;  // something fell due while we were working: only poll
  } else if (wake_ns != armed_ns_) {
    ArmTimer(wake_ns);
  }
  const int count = ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (count >= 0) return count;
  if (errno == EINTR) return 0;
  ThrowErrno("epoll_wait");
}

void Worker::MakeReady(Connection& c, int64_t now_ns) {
  c.state = State::kIdle;
  // Open loop: a connection that is free before the end of the drain sends what fell due before the end
  // (the schedule holds nothing later), so neither our wake-up jitter nor a short backlog behind a busy
  // connection at the end counts as unsent; the backlog's wait shows in the corrected latency instead.
  if (c.queued || now_ns >= (plan_.mode == LoopMode::kOpen ? DrainEndNs() : plan_.end_ns)) return;
  int64_t due_ns = now_ns;
  if (plan_.mode == LoopMode::kOpen) {
    const int64_t next = c.global_index + c.next_k * plan_.connection_count;
    if (next >= static_cast<int64_t>(plan_.offsets_ns.size())) return;
    due_ns = plan_.start_ns + plan_.offsets_ns[static_cast<size_t>(next)];
  }
  c.queued = true;
  ready_.push({due_ns, static_cast<size_t>(&c - connections_.data())});
}

void Worker::DispatchDue(int64_t now_ns) {
  // At most one pass over what is queued now: a send that fails and reconnects at once re-queues its
  // connection, and that entry waits for the next loop iteration, so this can never go round forever.
  // Each pass pops one entry and pushes at most one, so while budget > 0 the queue is not empty.
  for (size_t budget = ready_.size(); budget > 0 && ready_.top().due_ns <= now_ns; --budget) {
    Connection& c = connections_[ready_.top().connection];
    ready_.pop();
    c.queued = false;
    if (c.state != State::kIdle) continue;  // lost its socket since it was queued; requeued when back
    Send(c);
  }
}

void Worker::Send(Connection& c) {
  const int64_t index = c.global_index + c.next_k * plan_.connection_count;
  ++c.next_k;
  c.request_index = static_cast<uint64_t>(index);
  c.out.clear();
  c.out_done = 0;
  c.protocol->WriteRequest(c.request_index, c.out);
  // Bytes left in `in` (sent unasked) stay: they will be parsed as this request's response and fail it.
  c.sent_ns = NowNs();
  if (plan_.mode == LoopMode::kOpen) {
    c.intended_ns = plan_.start_ns + plan_.offsets_ns[static_cast<size_t>(index)];
    c.measured = index >= plan_.warmup_count;
  } else {
    // Closed loop has no schedule: the intended time is the send itself (so corrected == uncorrected).
    c.intended_ns = c.sent_ns;
    c.measured = c.sent_ns >= plan_.measured_start_ns;
  }
  c.deadline_ns = c.sent_ns + plan_.spec->request_timeout_ns;
  c.state = State::kBusy;
  ++in_flight_;
  next_housekeeping_ns_ = std::min(next_housekeeping_ns_, c.deadline_ns);
  if (c.measured) {
    ++tally_.sent;
    tally_.send_lag.Record(c.sent_ns - c.intended_ns);
    if (c.sent_ns - c.intended_ns > plan_.spec->late_send_threshold_ns) ++tally_.late_sends;
    if (plan_.mode == LoopMode::kClosed) ++tally_.intervals[IntervalOf(c.intended_ns)].scheduled;
  }
  FlushWrite(c, c.sent_ns);
}

void Worker::FlushWrite(Connection& c, int64_t now_ns) {
  while (c.out_done < c.out.size()) {
    const ssize_t n = ::send(c.fd.get(), c.out.data() + c.out_done, c.out.size() - c.out_done, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      SetWantWrite(c, true);
      return;
    }
    FailInFlight(c, Failure::kError, fmt::format("send failed: {}", std::strerror(errno)), now_ns);
    return;
  }
  if (c.measured) tally_.bytes_sent += static_cast<int64_t>(c.out.size());
  SetWantWrite(c, false);
}

void Worker::OnReadable(Connection& c) {
  // Usually nothing is waiting in `in`: read into the shared buffer and parse the responses where they
  // landed. Behind a partial response (a large body arriving in several reads), read straight onto its
  // end, so that no byte is copied twice.
  const bool in_place = c.in.empty();
  char* const into = in_place ? read_buffer_.data() : c.in.Reserve(kMinReadBytes);
  const size_t room = in_place ? read_buffer_.size() : c.in.room();
  const ssize_t n = ::recv(c.fd.get(), into, room, 0);
  // One clock read per read event: the completion time of every response parsed from these bytes.
  const int64_t now_ns = NowNs();
  if (n > 0) {
    if (in_place) {
      ParseResponses(c, std::string_view(into, static_cast<size_t>(n)), /*in_place=*/true, now_ns);
    } else {
      c.in.Commit(static_cast<size_t>(n));
      ParseResponses(c, c.in.view(), /*in_place=*/false, now_ns);
    }
    return;
  }
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
  const std::string reason = n == 0 ? std::string("connection closed by the server")
                                    : fmt::format("receive failed: {}", std::strerror(errno));
  if (c.state == State::kBusy) {
    FailInFlight(c, Failure::kError, reason + " with a request in flight", now_ns);
  } else {
    Reconnect(c, now_ns);  // an idle connection closed by the server costs no request
  }
}

void Worker::ParseResponses(Connection& c, std::string_view bytes, bool in_place, int64_t now_ns) {
  size_t used = 0;
  while (c.state == State::kBusy && used < bytes.size()) {
    const std::string_view rest = bytes.substr(used);
    ParseOutcome outcome = c.protocol->ParseResponse(rest, c.request_index);
    if (outcome.status == ParseOutcome::Status::kIncomplete) break;
    if (outcome.status == ParseOutcome::Status::kMalformed) {
      FailInFlight(c, Failure::kInvalid, outcome.error.empty() ? "malformed response" : outcome.error,
                   now_ns);
      return;  // the connection was reset, `in` with it
    }
    if (outcome.consumed == 0 || outcome.consumed > rest.size()) {
      throw std::logic_error(fmt::format("Protocol::ParseResponse consumed {} of {} buffered bytes",
                                         outcome.consumed, rest.size()));
    }
    used += outcome.consumed;
    Complete(c, now_ns, outcome.valid, outcome.error, outcome.consumed);  // never touches `in`
  }
  if (in_place) {
    c.in.Append(bytes.substr(used));  // a partial response, or bytes nobody asked for
  } else {
    c.in.Consume(used);
  }
}

void Worker::Complete(Connection& c, int64_t now_ns, bool valid, const std::string& error, size_t bytes) {
  --in_flight_;
  if (c.want_write) {  // answered before it was fully written: stop writing the rest
    c.out.clear();
    c.out_done = 0;
    SetWantWrite(c, false);
  }
  if (c.measured) {
    IntervalTally& interval = tally_.intervals[IntervalOf(c.intended_ns)];
    tally_.bytes_received += static_cast<int64_t>(bytes);
    if (valid) {
      ++tally_.completed;
      ++interval.completed;
      const int64_t corrected_ns = now_ns - c.intended_ns;
      tally_.corrected.Record(corrected_ns);
      tally_.uncorrected.Record(now_ns - c.sent_ns);
      interval.corrected.Record(corrected_ns);
      tally_.last_completion_ns = std::max(tally_.last_completion_ns, now_ns);
    } else {
      ++tally_.invalid_responses;
      ++interval.errors;
      RecordFailure(c, now_ns);
      Sample(error.empty() ? "invalid response" : error);
    }
  }
  MakeReady(c, now_ns);
}

void Worker::FailInFlight(Connection& c, Failure failure, const std::string& message, int64_t now_ns) {
  if (c.state == State::kBusy) {
    --in_flight_;
    if (c.measured) {
      switch (failure) {
        case Failure::kError: ++tally_.errors; break;
        case Failure::kTimeout: ++tally_.timeouts; break;
        case Failure::kInvalid: ++tally_.invalid_responses; break;
      }
      ++tally_.intervals[IntervalOf(c.intended_ns)].errors;
      RecordFailure(c, now_ns);
      Sample(message);
    }
  }
  Reconnect(c, now_ns);
}

void Worker::Reconnect(Connection& c, int64_t now_ns) {
  c.fd.Reset();  // closing also removes it from the epoll set
  ++c.generation;
  c.in.clear();
  c.out.clear();
  c.out_done = 0;
  c.want_write = false;
  c.state = State::kClosed;
  if (now_ns >= plan_.end_ns) return;  // the run is over: no request would use it
  ++tally_.reconnects;
  // A fresh protocol instance: the old one may hold parser state of the broken stream.
  c.protocol = plan_.spec->make_protocol();
  if (!c.protocol) throw std::logic_error("LoadSpec::make_protocol returned null");
  StartConnecting(c, now_ns);
}

void Worker::StartConnecting(Connection& c, int64_t now_ns) {
  ConnectAttempt attempt = StartConnect(plan_.address);
  if (attempt.error != 0 && attempt.error != EINPROGRESS) {
    ConnectFailed(c, attempt.error, now_ns);
    return;
  }
  c.fd = std::move(attempt.fd);
  ++c.generation;
  if (attempt.error == 0) {
    Register(c, EPOLLIN | EPOLLRDHUP, /*add=*/true);
    MakeReady(c, now_ns);
    return;
  }
  c.state = State::kConnecting;
  c.retry_ns = now_ns + plan_.spec->connect_timeout_ns;
  next_housekeeping_ns_ = std::min(next_housekeeping_ns_, c.retry_ns);
  Register(c, EPOLLOUT, /*add=*/true);
}

void Worker::OnConnected(Connection& c, int64_t now_ns) {
  Register(c, EPOLLIN | EPOLLRDHUP, /*add=*/false);
  MakeReady(c, now_ns);
}

void Worker::ConnectFailed(Connection& c, int error, int64_t now_ns) {
  c.fd.Reset();
  ++c.generation;
  ++tally_.connect_failures;
  Sample(fmt::format("reconnecting to {} failed: {}", FormatAddress(plan_.address), std::strerror(error)));
  c.state = State::kBackoff;
  c.retry_ns = now_ns + kReconnectBackoffNs;
  next_housekeeping_ns_ = std::min(next_housekeeping_ns_, c.retry_ns);
}

void Worker::Housekeeping(int64_t now_ns) {
  // Recomputed from scratch; the calls below lower it again for anything they start.
  next_housekeeping_ns_ = INT64_MAX;
  for (Connection& c : connections_) {
    switch (c.state) {
      case State::kBusy:
        if (now_ns >= c.deadline_ns) {
          const std::string message =
              fmt::format("no complete response within {}", FormatMs(plan_.spec->request_timeout_ns));
          FailInFlight(c, Failure::kTimeout, message, now_ns);
        } else {
          next_housekeeping_ns_ = std::min(next_housekeeping_ns_, c.deadline_ns);
        }
        break;
      case State::kConnecting:
        if (now_ns >= c.retry_ns) {
          ConnectFailed(c, ETIMEDOUT, now_ns);
        } else {
          next_housekeeping_ns_ = std::min(next_housekeeping_ns_, c.retry_ns);
        }
        break;
      case State::kBackoff:
        if (now_ns < c.retry_ns) {
          next_housekeeping_ns_ = std::min(next_housekeeping_ns_, c.retry_ns);
        } else if (now_ns < plan_.end_ns) {
          StartConnecting(c, now_ns);
        } else {
          c.state = State::kClosed;
        }
        break;
      case State::kIdle:
      case State::kClosed:
        break;
    }
  }
}

void Worker::Register(Connection& c, uint32_t events, bool add) {
  epoll_event event{};
  event.events = events;
  event.data.u64 = Token(static_cast<size_t>(&c - connections_.data()), c.generation);
  if (::epoll_ctl(epoll_.get(), add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd.get(), &event) != 0) {
    ThrowErrno("epoll_ctl");
  }
}

void Worker::SetWantWrite(Connection& c, bool want) {
  if (c.want_write == want) return;
  c.want_write = want;
  Register(c, EPOLLIN | EPOLLRDHUP | (want ? EPOLLOUT : 0u), /*add=*/false);
}

void Worker::ArmTimer(int64_t wake_ns) {
  itimerspec spec{};
  // An all-zero it_value would disarm the timer; wake_ns is always a positive monotonic time.
  spec.it_value.tv_sec = wake_ns / 1'000'000'000;
  spec.it_value.tv_nsec = wake_ns % 1'000'000'000;
  if (::timerfd_settime(timer_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) ThrowErrno("timerfd_settime");
  armed_ns_ = wake_ns;
}

int64_t Worker::FailureLatencyNs(int64_t waited_ns) const noexcept {
  return std::max(waited_ns, plan_.spec->request_timeout_ns);
}

void Worker::RecordFailure(const Connection& c, int64_t now_ns) {
  const int64_t corrected_ns = FailureLatencyNs(now_ns - c.intended_ns);
  tally_.corrected.Record(corrected_ns);
  tally_.uncorrected.Record(FailureLatencyNs(now_ns - c.sent_ns));
  tally_.intervals[IntervalOf(c.intended_ns)].corrected.Record(corrected_ns);
}

void Worker::RecordUnsent(int64_t end_ns) {
  if (plan_.mode != LoopMode::kOpen) return;
  const int64_t total = static_cast<int64_t>(plan_.offsets_ns.size());
  const int64_t n = plan_.connection_count;
  for (const Connection& c : connections_) {
    // Measured requests left on this connection: indices global_index + k*n, k >= next_k, in
    // [warmup_count, total).
    int64_t first = c.global_index + c.next_k * n;
    if (first < plan_.warmup_count) first += (plan_.warmup_count - first + n - 1) / n * n;
    for (int64_t index = first; index < total; index += n) {
      const int64_t intended_ns = plan_.start_ns + plan_.offsets_ns[static_cast<size_t>(index)];
      const int64_t corrected_ns = FailureLatencyNs(end_ns - intended_ns);
      ++tally_.unsent;
      tally_.corrected.Record(corrected_ns);
      tally_.intervals[IntervalOf(intended_ns)].corrected.Record(corrected_ns);
    }
  }
}

void Worker::Sample(const std::string& message) {
  if (tally_.error_samples.size() >= kMaxErrorSamples) return;
  std::vector<std::string>& samples = tally_.error_samples;
  if (std::find(samples.begin(), samples.end(), message) == samples.end()) samples.push_back(message);
}

size_t Worker::IntervalOf(int64_t intended_ns) const noexcept {
  const int64_t offset_ns = std::max<int64_t>(intended_ns - plan_.measured_start_ns, 0);
  const int64_t index = offset_ns / plan_.spec->interval_ns;
  return static_cast<size_t>(std::min(index, plan_.interval_count - 1));
}

}  // namespace claimbench::loadgen::detail
