// The read-states service's network side (SPEC.md, Service mode): Boost.Asio, fixed 32-byte frames,
// pipelined requests answered in order per connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "read_states_store.h"
#include "service_trace.h"

namespace claimbench::sync_service {

struct ServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4 or IPv6 address, or a resolvable name
  uint16_t port = 0;               // 0: an ephemeral port (see ReadStatesServer::port())
  int threads = 1;                 // threads running the io_context
  ServiceTrace* trace = nullptr;   // when set, every read's answering time goes to it (serve --trace)
  // > 0: the server writes the store back every this often, on its own event loop, one shard at a time
  // spread over the period (no thread of its own, no lock held while a request waits, never more than
  // one shard's records between two requests). 0: the caller does (tests with their own write-back
  // thread).
  std::chrono::milliseconds write_back_period{0};
};

class ReadStatesServer {
 public:
  // Binds and listens at once. Throws std::runtime_error naming the address when it cannot.
  ReadStatesServer(ReadStatesStore& store, const ServerOptions& options);
  ~ReadStatesServer();
  ReadStatesServer(const ReadStatesServer&) = delete;
  ReadStatesServer& operator=(const ReadStatesServer&) = delete;

  uint16_t port() const;

  // Serves on options.threads threads (this one included) until Stop(), or SIGINT/SIGTERM when
  // `stop_on_signals`. Calls `on_ready` (if any) once the signals are caught, just before serving.
  // Rethrows the first exception a handler threw (a failing backing table, say). A write-back pass that
  // was under way when it stopped is left unfinished: call store.WriteBack() after.
  void Run(bool stop_on_signals, const std::function<void()>& on_ready = nullptr);

  // Makes Run() return soon. Thread-safe; may come before Run().
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace claimbench::sync_service
