// What the parser's two fuzz targets share: a check that aborts (so libFuzzer reports it as a crash with
// the input), and feeding a chunked body to a ChunkedFramer in pieces whose sizes come from the input, as
// it would arrive from a socket.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

#include "http_parser.h"

namespace claimbench::http_proxy::fuzz {

inline void Check(bool condition) {
  if (!condition) std::abort();
}

// Feeds `body` to a fresh framer piece by piece (1..64 bytes, sized by the byte at each piece's start) and
// checks the framer's contract: it never consumes more than it was given, consumes everything until the
// message ends, and decodes exactly the data bytes it counted.
inline void FeedChunked(std::string_view body) {
  ChunkedFramer framer;
  std::string decoded;
  size_t offset = 0;
  while (offset < body.size()) {
    const size_t piece = 1 + static_cast<unsigned char>(body[offset]) % 64;
    const std::string_view chunk = body.substr(offset, piece);
    size_t consumed = 0;
    const ChunkedFramer::Status status = framer.Consume(chunk, consumed, &decoded);
    Check(consumed <= chunk.size());
    offset += consumed;
    if (status == ChunkedFramer::Status::kError) Check(!framer.error().rfc_section.empty());
    if (status != ChunkedFramer::Status::kNeedMore) break;
    Check(consumed == chunk.size());
  }
  Check(decoded.size() == framer.data_bytes());
}

}  // namespace claimbench::http_proxy::fuzz
