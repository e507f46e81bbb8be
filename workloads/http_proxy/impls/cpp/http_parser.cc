#include "http_parser.h"

#include <algorithm>
#include <array>

namespace claimbench::http_proxy {
namespace {

constexpr std::string_view kSec9112Message = "RFC 9112 section 2.2";
constexpr std::string_view kSec9112RequestLine = "RFC 9112 section 3";
constexpr std::string_view kSec9112Version = "RFC 9112 section 2.3";
constexpr std::string_view kSec9112Host = "RFC 9112 section 3.2";
constexpr std::string_view kSec9112StatusLine = "RFC 9112 section 4";
constexpr std::string_view kSec9112FieldSyntax = "RFC 9112 section 5.1";
constexpr std::string_view kSec9112ObsFold = "RFC 9112 section 5.2";
constexpr std::string_view kSec9112TransferEncoding = "RFC 9112 section 6.1";
constexpr std::string_view kSec9112BodyLength = "RFC 9112 section 6.3";
constexpr std::string_view kSec9112Chunked = "RFC 9112 section 7.1";
constexpr std::string_view kSec9112ChunkExt = "RFC 9112 section 7.1.1";
constexpr std::string_view kSec9112Trailer = "RFC 9112 section 7.1.2";
constexpr std::string_view kSec9110FieldValues = "RFC 9110 section 5.5";
constexpr std::string_view kSec9110ContentLength = "RFC 9110 section 8.6";
constexpr std::string_view kSec9110TooLarge = "RFC 6585 section 5";
constexpr std::string_view kSec9110UriTooLong = "RFC 9110 section 15.5.15";
constexpr std::string_view kSec9110NotImplemented = "RFC 9110 section 15.6.2";

constexpr size_t kMaxChunkLineBytes = 4096;
constexpr size_t kMaxTrailerBytes = 16 * 1024;
constexpr uint64_t kMaxContentLength = uint64_t{1} << 62;

// tchar (RFC 9110 section 5.6.2), as a table so the hot loop is one load per byte.
constexpr std::array<bool, 256> MakeTokenTable() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kTokenChar = MakeTokenTable();

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!kTokenChar[static_cast<unsigned char>(c)]) return false;
  }
  return true;
}

bool IsWhitespace(char c) { return c == ' ' || c == '\t'; }

