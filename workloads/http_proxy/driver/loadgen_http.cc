#include "loadgen_http.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace claimbench::loadgen {
namespace {

constexpr size_t kMaxHeadBytes = 16 * 1024;
constexpr size_t kMaxQuotedBytes = 60;
constexpr size_t kMaxChunkLineBytes = 64;

constexpr char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower() of every byte value, so that comparing a header name costs one load per byte.
constexpr std::array<char, 256> kLower = [] {
  std::array<char, 256> table{};
  for (size_t i = 0; i < table.size(); ++i) table[i] = Lower(static_cast<char>(i));
  return table;
}();

// `lower` must be in lower case already (a literal here).
bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (kLower[static_cast<unsigned char>(text[i])] != lower[i]) return false;
  }
  return true;
}

// `name` is `canonical` in any case; `lower` is canonical in lower case. The usual spelling is compared
// first, as a whole (a fixed-size memcmp compiles to a few word compares).
template <size_t N>
bool NameIs(std::string_view name, const char (&canonical)[N], const char (&lower)[N]) {
  return name.size() == N - 1 && (std::memcmp(name.data(), canonical, N - 1) == 0 ||
                                  EqualsIgnoreCase(name, std::string_view(lower, N - 1)));
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

// Decimal (base 10) or hexadecimal (base 16) digits only, no sign or spaces, and no overflow.
bool ParseUnsigned(std::string_view text, uint64_t& value, int base = 10) {
  if (text.empty()) return false;
  uint64_t result = 0;
  for (char c : text) {
    uint64_t digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<uint64_t>(c - '0');
    } else if (base == 16 && kLower[static_cast<unsigned char>(c)] >= 'a' &&
               kLower[static_cast<unsigned char>(c)] <= 'f') {
      digit = static_cast<uint64_t>(kLower[static_cast<unsigned char>(c)] - 'a' + 10);
    } else {
      return false;
    }
    if (__builtin_mul_overflow(result, static_cast<uint64_t>(base), &result) ||
        __builtin_add_overflow(result, digit, &result)) {
      return false;
    }
  }
  value = result;
  return true;
}

// The offset of the next '\n' at or after `from`, or npos.
size_t FindNewline(std::string_view bytes, size_t from) {
  const void* found = std::memchr(bytes.data() + from, '\n', bytes.size() - from);
  return found ? static_cast<size_t>(static_cast<const char*>(found) - bytes.data()) : std::string_view::npos;
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
  Progress& p = progress_;
  if (!p.active || p.request_index != request_index || buffered.size() < p.position) {
    p = Progress{};
    p.active = true;
    p.request_index = request_index;
    expected_ = std::string_view(*pattern_).substr(request_index % 26, shape_.response_bytes);
  }
  ParseOutcome outcome;  // kIncomplete
  if (p.phase == Progress::Phase::kHead && !ReadHead(buffered, outcome)) return outcome;
  if (p.phase == Progress::Phase::kBody) {
    const uint64_t take = std::min<uint64_t>(buffered.size() - p.position, p.content_length - p.body_bytes);
    CheckBody(buffered.substr(p.position, static_cast<size_t>(take)));
    p.position += static_cast<size_t>(take);
    if (p.body_bytes < p.content_length) return outcome;
  } else if (!ReadChunked(buffered, outcome)) {
    return outcome;
  }
  return Finish(buffered);
}

ParseOutcome HttpProtocol::Fail(std::string message) {
  progress_.active = false;
  ParseOutcome outcome;
  outcome.status = ParseOutcome::Status::kMalformed;
  outcome.error = std::move(message);
  return outcome;
}

bool HttpProtocol::ReadHead(std::string_view buffered, ParseOutcome& outcome) {
  Progress& p = progress_;
  if (p.status_line_bytes == 0 && buffered.size() >= 5 && buffered.substr(0, 5) != "HTTP/") {
    outcome = Fail(fmt::format("not an HTTP response: '{}'", Quote(buffered)));
    return false;
  }
  while (true) {
    const size_t newline = FindNewline(buffered, p.position);
    if (newline == std::string_view::npos || newline >= kMaxHeadBytes) {
      if (std::min(newline, buffered.size()) >= kMaxHeadBytes) {
        outcome = Fail("no end of the response head within 16 KiB");
      }
      return false;
    }
    const size_t start = p.position;
    if (newline == start || buffered[newline - 1] != '\r') {
      outcome = Fail(fmt::format("a line not ended by CRLF in the head: '{}'",
                                 Quote(buffered.substr(start, newline - start))));
      return false;
    }
    const std::string_view line = buffered.substr(start, newline - 1 - start);
    p.position = newline + 1;
    if (std::memchr(line.data(), '\r', line.size()) != nullptr) {
      outcome = Fail(fmt::format("a CR inside a line of the head: '{}'", Quote(line)));
      return false;
    }
    if (p.status_line_bytes == 0) {
      if (line.size() < 12 || (line.substr(0, 9) != "HTTP/1.1 " && line.substr(0, 9) != "HTTP/1.0 ")) {
        outcome = Fail(fmt::format("a malformed status line '{}'", Quote(line)));
        return false;
      }
      p.status_line_bytes = line.size();
      p.ok_status = line.substr(9, 3) == "200";
      continue;
    }
    if (line.empty()) break;  // the end of the head
    if (!ReadHeaderLine(line, outcome)) return false;
  }
  if (p.has_length && p.chunked) {
    outcome = Fail("both Content-Length and Transfer-Encoding");
    return false;
  }
  if (!p.has_length && !p.chunked) {
    outcome = Fail("neither Content-Length nor chunked: the length is unknown");
    return false;
  }
  p.phase = p.chunked ? Progress::Phase::kChunkSize : Progress::Phase::kBody;
  // A body of the wrong length cannot match; it is still read to its end to keep the framing.
  if (p.has_length && p.content_length != shape_.response_bytes) p.body_matches = false;
  return true;
}

