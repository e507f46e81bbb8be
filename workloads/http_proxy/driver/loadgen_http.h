// HTTP/1.1 for the load generator: requests for the http_proxy workload's origin, and responses checked
// byte for byte.
//
// Design: a response counts only if it is the right one, so the origin's answers are a pure function of
// the request (workloads/http_proxy/SPEC.md, "The origin"): request k is `GET /r/<k>?size=<n>` and its
// response is 200 with `X-Claimbench-Index: <k>` and n body bytes 'a' + (k + i) % 26, framed by
// Content-Length or chunked. The parser here is written independently of the proxy's (a verifier that
// shared the implementation's parser would share its bugs) and is strict about framing: a response whose
// length cannot be determined is kMalformed and the connection is reset. It is the load generator's
// per-request cost, so it makes one pass: each line of the head is found with one memchr and checked
// once, each body byte is compared once (memcmp against the shared expected pattern), and a response
// split across reads is resumed where the previous call stopped (Protocol allows this: the worker passes
// the same bytes, extended, until the response completes) instead of being re-parsed from its first byte.
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
  // How far the response in progress has been checked. Offsets are from the response's first byte.
  struct Progress {
    enum class Phase { kHead, kBody, kChunkSize, kChunkData, kChunkEnd, kTrailer };
    Phase phase = Phase::kHead;
    bool active = false;  // false: the next call starts a new response
    uint64_t request_index = 0;
    size_t position = 0;           // bytes checked so far
    size_t status_line_bytes = 0;  // 0 until the status line has been read
    bool ok_status = false;
    bool index_seen = false, index_matches = true;  // every X-Claimbench-Index field names the request
    bool has_length = false, chunked = false;
    uint64_t content_length = 0;
    uint64_t body_bytes = 0;  // body data bytes checked so far
    bool body_matches = true;
    uint64_t chunk_left = 0;   // kChunkData: data bytes of the current chunk still to come
    size_t trailer_start = 0;  // kTrailer: where the trailer section began
  };

  ParseOutcome Fail(std::string message);  // kMalformed; forgets the response in progress
  bool ReadHead(std::string_view buffered, ParseOutcome& outcome);  // false: incomplete or malformed
  bool ReadHeaderLine(std::string_view line, ParseOutcome& outcome);
  bool ReadChunked(std::string_view buffered, ParseOutcome& outcome);  // false: incomplete or malformed
  void CheckBody(std::string_view data);  // the next body data bytes, against the expected body
  ParseOutcome Finish(std::string_view buffered);

  HttpRequestShape shape_;
  std::shared_ptr<const std::string> pattern_;
  std::string suffix_;  // "?size=N[&chunked=1] HTTP/1.1\r\nHost: H\r\n\r\n"
  std::string_view expected_;  // the body of the response in progress (a view into *pattern_)
  Progress progress_;
};

// A LoadSpec::make_protocol that builds HttpProtocol instances sharing one body pattern. Thread-safe.
std::function<std::unique_ptr<Protocol>()> MakeHttpProtocolFactory(const HttpRequestShape& shape);

// The body the origin sends for request `request_index`: response_bytes bytes of 'a' + (k + i) % 26.
// For tests.
std::string ExpectedHttpBody(uint64_t request_index, size_t response_bytes);

}  // namespace claimbench::loadgen
