#include "size_text.h"

#include <charconv>

namespace claimbench::sync_corpus {

std::optional<int64_t> ParseSize(std::string_view text) {
  int shift = 0;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': case 'k': shift = 10; break;
      case 'M': case 'm': shift = 20; break;
      case 'G': case 'g': shift = 30; break;
      default: break;
    }
    if (shift != 0) text.remove_suffix(1);
  }
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0 ||
      value > (INT64_MAX >> shift)) {
    return std::nullopt;
  }
  return value << shift;
}

}  // namespace claimbench::sync_corpus
