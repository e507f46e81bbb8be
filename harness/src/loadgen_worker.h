// Private: one load-generator thread. Owns a subset of the connections, its own epoll instance and
// timerfd, and its own counters and histograms; shares only the read-only RunPlan. See loadgen.h for
// the measurement design.
#pragma once

#include <netinet/in.h>
#include <sys/epoll.h>

#include <array>
#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/histogram.h"
#include "claimbench/loadgen.h"
#include "receive_buffer.h"
#include "claimbench/tcp_socket.h"

namespace claimbench::loadgen::detail {

enum class LoopMode { kOpen, kClosed };

// Everything the workers read and nobody writes once they run. The absolute times are steady_clock
// nanoseconds (CLOCK_MONOTONIC), set by the coordinating thread before it releases the workers.
struct RunPlan {
  LoopMode mode = LoopMode::kOpen;
  const LoadSpec* spec = nullptr;
  sockaddr_in address{};
  // Open loop: offsets from start_ns, warm-up requests first, then the measured schedule shifted by
  // warmup_ns. Request i is sent on connection i % connection_count.
  std::vector<int64_t> offsets_ns;
  int64_t warmup_count = 0;  // open loop: index of the first measured request
  int64_t connection_count = 0;
  int64_t interval_count = 0;
  int64_t start_ns = 0;
  int64_t measured_start_ns = 0;
  int64_t end_ns = 0;
};

// Histogram for the per-interval series: 2 significant digits keeps one at about 36 KiB (vs ~300 KiB at
// 3 digits), which matters with one per interval per thread over a long run.
inline constexpr int64_t kIntervalHistogramHighestNs = 3'600'000'000'000;
inline constexpr int kIntervalHistogramDigits = 2;

struct IntervalTally {
  // Every measured request intended in the interval, failed and unsent ones included (loadgen.h).
  Histogram corrected{1, kIntervalHistogramHighestNs, kIntervalHistogramDigits};
  int64_t scheduled = 0;
  int64_t completed = 0;
  int64_t errors = 0;
};

// What one worker measured; merged by the coordinator after the threads have joined.
struct WorkerTally {
  Histogram corrected = Histogram::ForLatencyNs();
  Histogram uncorrected = Histogram::ForLatencyNs();
  Histogram send_lag = Histogram::ForLatencyNs();
  int64_t sent = 0, completed = 0, errors = 0, timeouts = 0, invalid_responses = 0, unsent = 0;
  int64_t late_sends = 0, connect_failures = 0, reconnects = 0, bytes_sent = 0, bytes_received = 0;
  int64_t last_completion_ns = 0;  // absolute, of a measured request; 0 if none
  std::vector<IntervalTally> intervals;
  std::vector<std::string> error_samples;
};

// Not thread-safe: constructed and given connections by the coordinator, then Run() on its own thread,
// then read by the coordinator after join.
class Worker {
 public:
  // Throws std::system_error if epoll or timerfd cannot be created.
  explicit Worker(const RunPlan& plan);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Hands over an open connection; `global_index` is its position in 0 .. connection_count-1.
  void AddConnection(int64_t global_index, UniqueFd fd, std::unique_ptr<Protocol> protocol);

  // Runs until the plan's end_ns has passed and no request is in flight. Open loop: requests that fell
  // due before end_ns but wait behind a busy connection (a backlog) are still sent after it, for up to
  // request_timeout_ns (the drain): their corrected latency, counted from the intended time, shows the
  // backlog; only what is still unsent then counts as unsent. Errors in the run are counted;
  // a Protocol's exception or a failing epoll call propagates.
  void Run();

  WorkerTally& tally() noexcept { return tally_; }

 private:
  enum class State { kIdle, kBusy, kConnecting, kBackoff, kClosed };
  enum class Failure { kError, kTimeout, kInvalid };