// field-vchar / SP / HTAB (obs-text included); everything else (NUL, CR, LF, other controls, DEL) is not.
bool IsFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsWhitespace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWhitespace(s.back())) s.remove_suffix(1);
  return s;
}

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Calls `visit` with each non-empty trimmed element of a comma-separated list (RFC 9110 section 5.6.1).
template <typename Visit>
void ForEachListElement(std::string_view list, Visit&& visit) {
  while (true) {
    size_t comma = list.find(',');
    std::string_view element = Trim(list.substr(0, comma));
    if (!element.empty()) visit(element);
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

ParseStatus Fail(ParseError& error, int status, std::string_view section, std::string_view reason) {
  error = {status, section, reason};
  return ParseStatus::kError;
}

// Checks one field line (without its CRLF) and splits it. False with `error` set when it breaks a rule.
bool ParseFieldLine(std::string_view line, Field& field, ParseError& error, int status) {
  if (!line.empty() && IsWhitespace(line.front())) {
    error = {status, kSec9112ObsFold, "obsolete line folding (a field line starting with whitespace)"};
    return false;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    error = {status, kSec9112FieldSyntax, "a field line without a colon"};
    return false;
  }
  std::string_view name = line.substr(0, colon);
  if (name.empty()) {
    error = {status, kSec9112FieldSyntax, "an empty field name"};
    return false;
  }
  if (IsWhitespace(name.back())) {
    error = {status, kSec9112FieldSyntax, "whitespace between a field name and the colon"};
    return false;
  }
  if (!IsToken(name)) {
    error = {status, kSec9112FieldSyntax, "an invalid byte in a field name"};
    return false;
  }
  std::string_view value = line.substr(colon + 1);
  for (char c : value) {
    if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
      error = {status, kSec9110FieldValues, "NUL, CR, LF or another control byte in a field value"};
      return false;
    }
  }
  field = {name, Trim(value)};
  return true;
}

// The lines of a head, each checked for CRLF endings with no bare CR inside.
class LineReader {
 public:
  LineReader(std::string_view buffer, size_t max_bytes) : buffer_(buffer), max_bytes_(max_bytes) {}

  enum class Result { kLine, kIncomplete, kTooLong, kBadEnding };

  // The next line without its CRLF.
  Result Next(std::string_view& line) {
    size_t newline = buffer_.find('\n', position_);
    if (newline == std::string_view::npos) {
      return buffer_.size() > max_bytes_ ? Result::kTooLong : Result::kIncomplete;
    }
    if (newline + 1 > max_bytes_) return Result::kTooLong;
    if (newline == position_ || buffer_[newline - 1] != '\r') return Result::kBadEnding;
    line = buffer_.substr(position_, newline - 1 - position_);
    if (line.find('\r') != std::string_view::npos) return Result::kBadEnding;
    position_ = newline + 1;
    return Result::kLine;
  }

  size_t position() const { return position_; }
  void Skip(size_t bytes) { position_ += bytes; }
  std::string_view rest() const { return buffer_.substr(position_); }

 private:
  std::string_view buffer_;
  size_t max_bytes_;
  size_t position_ = 0;
};

// "HTTP/1.x": fills minor; false with `error` for anything else.
bool ParseVersion(std::string_view text, int& minor, ParseError& error, int status) {
  if (text.size() != 8 || text.substr(0, 5) != "HTTP/" || text[6] != '.' || text[5] < '0' || text[5] > '9' ||
      text[7] < '0' || text[7] > '9') {
    error = {status, kSec9112Version, "a malformed HTTP version"};
    return false;
  }
  if (text[5] != '1') {
    error = {status == 400 ? 505 : status, kSec9112Version, "an HTTP major version other than 1"};
    return false;
  }
  // A higher minor version is answered as the highest we support (RFC 9112 section 2.3).
  minor = text[7] == '0' ? 0 : 1;
  return true;
}

// Reads fields up to the empty line. kComplete sets head.head_bytes.
ParseStatus ParseFields(LineReader& reader, const ParseLimits& limits, MessageHead& head, ParseError& error,
                        int status) {
  std::string_view line;
  while (true) {
    switch (reader.Next(line)) {
      case LineReader::Result::kIncomplete:
        return ParseStatus::kIncomplete;
      case LineReader::Result::kTooLong:
        return Fail(error, status == 400 ? 431 : status, kSec9110TooLarge, "the header section is too large");
      case LineReader::Result::kBadEnding:
        return Fail(error, status, kSec9112Message, "a bare CR or LF, or a line not ending in CRLF");
      case LineReader::Result::kLine:
        break;
    }
    if (line.empty()) {
      head.head_bytes = reader.position();
      return ParseStatus::kComplete;
    }
    if (head.fields.size() >= limits.max_fields) {
      return Fail(error, status == 400 ? 431 : status, kSec9110TooLarge, "too many header fields");
    }
    Field field;
    if (!ParseFieldLine(line, field, error, status)) return ParseStatus::kError;
    head.fields.push_back(field);
  }
}

// Content-Length and Transfer-Encoding, the two fields that decide where a message ends, under the rules
// of RFC 9112 section 6. `is_request` selects the request-only rules.
ParseStatus DecideFraming(MessageHead& head, bool is_request, ParseError& error, int status) {
  const Field* content_length = nullptr;
  bool has_transfer_encoding = false;
  bool chunked_final = false;
  bool chunked_not_final = false;
  bool unknown_coding = false;
  for (const Field& field : head.fields) {
    if (EqualsIgnoreCase(field.name, "content-length")) {
      if (content_length != nullptr) {
        return Fail(error, status, kSec9110ContentLength, "more than one Content-Length field");
      }
      content_length = &field;
    } else if (EqualsIgnoreCase(field.name, "transfer-encoding")) {
      has_transfer_encoding = true;
      ForEachListElement(field.value, [&](std::string_view coding) {
        if (chunked_final) chunked_not_final = true;  // anything after chunked, even another chunked
        chunked_final = EqualsIgnoreCase(coding, "chunked");
        if (!chunked_final && !EqualsIgnoreCase(coding, "gzip") && !EqualsIgnoreCase(coding, "deflate") &&
            !EqualsIgnoreCase(coding, "compress") && !EqualsIgnoreCase(coding, "x-gzip")) {
          unknown_coding = true;
        }
      });
    }
  }
  if (has_transfer_encoding) {
    if (content_length != nullptr) {
      return Fail(error, status, kSec9112BodyLength, "Content-Length together with Transfer-Encoding");
    }
    if (head.version_minor == 0) {
      return Fail(error, status, kSec9112TransferEncoding, "Transfer-Encoding in an HTTP/1.0 message");
    }
    if (chunked_not_final) {
      return Fail(error, status, kSec9112TransferEncoding, "the chunked coding applied more than once");
    }
    if (is_request && unknown_coding) {
      return Fail(error, 501, kSec9110NotImplemented, "an unknown transfer coding");
    }
    if (!chunked_final) {
      if (is_request) {
        return Fail(error, status, kSec9112BodyLength, "a Transfer-Encoding whose final coding is not chunked");
      }
      head.framing = BodyFraming::kUntilClose;
      return ParseStatus::kComplete;
    }
    head.framing = BodyFraming::kChunked;
    return ParseStatus::kComplete;
  }
  if (content_length != nullptr) {
    std::string_view digits = content_length->value;
    if (digits.empty() || digits.size() > 18) {
      return Fail(error, status, kSec9110ContentLength, "an invalid Content-Length");
    }
    uint64_t length = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return Fail(error, status, kSec9110ContentLength, "an invalid Content-Length");
      length = length * 10 + static_cast<uint64_t>(c - '0');
    }
    if (length > kMaxContentLength) return Fail(error, status, kSec9110ContentLength, "an invalid Content-Length");
    head.framing = BodyFraming::kContentLength;
    head.content_length = length;
    return ParseStatus::kComplete;
  }
  head.framing = is_request ? BodyFraming::kNone : BodyFraming::kUntilClose;
  return ParseStatus::kComplete;
}

