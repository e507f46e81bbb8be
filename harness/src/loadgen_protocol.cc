#include "claimbench/loadgen_protocol.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace claimbench::loadgen {
namespace {

constexpr size_t kMinLineBytes = 16;
constexpr size_t kMaxQuotedBytes = 40;  // of a wrong response, in error messages

struct IndexDigits {
  char chars[24];
  size_t size;
};

IndexDigits FormatIndex(uint64_t request_index) {
  IndexDigits digits{};
  const auto result = std::to_chars(digits.chars, digits.chars + sizeof digits.chars, request_index);
  digits.size = static_cast<size_t>(result.ptr - digits.chars);
  return digits;
}

// The padding depends on the index too, so that an echo of another request's line cannot pass even if
// a server mangled only the number.
char PaddingByte(uint64_t request_index, size_t position) {
  return static_cast<char>('a' + (request_index + position) % 26);
}

// Printable one-line excerpt of what a server sent, for error messages.
std::string Quote(std::string_view bytes) {
  std::string quoted;
  for (char c : bytes.substr(0, kMaxQuotedBytes)) {
    quoted += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  if (bytes.size() > kMaxQuotedBytes) quoted += "...";
  return quoted;
}

}  // namespace

Protocol::~Protocol() = default;

LineEchoProtocol::LineEchoProtocol(size_t line_bytes) : line_bytes_(std::max(line_bytes, kMinLineBytes)) {}

void LineEchoProtocol::WriteRequest(uint64_t request_index, std::string& out) {
  const IndexDigits digits = FormatIndex(request_index);
  const size_t line_size = std::max(line_bytes_, digits.size + 2);
  out.append(digits.chars, digits.size);
  out.push_back(' ');
  for (size_t i = digits.size + 1; i + 1 < line_size; ++i) out.push_back(PaddingByte(request_index, i));
  out.push_back('\n');
}

ParseOutcome LineEchoProtocol::ParseResponse(std::string_view buffered, uint64_t request_index) {
  const IndexDigits digits = FormatIndex(request_index);
  const size_t line_size = std::max(line_bytes_, digits.size + 2);
  ParseOutcome outcome;
  const size_t newline = buffered.substr(0, line_size).find('\n');
  if (newline == std::string_view::npos) {
    if (buffered.size() < line_size) return outcome;  // kIncomplete
    outcome.status = ParseOutcome::Status::kMalformed;
    outcome.error = fmt::format("no newline within the {} bytes of the expected echo line: '{}'", line_size,
                                Quote(buffered));
    return outcome;
  }
  outcome.status = ParseOutcome::Status::kComplete;
  outcome.consumed = newline + 1;
  const std::string_view line = buffered.substr(0, outcome.consumed);
  bool matches = line.size() == line_size &&
                 line.substr(0, digits.size) == std::string_view(digits.chars, digits.size) &&
                 line[digits.size] == ' ';
  for (size_t i = digits.size + 1; matches && i + 1 < line_size; ++i) {
    matches = line[i] == PaddingByte(request_index, i);
  }
  outcome.valid = matches;
  if (!matches) {
    outcome.error = fmt::format("response is not the echo of the request line: '{}'", Quote(line));
  }
  return outcome;
}

}  // namespace claimbench::loadgen
