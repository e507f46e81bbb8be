#include "claimbench/loadgen_http.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace claimbench::loadgen {
namespace {

constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr size_t kMaxQuotedBytes = 60;

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view bytes) {
  std::string quoted;
  for (char c : bytes.substr(0, kMaxQuotedBytes)) quoted += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (bytes.size() > kMaxQuotedBytes) quoted += "...";
  return quoted;
}

ParseOutcome Malformed(std::string message) {
  ParseOutcome outcome;
  outcome.status = ParseOutcome::Status::kMalformed;
  outcome.error = std::move(message);
  return outcome;
}

bool ParseUnsigned(std::string_view text, uint64_t& value, int base = 10) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  return ec == std::errc() && end == text.data() + text.size();
}

// Walks a chunked body starting at `body`. Returns the bytes it spans (through the last CRLF) once
// complete, 0 while incomplete, and sets `malformed` for broken framing. Data goes to `data_check`.
template <typename Check>
size_t ScanChunked(std::string_view body, bool& malformed, std::string& error, Check&& data_check) {
  size_t position = 0;
  uint64_t data_offset = 0;
  while (true) {
    size_t line_end = body.find("\r\n", position);
    if (line_end == std::string_view::npos) {
      if (body.size() - position > 64) {
        malformed = true;
        error = "a chunk size line longer than 64 bytes";
      }
      return 0;
    }
    std::string_view line = body.substr(position, line_end - position);
    line = line.substr(0, line.find(';'));
    uint64_t size = 0;
    if (!ParseUnsigned(line, size, 16)) {
      malformed = true;
      error = fmt::format("a malformed chunk size line '{}'", Quote(line));
      return 0;
    }
    position = line_end + 2;
    if (size == 0) {
      // Trailer fields up to the empty line.
      while (true) {
        size_t trailer_end = body.find("\r\n", position);
        if (trailer_end == std::string_view::npos) return 0;
        bool last = trailer_end == position;
        position = trailer_end + 2;
        if (last) return position;
      }
    }
    if (body.size() - position < size + 2) return 0;
    if (body.substr(position + size, 2) != "\r\n") {
      malformed = true;
      error = "chunk data not followed by CRLF";
      return 0;
    }
    data_check(data_offset, body.substr(position, size));
    data_offset += size;
    position += size + 2;
  }
}

}  // namespace

HttpProtocol::HttpProtocol(HttpRequestShape shape, std::shared_ptr<const std::string> pattern)
    : shape_(std::move(shape)), pattern_(std::move(pattern)) {
  suffix_ = fmt::format("?size={}{} HTTP/1.1\r\nHost: {}\r\n\r\n", shape_.response_bytes,
                        shape_.chunked ? "&chunked=1" : "", shape_.host_header);
}

void HttpProtocol::WriteRequest(uint64_t request_index, std::string& out) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof digits, request_index);
  out.append("GET /r/");
  out.append(digits, static_cast<size_t>(result.ptr - digits));
  out.append(suffix_);
}

