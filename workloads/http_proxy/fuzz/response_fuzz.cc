// libFuzzer target for the upstream side of the strict parser (cmake/ClaimbenchFuzzing.cmake): the first
// byte picks the request method the response answers ('H': HEAD, whose response has no body; anything
// else: GET), the rest is parsed as a response head; any verdict must be clean, and a chunked response's body
// then goes through the chunked framer, decoding, in socket-sized pieces (as the proxy dechunks for
// HTTP/1.0 clients).
//   ./claimbench fuzz http_response_fuzz --seconds 300
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace claimbench::http_proxy;
  using fuzz::Check;
  if (size == 0) return 0;
  const std::string_view method = data[0] == 'H' ? "HEAD" : "GET";
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  ParseLimits limits;
  limits.max_head_bytes = 1024;
  limits.max_fields = 16;

  ResponseHead head;
  ParseError error;
  const ParseStatus status = ParseResponseHead(input, method, limits, head, error);
  if (status == ParseStatus::kError) {
    Check(error.status >= 400 && error.status < 600 && !error.rfc_section.empty() && !error.reason.empty());
    return 0;
  }
  if (status == ParseStatus::kIncomplete) return 0;
  Check(head.head_bytes > 0 && head.head_bytes <= input.size());
  Check(head.status >= 100 && head.status <= 999 && head.fields.size() <= limits.max_fields);
  if (method == "HEAD" || head.status < 200 || head.status == 204 || head.status == 304) {
    Check(head.framing == BodyFraming::kNone);  // RFC 9112 section 6.3: these never have a body
  }
  if (head.framing == BodyFraming::kChunked) fuzz::FeedChunked(input.substr(head.head_bytes));
  return 0;
}