  struct Connection {
    int64_t global_index = 0;
    UniqueFd fd;
    std::unique_ptr<Protocol> protocol;
    uint32_t generation = 0;  // bumped on every new socket, so stale epoll events are recognised
    State state = State::kClosed;
    bool queued = false;      // has an entry in ready_
    bool want_write = false;  // EPOLLOUT is registered
    int64_t next_k = 0;       // the next request on this connection is global_index + next_k * n
    // The request in flight (kBusy).
    uint64_t request_index = 0;
    int64_t intended_ns = 0, sent_ns = 0, deadline_ns = 0;
    bool measured = false;
    std::string out;  // request bytes; out_done of them written
    size_t out_done = 0;
    ReceiveBuffer in;      // bytes received and not yet consumed by a response (a partial one, usually none)
    int64_t retry_ns = 0;  // kConnecting: give-up time; kBackoff: next attempt
  };

  struct ReadyEntry {
    int64_t due_ns;
    size_t connection;
    bool operator>(const ReadyEntry& other) const noexcept { return due_ns > other.due_ns; }
  };

  // Sleeps until wake_ns or an event; returns the number of events in events_ (0 on timeout or signal).
  int Wait(int64_t now_ns, int64_t wake_ns);
  void MakeReady(Connection& c, int64_t now_ns);
  // Open loop: the end of the drain, after which no request is sent (see Run()).
  int64_t DrainEndNs() const noexcept { return plan_.end_ns + plan_.spec->request_timeout_ns; }
  void DispatchDue(int64_t now_ns);
  void Send(Connection& c);
  void FlushWrite(Connection& c, int64_t now_ns);
  void OnReadable(Connection& c);
  // Parses the responses in `bytes`: either the bytes just read into read_buffer_ (`in` was empty) or
  // `in` itself. Keeps what is left in `in`.
  void ParseResponses(Connection& c, std::string_view bytes, bool in_place, int64_t now_ns);
  void Complete(Connection& c, int64_t now_ns, bool valid, const std::string& error, size_t bytes);
  void FailInFlight(Connection& c, Failure failure, const std::string& message, int64_t now_ns);
  void Reconnect(Connection& c, int64_t now_ns);
  void StartConnecting(Connection& c, int64_t now_ns);
  void OnConnected(Connection& c, int64_t now_ns);
  void ConnectFailed(Connection& c, int error, int64_t now_ns);
  void Housekeeping(int64_t now_ns);
  void Register(Connection& c, uint32_t events, bool add);
  void SetWantWrite(Connection& c, bool want);
  void ArmTimer(int64_t wake_ns);
  // A request that got no valid answer (see loadgen.h, "Failures in the distributions"): its latency is
  // what it waited, but never less than the request timeout.
  int64_t FailureLatencyNs(int64_t waited_ns) const noexcept;
  // Records the in-flight request of `c`, which failed at now_ns, in the corrected, uncorrected and
  // interval histograms. Measured requests only; the caller counts it.
  void RecordFailure(const Connection& c, int64_t now_ns);
  // Open loop, once the loop has ended at end_ns: counts every measured request this worker never sent
  // and records it in the corrected and interval histograms (not in uncorrected: it has no send time).
  void RecordUnsent(int64_t end_ns);
  void Sample(const std::string& message);
  size_t IntervalOf(int64_t intended_ns) const noexcept;

  const RunPlan& plan_;
  UniqueFd epoll_;
  UniqueFd timer_;
  int64_t armed_ns_ = -1;  // absolute time the timerfd is armed for; -1 when not armed
  std::vector<Connection> connections_;
  std::priority_queue<ReadyEntry, std::vector<ReadyEntry>, std::greater<>> ready_;
  int64_t in_flight_ = 0;
  int64_t next_housekeeping_ns_ = INT64_MAX;  // earliest request deadline, connect deadline or retry
  WorkerTally tally_;
  // Large enough that a 64 KiB response that has fully arrived is read, and checked, in one piece
  // without being copied (see OnReadable); the kernel copies only what is there.
  std::array<char, 256 * 1024> read_buffer_{};
  std::array<epoll_event, 64> events_{};
};

}  // namespace claimbench::loadgen::detail
