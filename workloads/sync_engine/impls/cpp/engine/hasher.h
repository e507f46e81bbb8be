// The two content hashes of SPEC.md: sha256 (OpenSSL EVP) and fast (XXH3-128, seed 0, printed high half
// first). A digest is kept as raw bytes; Hex() gives the lowercase form used in the store and output.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace claimbench::sync {

enum class HashKind { kSha256, kFast };

// "sha256" / "fast" -> kind; throws UsageError otherwise.
HashKind ParseHashKind(std::string_view text);
std::string_view HashKindName(HashKind kind);
// Digest size in bytes: 32 for sha256, 16 for fast.
std::size_t DigestSize(HashKind kind);

// A digest, lowercase hex.
std::string HashHex(HashKind kind, std::span<const std::uint8_t> data);
std::string Sha256Hex(std::span<const std::uint8_t> data);
std::string Xxh3Hex(std::span<const std::uint8_t> data);

// Incremental hashing of one message (for files read in pieces). Not thread-safe; one per thread.
class StreamHasher {
 public:
  explicit StreamHasher(HashKind kind);
  ~StreamHasher();
  StreamHasher(const StreamHasher&) = delete;
  StreamHasher& operator=(const StreamHasher&) = delete;
  void Update(std::span<const std::uint8_t> data);
  std::string FinishHex();  // then the hasher starts a new message

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A file's content hash (SPEC.md, Chunking and hashing): the hash, of the store's kind, of the
// concatenation of its chunks' binary digests in order; for no chunks (an empty file), the hash of the
// empty message. It is not the hash of the content: every byte is hashed once, as part of its chunk.
class ContentHasher {
 public:
  explicit ContentHasher(HashKind kind) : kind_(kind), hasher_(kind) {}
  // One chunk's digest, lowercase hex of DigestSize(kind) bytes; throws std::invalid_argument otherwise.
  void AddChunk(std::string_view hex);
  std::string FinishHex() { return hasher_.FinishHex(); }

 private:
  HashKind kind_;
  StreamHasher hasher_;
};

// True when `text` is `size` lowercase hex digits.
bool IsLowerHex(std::string_view text, std::size_t size);

inline std::span<const std::uint8_t> Bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace claimbench::sync
