// The parser's fuzz target, in libFuzzer's form: any bytes, as a request head, a response head and a
// chunked body, must give a clean verdict (complete, incomplete or an error with a status and an RFC
// section), never a crash, an out-of-bounds read or a verdict that points outside the input.
// Built with clang: -fsanitize=fuzzer,address. With GCC (no libFuzzer) http_parser_fuzz_main.cc drives it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http_parser.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace claimbench::http_proxy;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseLimits limits;
  limits.max_head_bytes = 1024;  // small limits reach the limit paths often
  limits.max_target_bytes = 256;
  limits.max_fields = 16;

  RequestHead request;
  ParseError error;
  ParseStatus status = ParseRequestHead(input, limits, request, error);
  if (status == ParseStatus::kComplete) {
    Check(request.head_bytes > 0 && request.head_bytes <= size);
    Check(request.method.data() >= input.data() && request.target.data() + request.target.size() <= input.data() + size);
  } else if (status == ParseStatus::kError) {
    Check(error.status >= 400 && error.status < 600 && !error.rfc_section.empty());
  }

  ResponseHead response;
  status = ParseResponseHead(input, size % 2 == 0 ? "GET" : "HEAD", limits, response, error);
  if (status == ParseStatus::kComplete) Check(response.head_bytes <= size && response.status >= 100);

  // The body in pieces whose sizes come from the input, as it would arrive from a socket.
  ChunkedFramer framer;
  std::string decoded;
  size_t offset = 0;
  while (offset < size) {
    size_t piece = 1 + data[offset] % 64;
    std::string_view chunk = input.substr(offset, piece);
    size_t consumed = 0;
    ChunkedFramer::Status framing = framer.Consume(chunk, consumed, &decoded);
    Check(consumed <= chunk.size());
    offset += consumed;
    if (framing != ChunkedFramer::Status::kNeedMore) break;
    Check(consumed == chunk.size());
  }
  Check(decoded.size() == framer.data_bytes());
  return 0;
}
