// GPT-2's byte-level alphabet: every byte has a printable stand-in character, so that a vocabulary of
// strings can name all 256 bytes. The encoder works on raw bytes throughout; this mapping is used only at
// load time (to turn vocabulary strings back into bytes) and when decoding tokens that are not bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace claimbench::tokenizer {

// The stand-in code point of each byte (GPT-2's bytes_to_unicode): printable Latin-1 bytes map to
// themselves, the other 68 to U+0100..U+0143 in byte order.
const std::array<uint32_t, 256>& ByteToCodePoint();

// The raw bytes a byte-level token string stands for, or nullopt when `token` has a character outside
// the alphabet (special tokens such as "<|x|>" are inside it; "中" is not) or is not valid UTF-8.
std::optional<std::string> ByteLevelToBytes(std::string_view token);

// Appends the UTF-8 encoding of `code_point` (<= U+10FFFF) to `out`.
void AppendUtf8(uint32_t code_point, std::string& out);

// Length of the longest valid UTF-8 prefix of `text` (RFC 3629: no overlongs, surrogates or > U+10FFFF).
size_t ValidUtf8Prefix(std::string_view text);

// Decodes the code point starting at text[pos] (which must be valid UTF-8) and advances pos past it.
uint32_t NextCodePoint(std::string_view text, size_t& pos);

// Decodes the code point ending just before text[end] (valid UTF-8) and moves end to its first byte.
uint32_t PreviousCodePoint(std::string_view text, size_t& end);

// Replaces each maximal invalid UTF-8 subsequence with U+FFFD, as Rust's String::from_utf8_lossy does.
std::string Utf8Lossy(std::string_view bytes);

}  // namespace claimbench::tokenizer