ParseOutcome HttpProtocol::ParseResponse(std::string_view buffered, uint64_t request_index) {
  ParseOutcome outcome;
  size_t head_end = buffered.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (buffered.size() > kMaxHeadBytes) return Malformed("no end of the response head within 16 KiB");
    if (buffered.size() >= 5 && buffered.substr(0, 5) != "HTTP/") {
      return Malformed(fmt::format("not an HTTP response: '{}'", Quote(buffered)));
    }
    return outcome;  // kIncomplete
  }
  std::string_view head = buffered.substr(0, head_end + 2);  // every line ends in CRLF
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.size() < 12 || (status_line.substr(0, 9) != "HTTP/1.1 " && status_line.substr(0, 9) != "HTTP/1.0 ")) {
    return Malformed(fmt::format("a malformed status line '{}'", Quote(status_line)));
  }
  std::string_view status = status_line.substr(9, 3);
  bool ok_status = status == "200";

  bool has_length = false, chunked = false, index_matches = false;
  uint64_t content_length = 0;
  size_t position = line_end + 2;
  while (position < head.size()) {
    size_t end = head.find("\r\n", position);
    std::string_view line = head.substr(position, end - position);
    position = end + 2;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0 || line.find('\n') != std::string_view::npos ||
        line.find('\r') != std::string_view::npos || line.front() == ' ' || line.front() == '\t') {
      return Malformed(fmt::format("a malformed header line '{}'", Quote(line)));
    }
    std::string_view name = line.substr(0, colon);
    std::string_view value = Trim(line.substr(colon + 1));
    if (EqualsIgnoreCase(name, "content-length")) {
      if (has_length || !ParseUnsigned(value, content_length)) {
        return Malformed(fmt::format("an invalid or repeated Content-Length '{}'", Quote(value)));
      }
      has_length = true;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      if (!EqualsIgnoreCase(value, "chunked")) {
        return Malformed(fmt::format("a Transfer-Encoding other than chunked: '{}'", Quote(value)));
      }
      chunked = true;
    } else if (EqualsIgnoreCase(name, "x-claimbench-index")) {
      uint64_t index = 0;
      index_matches = ParseUnsigned(value, index) && index == request_index;
    }
  }
  if (has_length && chunked) return Malformed("both Content-Length and Transfer-Encoding");
  if (!has_length && !chunked) return Malformed("neither Content-Length nor chunked: the length is unknown");

  const size_t body_start = head_end + 4;
  std::string_view rest = buffered.substr(body_start);
  const std::string_view expected = std::string_view(*pattern_).substr(request_index % 26, shape_.response_bytes);
  bool body_matches = true;
  uint64_t body_bytes = 0;
  size_t body_span = 0;
  if (has_length) {
    if (rest.size() < content_length) return outcome;  // kIncomplete
    body_span = static_cast<size_t>(content_length);
    body_bytes = content_length;
    body_matches = content_length == shape_.response_bytes &&
                   std::memcmp(rest.data(), expected.data(), static_cast<size_t>(content_length)) == 0;
  } else {
    bool malformed = false;
    std::string error;
    body_span = ScanChunked(rest, malformed, error, [&](uint64_t offset, std::string_view data) {
      body_bytes = offset + data.size();
      body_matches = body_matches && body_bytes <= expected.size() &&
                     std::memcmp(data.data(), expected.data() + offset, data.size()) == 0;
    });
    if (malformed) return Malformed(error);
    if (body_span == 0) return outcome;  // kIncomplete
    body_matches = body_matches && body_bytes == shape_.response_bytes;
  }
  outcome.status = ParseOutcome::Status::kComplete;
  outcome.consumed = body_start + body_span;
  outcome.valid = ok_status && index_matches && body_matches;
  if (!ok_status) {
    outcome.error = fmt::format("status '{}' instead of 200: '{}'", Quote(status), Quote(status_line));
  } else if (!index_matches) {
    outcome.error = fmt::format("X-Claimbench-Index missing or not {}: another request's response", request_index);
  } else if (!body_matches) {
    outcome.error = fmt::format("a body of {} bytes that is not the {} expected", body_bytes, shape_.response_bytes);
  }
  return outcome;
}

std::string ExpectedHttpBody(uint64_t request_index, size_t response_bytes) {
  std::string body(response_bytes, ' ');
  for (size_t i = 0; i < response_bytes; ++i) body[i] = static_cast<char>('a' + (request_index + i) % 26);
  return body;
}

std::function<std::unique_ptr<Protocol>()> MakeHttpProtocolFactory(const HttpRequestShape& shape) {
  auto pattern = std::make_shared<const std::string>(ExpectedHttpBody(0, shape.response_bytes + 26));
  return [shape, pattern] { return std::make_unique<HttpProtocol>(shape, pattern); };
}

}  // namespace claimbench::loadgen
