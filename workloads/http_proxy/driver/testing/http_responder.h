// A tiny in-process HTTP/1.1 origin for the load generator's tests: answers `GET /r/<k>?size=<n>
// [&chunked=1]` as workloads/http_proxy/SPEC.md's origin does, but writes each response in small pieces
// with a pause between them, so the load generator sees responses split at every byte boundary, and can
// corrupt one response or send one twice on purpose.
//
// Design: one thread accepts, one thread per connection answers with blocking writes (a test has a
// handful of connections). Stopped by the destructor, which wakes every thread through the stop flag
// they poll every few milliseconds.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "claimbench/unique_fd.h"

namespace claimbench::testing {

class HttpResponder {
 public:
  struct Options {
    // Response k is written in pieces of 1, 2, ..., max_piece_bytes, 1, 2, ... bytes (0: in one write),
    // with piece_pause_us between them.
    size_t max_piece_bytes = 0;
    int piece_pause_us = 50;
    int64_t corrupt_index = -1;    // this request's response gets one body byte changed
    int64_t duplicate_index = -1;  // this request's response is sent twice (bytes nobody asked for)
  };

  // Listens on 127.0.0.1:0. Throws SetupError if it cannot listen, std::system_error if it cannot start
  // its thread.
  explicit HttpResponder(Options options);
  ~HttpResponder();
  HttpResponder(const HttpResponder&) = delete;
  HttpResponder& operator=(const HttpResponder&) = delete;

  uint16_t port() const noexcept { return port_; }

 private:
  void Accept();
  void Serve(UniqueFd fd);

  Options options_;
  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;  // guards connection_threads_
  std::vector<std::thread> connection_threads_;
  std::thread accept_thread_;  // last: started once everything above exists
};

}  // namespace claimbench::testing
