// A tiny in-process line-echo origin for the load generator's tests (not a workload implementation).
//
// Design: one epoll thread on 127.0.0.1, ephemeral port, started by the constructor and stopped by the
// destructor, so a test owns it like any other object. It can misbehave on purpose, because the load
// generator's value is in what it reports when the server does: stall all responses once for a set
// time (the coordinated-omission test), never answer a few requests (dropped tails), answer with
// garbage, or close connections.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

#include "claimbench/tcp_socket.h"

namespace claimbench::testing {

class EchoServer {
 public:
  enum class Behavior {
    kEcho,                 // answer each line with itself
    kGarbageLine,          // answer each line with "garbage\n" (a complete but wrong response)
    kUnterminatedGarbage,  // answer each line with 256 bytes and no newline (cannot be a response)
    kCloseOnRequest,       // close the connection when a line arrives, without answering
  };
  struct Options {
    Behavior behavior = Behavior::kEcho;
    // Hold every response from stall_after_ns to stall_after_ns + stall_for_ns after construction
    // (steady clock), then send them all; requests are still read meanwhile. < 0: never stall.
    int64_t stall_after_ns = -1;
    int64_t stall_for_ns = 0;
    // Never answer drop_count lines: the first ones (counted over all connections) that arrive
    // drop_after_ns or later after construction. The line is read and forgotten, so a client waiting
    // for it times out. < 0: drop nothing.
    int64_t drop_after_ns = -1;
    int64_t drop_count = 0;
  };

  // Listens on 127.0.0.1:0 and starts serving. Throws SetupError if it cannot listen,
  // std::system_error if it cannot create its epoll set or thread.
  explicit EchoServer(Options options);
  EchoServer() : EchoServer(Options{}) {}
  // Stops the thread and closes every connection.
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  uint16_t port() const noexcept { return port_; }
  int64_t start_ns() const noexcept { return start_ns_; }  // steady clock, at construction
  // Lines received so far, on all connections. Thread-safe.
  int64_t lines_received() const noexcept { return lines_received_.load(std::memory_order_relaxed); }
  // Lines left unanswered so far (Options::drop_count). Thread-safe.
  int64_t lines_dropped() const noexcept { return lines_dropped_.load(std::memory_order_relaxed); }

 private:
  void Serve();

  Options options_;
  UniqueFd listener_;
  UniqueFd epoll_;
  UniqueFd stop_event_;
  uint16_t port_ = 0;
  int64_t start_ns_ = 0;
  std::atomic<int64_t> lines_received_{0};
  std::atomic<int64_t> lines_dropped_{0};
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace claimbench::testing
