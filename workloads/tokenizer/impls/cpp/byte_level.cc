#include "byte_level.h"

namespace claimbench::tokenizer {
namespace {

bool IsPrintableLatin1(int byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

constexpr uint32_t kNoByte = 0xFFFF;

// The inverse of ByteToCodePoint over U+0000..U+0143; kNoByte elsewhere.
const std::array<uint32_t, 0x144>& CodePointToByte() {
  static const std::array<uint32_t, 0x144> table = [] {
    std::array<uint32_t, 0x144> inverse;
    inverse.fill(kNoByte);
    for (int byte = 0; byte < 256; ++byte) inverse[ByteToCodePoint()[byte]] = static_cast<uint32_t>(byte);
    return inverse;
  }();
  return table;
}

// Length of the valid UTF-8 sequence at text[pos], or 0 if none starts there.
size_t ValidSequenceLength(std::string_view text, size_t pos) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(pos);
  size_t left = text.size() - pos;
  if (lead < 0x80) return 1;
  auto cont = [&](size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
  if (lead >= 0xC2 && lead <= 0xDF) return left >= 2 && cont(pos + 1) ? 2 : 0;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3 || !cont(pos + 1) || !cont(pos + 2)) return 0;
    unsigned char second = byte(pos + 1);
    if (lead == 0xE0 && second < 0xA0) return 0;  // overlong
    if (lead == 0xED && second > 0x9F) return 0;  // surrogate
    return 3;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4 || !cont(pos + 1) || !cont(pos + 2) || !cont(pos + 3)) return 0;
    unsigned char second = byte(pos + 1);
    if (lead == 0xF0 && second < 0x90) return 0;  // overlong
    if (lead == 0xF4 && second > 0x8F) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

const std::array<uint32_t, 256>& ByteToCodePoint() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> map{};
    uint32_t next = 256;
    for (int byte = 0; byte < 256; ++byte) map[byte] = IsPrintableLatin1(byte) ? static_cast<uint32_t>(byte) : next++;
    return map;
  }();
  return table;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

size_t ValidUtf8Prefix(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    // ASCII fast path: eight bytes at a time.
    while (pos + 8 <= text.size()) {
      uint64_t word = 0;
      for (int i = 0; i < 8; ++i) word |= static_cast<uint64_t>(static_cast<unsigned char>(text[pos + i])) << (8 * i);
      if (word & 0x8080808080808080ULL) break;
      pos += 8;
    }
    if (pos >= text.size()) break;
    size_t length = ValidSequenceLength(text, pos);
    if (length == 0) return pos;
    pos += length;
  }
  return text.size();
}

uint32_t NextCodePoint(std::string_view text, size_t& pos) {
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(text[i])); };
  uint32_t lead = byte(pos);
  if (lead < 0x80) {
    pos += 1;
    return lead;
  }
  if (lead < 0xE0) {
    uint32_t cp = ((lead & 0x1F) << 6) | (byte(pos + 1) & 0x3F);
    pos += 2;
    return cp;
  }
  if (lead < 0xF0) {
    uint32_t cp = ((lead & 0x0F) << 12) | ((byte(pos + 1) & 0x3F) << 6) | (byte(pos + 2) & 0x3F);
    pos += 3;
    return cp;
  }
  uint32_t cp = ((lead & 0x07) << 18) | ((byte(pos + 1) & 0x3F) << 12) | ((byte(pos + 2) & 0x3F) << 6) |
                (byte(pos + 3) & 0x3F);
  pos += 4;
  return cp;
}

uint32_t PreviousCodePoint(std::string_view text, size_t& end) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  size_t pos = start;
  uint32_t cp = NextCodePoint(text, pos);
  end = start;
  return cp;
}

std::optional<std::string> ByteLevelToBytes(std::string_view token) {
  if (ValidUtf8Prefix(token) != token.size()) return std::nullopt;
  std::string bytes;
  bytes.reserve(token.size());
  size_t pos = 0;
  while (pos < token.size()) {
    uint32_t cp = NextCodePoint(token, pos);
    if (cp >= CodePointToByte().size() || CodePointToByte()[cp] == kNoByte) return std::nullopt;
    bytes.push_back(static_cast<char>(CodePointToByte()[cp]));
  }
  return bytes;
}

std::string Utf8Lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t length = ValidSequenceLength(bytes, pos);
    if (length > 0) {
      out.append(bytes.substr(pos, length));
      pos += length;
      continue;
    }
    // One U+FFFD per maximal invalid prefix of a sequence (the WHATWG / Rust rule): skip the lead byte and
    // any continuation bytes that could still have belonged to it.
    unsigned char lead = static_cast<unsigned char>(bytes[pos]);
    size_t skip = 1;
    auto cont = [&](size_t i, unsigned char lo, unsigned char hi) {
      return i < bytes.size() && static_cast<unsigned char>(bytes[i]) >= lo && static_cast<unsigned char>(bytes[i]) <= hi;
    };
    if (lead >= 0xE0 && lead <= 0xEF) {
      unsigned char lo = lead == 0xE0 ? 0xA0 : 0x80, hi = lead == 0xED ? 0x9F : 0xBF;
      if (cont(pos + 1, lo, hi)) skip = cont(pos + 2, 0x80, 0xBF) ? 3 : 2;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      unsigned char lo = lead == 0xF0 ? 0x90 : 0x80, hi = lead == 0xF4 ? 0x8F : 0xBF;
      if (cont(pos + 1, lo, hi)) {
        skip = 2;
        if (cont(pos + 2, 0x80, 0xBF)) skip = 3;
      }
    }
    out.append("\xEF\xBF\xBD");
    pos += skip;
  }
  return out;
}

}  // namespace claimbench::tokenizer
