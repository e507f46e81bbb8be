// The reference HTTP/1.1 reverse proxy (../SPEC.md) on Boost.Asio.
//
// Design: one io_context per thread, with Asio's internal locking off, and one listening socket per
// thread (SO_REUSEPORT when there are several), so a connection lives on one thread from accept to close
// and nothing is handed between threads. Each thread has its own upstream pool (no lock; as nginx has one
// per worker) and one "sweeper" timer that enforces the deadlines of all its connections, so moving a
// deadline costs a clock read and no connection holds a timer. An idle keep-alive connection holds no
// coroutine and no buffer, only a readiness wait; its first bytes start a C++20 coroutine that handles its
// requests strictly in order (read a head, forward it with its body, stream the response back, repeat), so
// pipelined requests are answered in order without a queue, and bodies are streamed through a fixed
// buffer, never held whole. A busy connection's buffers come from the thread's spares and go back when it
// is idle again, so the hot path does not allocate per request. Framing is decided by the strict parser
// (http_parser.h): anything ambiguous is refused, never forwarded.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "http_parser.h"

namespace claimbench::http_proxy {

struct HostPort {
  std::string host;  // numeric IPv4/IPv6 or a name
  uint16_t port = 0;
};

// Parses "HOST:PORT" (IPv6 as "[::1]:8080"). False when malformed.
bool ParseHostPort(std::string_view text, HostPort& out);

struct ProxyOptions {
  HostPort listen;
  std::vector<HostPort> upstreams;  // requests go round-robin across them
  int threads = 1;
  ParseLimits limits;
  // A client has this long to send a whole request head once its first byte arrived; then 408 and close
  // (slowloris protection).
  std::chrono::milliseconds header_timeout{10'000};
  // A keep-alive client connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{60'000};
  // Longest wait for the next bytes of a request body (slow-body protection); then the connection closes.
  std::chrono::milliseconds body_timeout{10'000};
  std::chrono::milliseconds upstream_connect_timeout{3'000};  // then 504 (a refused connection: 502)
  std::chrono::milliseconds upstream_read_timeout{30'000};    // no response bytes for this long: 504
  size_t max_idle_upstream_connections = 1024;                // per upstream host, in the pool
};

// Listens, calls `on_listening` once the socket accepts connections, and serves until SIGINT or SIGTERM,
// then returns. Throws std::runtime_error with one line (what to fix) if it cannot resolve or listen.
void RunProxy(const ProxyOptions& options, const std::function<void()>& on_listening);

}  // namespace claimbench::http_proxy
