// Strict HTTP/1.1 message framing (RFC 9112, RFC 9110) for the reference reverse proxy.
//
// Design: a proxy that forwards a message whose length two parties could read differently lets an
// attacker hide a second request inside the first ("request smuggling"). So this parser never guesses:
// anything RFC 9112 allows a recipient to interpret in more than one way (Content-Length beside
// Transfer-Encoding, duplicate or list-valued Content-Length, obs-fold, whitespace before the colon, bare
// CR or LF, a final coding other than chunked, ...) is an error carrying the status to answer with and the
// RFC section that forbids it, and the proxy closes the connection after answering. The parser works on
// views of the caller's buffer and allocates only the header vector; it is pure (no I/O), so the same code
// is unit-tested case by case and checks upstream responses with the same rules.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench::http_proxy {

// Limits that turn an oversized message into an error instead of unbounded buffering.
struct ParseLimits {
  size_t max_head_bytes = 16 * 1024;    // request/status line + fields + final CRLF; beyond: 431
  size_t max_target_bytes = 8 * 1024;   // request-target; beyond: 414
  size_t max_fields = 128;              // field lines; beyond: 431
};

// Why a message was rejected: the status to answer with (400, 414, 431, 501, 505 for requests; the proxy
// answers 502 for any upstream error), the RFC section, and one line for logs and tests.
struct ParseError {
  int status = 0;
  std::string_view rfc_section;  // e.g. "RFC 9112 section 6.3"; static storage
  std::string_view reason;       // e.g. "Content-Length together with Transfer-Encoding"; static storage
};

struct Field {
  std::string_view name;   // as received (case preserved); compare with EqualsIgnoreCase
  std::string_view value;  // leading and trailing whitespace removed
};

enum class BodyFraming {
  kNone,           // no body (Content-Length: 0 is kContentLength with length 0)
  kContentLength,  // exactly content_length bytes
  kChunked,        // chunked transfer coding is final: use ChunkedFramer
  kUntilClose,     // responses only: the body ends when the upstream closes
};

enum class ParseStatus { kIncomplete, kComplete, kError };

// What both heads share. Views point into the buffer given to the parse function.
struct MessageHead {
  int version_minor = 1;  // HTTP/1.<minor>; only 0 and 1 are accepted
  std::vector<Field> fields;
  BodyFraming framing = BodyFraming::kNone;
  uint64_t content_length = 0;       // kContentLength only
  bool connection_close = false;     // "Connection: close", or HTTP/1.0 without "keep-alive"
  size_t head_bytes = 0;             // bytes of the head, final CRLF included (kComplete only)

  // The value of the single field `name`, or empty when absent (callers that need "present but empty"
  // walk `fields`).
  std::string_view Find(std::string_view name) const;
};

struct RequestHead : MessageHead {
  std::string_view method;
  std::string_view target;
  std::string_view host;  // the Host field's value (required in HTTP/1.1)
};

struct ResponseHead : MessageHead {
  int status = 0;
  std::string_view reason;
};

// Parses a request head at the start of `buffer`. kIncomplete: more bytes needed, and none so far breaks a
// rule or a limit. kComplete: `head` is filled. kError: `error` says why; answer with error.status and
// close. Never throws.
ParseStatus ParseRequestHead(std::string_view buffer, const ParseLimits& limits, RequestHead& head,
                             ParseError& error);

// Parses a response head for a request with method `request_method` (a response to HEAD has no body,
// whatever its fields say). Same contract as ParseRequestHead; 1xx responses are returned as they are
// (the caller forwards them and parses the next head).
ParseStatus ParseResponseHead(std::string_view buffer, std::string_view request_method, const ParseLimits& limits,
                              ResponseHead& head, ParseError& error);

// Checks the framing of a chunked body as it streams past (RFC 9112 section 7.1): chunk sizes in hex
// without sign or whitespace, extensions that are tokens or quoted strings, CRLF after each chunk's data,
// trailer fields under the same rules as header fields, and a bound on the size line and the trailers.
// The caller forwards the bytes it consumed verbatim, so framing is never rewritten, only verified.
// One instance per message; not thread-safe.
class ChunkedFramer {
 public:
  enum class Status { kNeedMore, kDone, kError };

  // Consumes a prefix of `input`: everything up to the end of the message, or all of it. Sets `consumed`.
  // When `decoded` is not null, appends the chunk data (without framing) to it. After kDone or kError,
  // further calls consume nothing and return the same status.
  Status Consume(std::string_view input, size_t& consumed, std::string* decoded = nullptr);

  const ParseError& error() const { return error_; }
  uint64_t data_bytes() const { return data_bytes_; }

 private:
  enum class State { kSizeLine, kData, kDataCr, kDataLf, kTrailerLine, kDone, kError };
  Status Fail(std::string_view reason);
  bool FinishSizeLine();
  bool FinishTrailerLine();

  State state_ = State::kSizeLine;
  std::string line_;             // the size or trailer line being collected (bounded)
  uint64_t remaining_ = 0;       // data bytes left in the current chunk
  uint64_t data_bytes_ = 0;      // all data so far
  size_t trailer_bytes_ = 0;
  ParseError error_;
};

// ASCII case-insensitive equality, as field names and codings compare.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// True when `name` is a hop-by-hop field that a proxy must not forward (RFC 9110 section 7.6.1), either
// by its name or because the message's Connection field lists it.
bool IsHopByHop(std::string_view name, std::string_view connection_value);

}  // namespace claimbench::http_proxy