void DecideConnection(MessageHead& head) {
  bool close = false, keep_alive = false;
  for (const Field& field : head.fields) {
    if (!EqualsIgnoreCase(field.name, "connection")) continue;
    ForEachListElement(field.value, [&](std::string_view option) {
      close = close || EqualsIgnoreCase(option, "close");
      keep_alive = keep_alive || EqualsIgnoreCase(option, "keep-alive");
    });
  }
  head.connection_close = close || (head.version_minor == 0 && !keep_alive);
}

// uri-host [ ":" port ] characters (RFC 3986); a Host with anything else cannot name an authority.
bool IsValidHost(std::string_view host) {
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("-._~!$&'()*+,;=:%[]").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

// Clears a head for the next parse but keeps its field vector's capacity, so that a caller that reuses
// one head object parses without allocating.
template <typename Head>
void ResetKeepingFields(Head& head) {
  std::vector<Field> fields = std::move(head.fields);
  fields.clear();
  head = Head{};
  head.fields = std::move(fields);
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

bool IsHopByHop(std::string_view name, std::string_view connection_value) {
  static constexpr std::string_view kHopByHop[] = {"connection", "keep-alive",        "proxy-connection",
                                                   "te",         "trailer",           "transfer-encoding",
                                                   "upgrade",    "proxy-authenticate", "proxy-authorization"};
  for (std::string_view hop : kHopByHop) {
    if (EqualsIgnoreCase(name, hop)) return true;
  }
  bool listed = false;
  ForEachListElement(connection_value, [&](std::string_view option) { listed = listed || EqualsIgnoreCase(option, name); });
  return listed;
}

std::string_view MessageHead::Find(std::string_view name) const {
  for (const Field& field : fields) {
    if (EqualsIgnoreCase(field.name, name)) return field.value;
  }
  return {};
}

ParseStatus ParseRequestHead(std::string_view buffer, const ParseLimits& limits, RequestHead& head,
                             ParseError& error) {
  ResetKeepingFields(head);
  LineReader reader(buffer, limits.max_head_bytes);
  // A server SHOULD ignore at least one empty line before the request-line (RFC 9112 section 2.2); we
  // ignore up to two, the CRLF some clients add after a POST body.
  for (int i = 0; i < 2 && reader.rest().substr(0, 2) == "\r\n"; ++i) reader.Skip(2);

  std::string_view line;
  switch (reader.Next(line)) {
    case LineReader::Result::kIncomplete:
    case LineReader::Result::kTooLong: {
      // Say 400 as soon as the method cannot be one (a TLS handshake, binary garbage) and 414 as soon as
      // the target alone is too long, not only once the line ends.
      std::string_view partial = reader.rest();
      size_t first_space = partial.find(' ');
      if (!IsToken(partial.substr(0, std::min(first_space, partial.size()))) && !partial.empty()) {
        return Fail(error, 400, kSec9112RequestLine, "an invalid method");
      }
      if (first_space != std::string_view::npos) {
        size_t second_space = partial.find(' ', first_space + 1);
        size_t target_bytes = (second_space == std::string_view::npos ? partial.size() : second_space) - first_space - 1;
        if (target_bytes > limits.max_target_bytes) {
          return Fail(error, 414, kSec9110UriTooLong, "the request-target is too long");
        }
      }
      if (partial.size() > limits.max_head_bytes) {
        return Fail(error, 431, kSec9110TooLarge, "the request line is too long");
      }
      return ParseStatus::kIncomplete;
    }
    case LineReader::Result::kBadEnding:
      return Fail(error, 400, kSec9112Message, "a bare CR or LF, or a line not ending in CRLF");
    case LineReader::Result::kLine:
      break;
  }
  // request-line = method SP request-target SP HTTP-version, single spaces, nothing else.
  size_t first_space = line.find(' ');
  size_t second_space = first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos || line.find(' ', second_space + 1) != std::string_view::npos) {
    return Fail(error, 400, kSec9112RequestLine, "a malformed request line");
  }
  head.method = line.substr(0, first_space);
  head.target = line.substr(first_space + 1, second_space - first_space - 1);
  if (!IsToken(head.method)) return Fail(error, 400, kSec9112RequestLine, "an invalid method");
  if (head.target.size() > limits.max_target_bytes) {
    return Fail(error, 414, kSec9110UriTooLong, "the request-target is too long");
  }
  if (head.target.empty()) return Fail(error, 400, kSec9112RequestLine, "an empty request-target");
  for (char c : head.target) {
    if (c <= 0x20 || c >= 0x7f) return Fail(error, 400, kSec9112RequestLine, "an invalid byte in the request-target");
  }
  bool origin_form = head.target.front() == '/';
  bool asterisk_form = head.target == "*" && head.method == "OPTIONS";
  bool absolute_form = head.target.substr(0, 7) == "http://" || head.target.substr(0, 8) == "https://";
  if (head.method == "CONNECT") {
    return Fail(error, 501, kSec9110NotImplemented, "CONNECT is not supported by a reverse proxy");
  }
  if (!origin_form && !asterisk_form && !absolute_form) {
    return Fail(error, 400, "RFC 9112 section 3.2", "a request-target in no valid form");
  }
  if (!ParseVersion(line.substr(second_space + 1), head.version_minor, error, 400)) return ParseStatus::kError;

  ParseStatus status = ParseFields(reader, limits, head, error, 400);
  if (status != ParseStatus::kComplete) return status;

  int host_fields = 0;
  for (const Field& field : head.fields) {
    if (EqualsIgnoreCase(field.name, "host")) {
      ++host_fields;
      head.host = field.value;
    }
  }
  if (host_fields > 1) return Fail(error, 400, kSec9112Host, "more than one Host field");
  if (host_fields == 0 && head.version_minor == 1) return Fail(error, 400, kSec9112Host, "no Host field in HTTP/1.1");
  if (!IsValidHost(head.host)) return Fail(error, 400, kSec9112Host, "an invalid Host field");

  status = DecideFraming(head, /*is_request=*/true, error, 400);
  if (status != ParseStatus::kComplete) return status;
  DecideConnection(head);
  return ParseStatus::kComplete;
}

ParseStatus ParseResponseHead(std::string_view buffer, std::string_view request_method, const ParseLimits& limits,
                              ResponseHead& head, ParseError& error) {
  ResetKeepingFields(head);
  constexpr int kBadGateway = 502;
  LineReader reader(buffer, limits.max_head_bytes);
  std::string_view line;
  switch (reader.Next(line)) {
    case LineReader::Result::kIncomplete:
      return ParseStatus::kIncomplete;
    case LineReader::Result::kTooLong:
      return Fail(error, kBadGateway, kSec9110TooLarge, "the upstream's status line is too long");
    case LineReader::Result::kBadEnding:
      return Fail(error, kBadGateway, kSec9112Message, "a bare CR or LF, or a line not ending in CRLF");
    case LineReader::Result::kLine:
      break;
  }
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]
  if (line.size() < 12 || line[8] != ' ') {
    return Fail(error, kBadGateway, kSec9112StatusLine, "a malformed status line");
  }
  if (!ParseVersion(line.substr(0, 8), head.version_minor, error, kBadGateway)) return ParseStatus::kError;
  std::string_view code = line.substr(9, 3);
  if (code[0] < '1' || code[0] > '5' || code[1] < '0' || code[1] > '9' || code[2] < '0' || code[2] > '9') {
    return Fail(error, kBadGateway, kSec9112StatusLine, "a malformed status code");
  }
  head.status = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (line.size() > 12) {
    if (line[12] != ' ') return Fail(error, kBadGateway, kSec9112StatusLine, "a malformed status line");
    head.reason = line.substr(13);
    for (char c : head.reason) {
      if (!IsFieldValueChar(static_cast<unsigned char>(c))) {
        return Fail(error, kBadGateway, kSec9112StatusLine, "a control byte in the reason phrase");
      }
    }
  }
  ParseStatus status = ParseFields(reader, limits, head, error, kBadGateway);
  if (status != ParseStatus::kComplete) return status;
  status = DecideFraming(head, /*is_request=*/false, error, kBadGateway);
  if (status != ParseStatus::kComplete) return status;
  // Responses that never have a body, whatever their fields say (RFC 9112 section 6.3 items 1 and 2).
  if (request_method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    head.framing = BodyFraming::kNone;
  }
  DecideConnection(head);
  if (head.framing == BodyFraming::kUntilClose) head.connection_close = true;
  return ParseStatus::kComplete;
}

