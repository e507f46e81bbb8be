// libFuzzer target for the request side of the strict parser (cmake/ClaimbenchFuzzing.cmake): any bytes,
// parsed as a request head with small limits (so the 414/431 paths are reached), must give a clean verdict
// (incomplete, an error with a 4xx/5xx status and an RFC section, or a head whose views all lie inside the
// input); a chunked request's body then goes through the chunked framer in socket-sized pieces.
//   ./claimbench fuzz http_request_fuzz --seconds 300
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace claimbench::http_proxy;
  using fuzz::Check;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ParseLimits limits;
  limits.max_head_bytes = 1024;
  limits.max_target_bytes = 256;
  limits.max_fields = 16;

  RequestHead head;
  ParseError error;
  const ParseStatus status = ParseRequestHead(input, limits, head, error);
  auto inside = [&](std::string_view view) {
    return view.empty() || (view.data() >= input.data() && view.data() + view.size() <= input.data() + size);
  };
  if (status == ParseStatus::kError) {
    Check(error.status >= 400 && error.status < 600 && !error.rfc_section.empty() && !error.reason.empty());
    return 0;
  }
  if (status == ParseStatus::kIncomplete) return 0;
  Check(head.head_bytes > 0 && head.head_bytes <= size);
  Check(!head.method.empty() && inside(head.method) && inside(head.target) && inside(head.host));
  Check(head.target.size() <= limits.max_target_bytes && head.fields.size() <= limits.max_fields);
  Check(head.version_minor == 0 || head.version_minor == 1);
  for (const Field& field : head.fields) Check(!field.name.empty() && inside(field.name) && inside(field.value));
  Check(head.framing != BodyFraming::kUntilClose);  // a request body is never delimited by closing
  if (head.framing == BodyFraming::kChunked) fuzz::FeedChunked(input.substr(head.head_bytes));
  return 0;
}
