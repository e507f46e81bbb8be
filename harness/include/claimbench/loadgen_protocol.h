// Request/response protocols for the load generator: what is sent and how an answer is recognised.
//
// Design: the load generator owns sockets, timing and counting; a Protocol only turns a request index
// into bytes and decides where a response ends and whether it is right. This is the "sample library"
// role of MLPerf's loadgen, so HTTP/1.1 or a service's own framing can be added without touching the
// sending loop. Each connection gets its own Protocol instance from a factory, so a protocol may keep
// per-connection parsing state without locks. Verification lives here because a response that is fast
// but wrong must not count as a completed request.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace claimbench::loadgen {

struct ParseOutcome {
  enum class Status {
    kIncomplete,  // not enough bytes yet; nothing consumed
    kComplete,    // one response of `consumed` bytes; `valid` says whether its content was verified
    kMalformed,   // the byte stream cannot be a response; the connection is reset
  };
  Status status = Status::kIncomplete;
  size_t consumed = 0;  // bytes of the buffer that belong to this response (kComplete only)
  bool valid = false;   // kComplete only: the content matched what this request must get back
  std::string error;    // one line for invalid or malformed responses, empty otherwise
};

// One instance per connection, used by one thread at a time (the connection's worker), never shared.
// Neither method may block. Exceptions from them are bugs: they end the run and are rethrown from
// RunOpenLoop/RunClosedLoop.
class Protocol {
 public:
  virtual ~Protocol();

  // Appends the bytes of request `request_index` to `out` (which it must not otherwise modify).
  // request_index is unique within a run, counting warm-up requests first.
  virtual void WriteRequest(uint64_t request_index, std::string& out) = 0;

  // Looks at the bytes received so far on this connection (`buffered`, starting at the first byte of
  // the response to request_index) and says whether they hold that whole response. Must not retain
  // `buffered`: the load generator erases the consumed prefix after each call. Until a call returns
  // kComplete or kMalformed, the next call for the same request_index gets the same bytes, possibly
  // followed by more, so a protocol may remember how far it has checked them rather than start again.
  virtual ParseOutcome ParseResponse(std::string_view buffered, uint64_t request_index) = 0;
};

// The `null` workload's echo service protocol: request k is the line "<k> <padding>\n", exactly
// line_bytes long including the newline; the response must be the same line, byte for byte.
// A response line that differs is kComplete with valid == false; more than line_bytes bytes without a
// newline is kMalformed. Stateless, so allocation-free after the caller's buffers have grown.
class LineEchoProtocol final : public Protocol {
 public:
  // Lines shorter than the decimal index plus " \n" are lengthened to fit it; the minimum is 16 bytes.
  explicit LineEchoProtocol(size_t line_bytes = 64);

  void WriteRequest(uint64_t request_index, std::string& out) override;
  ParseOutcome ParseResponse(std::string_view buffered, uint64_t request_index) override;

  size_t line_bytes() const noexcept { return line_bytes_; }

 private:
  size_t line_bytes_;
};

}  // namespace claimbench::loadgen