ChunkedFramer::Status ChunkedFramer::Fail(std::string_view reason) {
  state_ = State::kError;
  error_ = {400, kSec9112Chunked, reason};
  return Status::kError;
}

bool ChunkedFramer::FinishSizeLine() {
  // line_ holds "<hex>[ext]\r\n" (checked for CRLF by the caller).
  std::string_view line(line_.data(), line_.size() - 2);
  size_t i = 0;
  uint64_t size = 0;
  while (i < line.size()) {
    char c = line[i];
    int digit = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    if (digit < 0) break;
    if (i >= 15) {
      Fail("a chunk size too large");
      return false;
    }
    size = size * 16 + static_cast<uint64_t>(digit);
    ++i;
  }
  if (i == 0) {
    Fail("a chunk size that is not hexadecimal");
    return false;
  }
  // chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
  std::string_view ext = line.substr(i);
  while (!ext.empty()) {
    while (!ext.empty() && IsWhitespace(ext.front())) ext.remove_prefix(1);
    if (ext.empty() || ext.front() != ';') {
      error_ = {400, kSec9112ChunkExt, "bytes after the chunk size that are not a chunk extension"};
      state_ = State::kError;
      return false;
    }
    ext.remove_prefix(1);
    while (!ext.empty() && IsWhitespace(ext.front())) ext.remove_prefix(1);
    size_t name_end = 0;
    while (name_end < ext.size() && kTokenChar[static_cast<unsigned char>(ext[name_end])]) ++name_end;
    if (name_end == 0) {
      error_ = {400, kSec9112ChunkExt, "a chunk extension without a name"};
      state_ = State::kError;
      return false;
    }
    ext.remove_prefix(name_end);
    size_t probe = 0;
    while (probe < ext.size() && IsWhitespace(ext[probe])) ++probe;
    if (probe < ext.size() && ext[probe] == '=') {
      ext.remove_prefix(probe + 1);
      while (!ext.empty() && IsWhitespace(ext.front())) ext.remove_prefix(1);
      if (!ext.empty() && ext.front() == '"') {
        size_t j = 1;
        bool closed = false;
        while (j < ext.size()) {
          unsigned char c = static_cast<unsigned char>(ext[j]);
          if (c == '\\' && j + 1 < ext.size()) {
            j += 2;
            continue;
          }
          if (c == '"') {
            closed = true;
            ++j;
            break;
          }
          if (!IsFieldValueChar(c)) break;
          ++j;
        }
        if (!closed) {
          error_ = {400, kSec9112ChunkExt, "an unterminated or invalid quoted chunk extension value"};
          state_ = State::kError;
          return false;
        }
        ext.remove_prefix(j);
      } else {
        size_t value_end = 0;
        while (value_end < ext.size() && kTokenChar[static_cast<unsigned char>(ext[value_end])]) ++value_end;
        if (value_end == 0) {
          error_ = {400, kSec9112ChunkExt, "a chunk extension with an empty value"};
          state_ = State::kError;
          return false;
        }
        ext.remove_prefix(value_end);
      }
    }
  }
  remaining_ = size;
  state_ = size == 0 ? State::kTrailerLine : State::kData;
  return true;
}