bool HttpProtocol::ReadHeaderLine(std::string_view line, ParseOutcome& outcome) {
  Progress& p = progress_;
  const void* colon_at = std::memchr(line.data(), ':', line.size());
  const size_t colon = colon_at ? static_cast<size_t>(static_cast<const char*>(colon_at) - line.data()) : 0;
  if (colon == 0 || line.front() == ' ' || line.front() == '\t') {
    outcome = Fail(fmt::format("a malformed header line '{}'", Quote(line)));
    return false;
  }
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = Trim(line.substr(colon + 1));
  // The names we look for differ in length, so most fields are skipped on their length alone.
  if (NameIs(name, "Content-Length", "content-length")) {
    if (p.has_length || !ParseUnsigned(value, p.content_length)) {
      outcome = Fail(fmt::format("an invalid or repeated Content-Length '{}'", Quote(value)));
      return false;
    }
    p.has_length = true;
  } else if (NameIs(name, "Transfer-Encoding", "transfer-encoding")) {
    if (!EqualsIgnoreCase(value, "chunked")) {
      outcome = Fail(fmt::format("a Transfer-Encoding other than chunked: '{}'", Quote(value)));
      return false;
    }
    p.chunked = true;
  } else if (NameIs(name, "X-Claimbench-Index", "x-claimbench-index")) {
    uint64_t index = 0;
    p.index_seen = true;
    p.index_matches = p.index_matches && ParseUnsigned(value, index) && index == p.request_index;
  }
  return true;
}

bool HttpProtocol::ReadChunked(std::string_view buffered, ParseOutcome& outcome) {
  Progress& p = progress_;
  while (true) {
    switch (p.phase) {
      case Progress::Phase::kChunkSize: {
        const size_t newline = FindNewline(buffered, p.position);
        if (newline == std::string_view::npos) {
          if (buffered.size() - p.position > kMaxChunkLineBytes) {
            outcome = Fail("a chunk size line longer than 64 bytes");
          }
          return false;
        }
        std::string_view line = buffered.substr(p.position, newline - p.position);
        uint64_t size = 0;
        if (line.empty() || line.back() != '\r' ||
            !ParseUnsigned(line.substr(0, std::min(line.find(';'), line.size() - 1)), size, 16)) {
          outcome = Fail(fmt::format("a malformed chunk size line '{}'", Quote(line)));
          return false;
        }
        p.position = newline + 1;
        p.chunk_left = size;
        p.phase = size == 0 ? Progress::Phase::kTrailer : Progress::Phase::kChunkData;
        p.trailer_start = p.position;
        break;
      }
      case Progress::Phase::kChunkData: {
        const uint64_t take = std::min<uint64_t>(buffered.size() - p.position, p.chunk_left);
        CheckBody(buffered.substr(p.position, static_cast<size_t>(take)));
        p.position += static_cast<size_t>(take);
        p.chunk_left -= take;
        if (p.chunk_left > 0) return false;
        p.phase = Progress::Phase::kChunkEnd;
        break;
      }
      case Progress::Phase::kChunkEnd:
        if (buffered.size() - p.position < 2) return false;
        if (buffered.substr(p.position, 2) != "\r\n") {
          outcome = Fail("chunk data not followed by CRLF");
          return false;
        }
        p.position += 2;
        p.phase = Progress::Phase::kChunkSize;
        break;
      case Progress::Phase::kTrailer: {
        // Trailer fields up to the empty line; not interpreted.
        const size_t newline = FindNewline(buffered, p.position);
        if (newline == std::string_view::npos) {
          if (buffered.size() - p.trailer_start > kMaxHeadBytes)
            outcome = Fail("trailer fields longer than 16 KiB");
          return false;
        }
        if (newline == p.position || buffered[newline - 1] != '\r') {
          outcome = Fail("a trailer line not ended by CRLF");
          return false;
        }
        const bool last = newline == p.position + 1;
        p.position = newline + 1;
        if (last) return true;
        break;
      }
      case Progress::Phase::kHead:
      case Progress::Phase::kBody:
        throw std::logic_error("HttpProtocol::ReadChunked outside a chunked body");
    }
  }
}

void HttpProtocol::CheckBody(std::string_view data) {
  Progress& p = progress_;
  if (data.empty()) return;
  if (p.body_matches) {
    p.body_matches = p.body_bytes <= expected_.size() && data.size() <= expected_.size() - p.body_bytes &&
                     std::memcmp(data.data(), expected_.data() + p.body_bytes, data.size()) == 0;
  }
  p.body_bytes += data.size();
}

ParseOutcome HttpProtocol::Finish(std::string_view buffered) {
  Progress& p = progress_;
  p.active = false;
  const bool body_matches = p.body_matches && p.body_bytes == shape_.response_bytes;
  const bool index_matches = p.index_seen && p.index_matches;
  ParseOutcome outcome;
  outcome.status = ParseOutcome::Status::kComplete;
  outcome.consumed = p.position;
  outcome.valid = p.ok_status && index_matches && body_matches;
  if (!p.ok_status) {
    const std::string_view status_line = buffered.substr(0, p.status_line_bytes);
    outcome.error =
        fmt::format("status '{}' instead of 200: '{}'", Quote(status_line.substr(9, 3)), Quote(status_line));
  } else if (!index_matches) {
    outcome.error =
        fmt::format("X-Claimbench-Index missing or not {}: another request's response", p.request_index);
  } else if (!body_matches) {
    outcome.error =
        fmt::format("a body of {} bytes that is not the {} expected", p.body_bytes, shape_.response_bytes);
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
