// Many idle keep-alive connections held open against a proxy, to measure its memory per connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "loadgen_http.h"

namespace claimbench::http_proxy_workload {

// Owns the connections; closes them all on destruction. Not thread-safe.
class IdleConnections {
 public:
  IdleConnections() = default;
  ~IdleConnections();
  IdleConnections(const IdleConnections&) = delete;
  IdleConnections& operator=(const IdleConnections&) = delete;

  // Opens `count` connections to 127.0.0.1:port one after another; on each sends one request and reads
  // its whole response, which must be the right one, so every connection has carried a request and sits
  // in the keep-alive state. Returns an empty string on success, else one line: which connection failed
  // and why (the connections opened so far stay open). Each step waits at most 5 s.
  std::string Open(uint16_t port, int count, const loadgen::HttpRequestShape& shape);

  // How many are open and answered.
  size_t size() const { return fds_.size(); }

 private:
  std::vector<int> fds_;
};

}  // namespace claimbench::http_proxy_workload