bool ChunkedFramer::FinishTrailerLine() {
  std::string_view line(line_.data(), line_.size() - 2);
  if (line.empty()) {
    state_ = State::kDone;
    return true;
  }
  Field field;
  ParseError field_error;
  if (!ParseFieldLine(line, field, field_error, 400)) {
    error_ = {400, kSec9112Trailer, field_error.reason};
    state_ = State::kError;
    return false;
  }
  return true;
}

ChunkedFramer::Status ChunkedFramer::Consume(std::string_view input, size_t& consumed, std::string* decoded) {
  consumed = 0;
  while (consumed < input.size()) {
    switch (state_) {
      case State::kDone:
        return Status::kDone;
      case State::kError:
        return Status::kError;
      case State::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size() - consumed));
        if (decoded != nullptr) decoded->append(input.substr(consumed, take));
        consumed += take;
        remaining_ -= take;
        data_bytes_ += take;
        if (remaining_ == 0) state_ = State::kDataCr;
        break;
      }
      case State::kDataCr:
        if (input[consumed] != '\r') return Fail("chunk data not followed by CRLF");
        ++consumed;
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (input[consumed] != '\n') return Fail("chunk data not followed by CRLF");
        ++consumed;
        state_ = State::kSizeLine;
        break;
      case State::kSizeLine:
      case State::kTrailerLine: {
        char c = input[consumed++];
        line_.push_back(c);
        if (state_ == State::kTrailerLine && ++trailer_bytes_ > kMaxTrailerBytes) {
          return Fail("trailer section too large");
        }
        if (line_.size() > kMaxChunkLineBytes) return Fail("a chunk size line too long");
        if (c == '\r') {
          if (line_.size() >= 2 && line_[line_.size() - 2] == '\r') return Fail("a bare CR in chunk framing");
          break;
        }
        if (c == '\n') {
          if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return Fail("a bare LF in chunk framing");
          bool ok = state_ == State::kSizeLine ? FinishSizeLine() : FinishTrailerLine();
          line_.clear();
          if (!ok) return Status::kError;
          if (state_ == State::kDone) return Status::kDone;
          break;
        }
        if (line_.size() >= 2 && line_[line_.size() - 2] == '\r') return Fail("a bare CR in chunk framing");
        if (c == '\0') return Fail("a NUL byte in chunk framing");
        break;
      }
    }
  }
  if (state_ == State::kDone) return Status::kDone;
  if (state_ == State::kError) return Status::kError;
  return Status::kNeedMore;
}

}  // namespace claimbench::http_proxy
