// HTTP/1.1 for the load generator: requests for the http_proxy workload's origin, and responses checked
// byte for byte.
//
// Design: a response counts only if it is the right one, so the origin's answers are a pure function of
// the request (workloads/http_proxy/SPEC.md, "The origin"): request k is `GET /r/<k>?size=<n>` and its
// response is 200 with `X-Claimbench-Index: <k>` and n body bytes 'a' + (k + i) % 26, framed by
// Content-Length or chunked. The parser here is written independently of the proxy's (a verifier that
// shared the implementation's parser would share its bugs) and is strict about framing: a response whose
// length cannot be determined is kMalformed and the connection is reset. It re-parses from the first byte
// on each call, which costs one pass over the head per read and keeps it stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "claimbench/loadgen_protocol.h"

namespace claimbench::loadgen {

struct HttpRequestShape {
  std::string host_header = "127.0.0.1";  // the Host field sent
  size_t response_bytes = 1024;           // ?size= asked of the origin, and the body length required
  bool chunked = false;                   // ask the origin for a chunked response (?chunked=1)
};

// One instance per connection (make_protocol); never shared. Allocation-free per request once the
// caller's buffers have grown.
class HttpProtocol final : public Protocol {
 public:
  // `pattern` is the body pattern, at least response_bytes + 26 bytes; MakeHttpProtocolFactory shares one.
  HttpProtocol(HttpRequestShape shape, std::shared_ptr<const std::string> pattern);

  void WriteRequest(uint64_t request_index, std::string& out) override;
  ParseOutcome ParseResponse(std::string_view buffered, uint64_t request_index) override;

 private:
  HttpRequestShape shape_;
  std::shared_ptr<const std::string> pattern_;
  std::string suffix_;  // "?size=N[&chunked=1] HTTP/1.1\r\nHost: H\r\n\r\n"
};

// A LoadSpec::make_protocol that builds HttpProtocol instances sharing one body pattern. Thread-safe.
std::function<std::unique_ptr<Protocol>()> MakeHttpProtocolFactory(const HttpRequestShape& shape);

// The body the origin sends for request `request_index`: response_bytes bytes of 'a' + (k + i) % 26.
// For tests.
std::string ExpectedHttpBody(uint64_t request_index, size_t response_bytes);

}  // namespace claimbench::loadgen
