#include "hasher.h"

#include <openssl/evp.h>
#include <xxhash.h>

#include <stdexcept>
#include <string>

#include "errors.h"

namespace claimbench::sync {
namespace {

std::string ToHex(const std::uint8_t* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 15];
  }
  return hex;
}

std::string Xxh128ToHex(XXH128_hash_t hash) {
  XXH128_canonical_t canonical;  // big-endian, high half first
  XXH128_canonicalFromHash(&canonical, hash);
  return ToHex(canonical.digest, sizeof canonical.digest);
}

}  // namespace

HashKind ParseHashKind(std::string_view text) {
  if (text == "sha256") return HashKind::kSha256;
  if (text == "fast") return HashKind::kFast;
  throw UsageError("--hash must be sha256 or fast, not '" + std::string(text) + "'");
}

std::string_view HashKindName(HashKind kind) { return kind == HashKind::kSha256 ? "sha256" : "fast"; }

std::size_t DigestSize(HashKind kind) { return kind == HashKind::kSha256 ? 32 : 16; }

std::string Sha256Hex(std::span<const std::uint8_t> data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // Fetched once: OpenSSL 3 otherwise looks the algorithm up on every call.
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr || EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_Digest(sha256) failed");
  }
  return ToHex(digest, size);
}

std::string Xxh3Hex(std::span<const std::uint8_t> data) {
  return Xxh128ToHex(XXH3_128bits(data.data(), data.size()));
}

std::string HashHex(HashKind kind, std::span<const std::uint8_t> data) {
  return kind == HashKind::kSha256 ? Sha256Hex(data) : Xxh3Hex(data);
}

struct StreamHasher::State {
  HashKind kind;
  EVP_MD_CTX* evp = nullptr;
  XXH3_state_t* xxh = nullptr;
};

StreamHasher::StreamHasher(HashKind kind) : state_(std::make_unique<State>()) {
  state_->kind = kind;
  if (kind == HashKind::kSha256) {
    state_->evp = EVP_MD_CTX_new();
    if (state_->evp == nullptr || EVP_DigestInit_ex(state_->evp, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL EVP_DigestInit_ex(sha256) failed");
    }
  } else {
    state_->xxh = XXH3_createState();
    if (state_->xxh == nullptr) throw std::bad_alloc();
    XXH3_128bits_reset(state_->xxh);
  }
}

StreamHasher::~StreamHasher() {
  if (state_->evp != nullptr) EVP_MD_CTX_free(state_->evp);
  if (state_->xxh != nullptr) XXH3_freeState(state_->xxh);
}

void StreamHasher::Update(std::span<const std::uint8_t> data) {
  if (state_->kind == HashKind::kSha256) {
    if (EVP_DigestUpdate(state_->evp, data.data(), data.size()) != 1) {
      throw std::runtime_error("OpenSSL EVP_DigestUpdate failed");
    }
  } else {
    XXH3_128bits_update(state_->xxh, data.data(), data.size());
  }
}

std::string StreamHasher::FinishHex() {
  if (state_->kind == HashKind::kSha256) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(state_->evp, digest, &size) != 1 ||
        EVP_DigestInit_ex(state_->evp, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL EVP_DigestFinal_ex failed");
    }
    return ToHex(digest, size);
  }
  std::string hex = Xxh128ToHex(XXH3_128bits_digest(state_->xxh));
  XXH3_128bits_reset(state_->xxh);
  return hex;
}

void ContentHasher::AddChunk(std::string_view hex) {
  if (!IsLowerHex(hex, DigestSize(kind_) * 2)) {
    throw std::invalid_argument("not a " + std::string(HashKindName(kind_)) + " digest: '" +
                                std::string(hex) + "'");
  }
  std::uint8_t digest[32];
  auto nibble = [](char c) { return static_cast<std::uint8_t>(c <= '9' ? c - '0' : c - 'a' + 10); };
  for (std::size_t i = 0; i < hex.size() / 2; ++i)
    digest[i] = (nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]);
  hasher_.Update({digest, hex.size() / 2});
}

bool IsLowerHex(std::string_view text, std::size_t size) {
  if (text.size() != size) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace claimbench::sync
