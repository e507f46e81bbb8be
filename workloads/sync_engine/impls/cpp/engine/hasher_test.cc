// Known-answer vectors: SHA-256 from FIPS 180-4's examples (NIST CSRC), XXH3-128 from xxHash 0.8.
#include "hasher.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "errors.h"

namespace claimbench::sync {
namespace {

TEST(Sha256, Fips180Vectors) {
  EXPECT_EQ(Sha256Hex(Bytes("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(Bytes("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(Bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  EXPECT_EQ(Sha256Hex(Bytes(million)), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Xxh3, Vector128BitsHighHalfFirst) {
  // XXH3_128bits("", seed 0) = {high 0x99aa06d3014798d8, low 0x6001c324468d497f}.
  EXPECT_EQ(Xxh3Hex(Bytes("")), "99aa06d3014798d86001c324468d497f");
}

TEST(StreamHasher, PiecesEqualOneShot) {
  std::string text(300000, 'x');
  for (std::size_t i = 0; i < text.size(); ++i) text[i] = static_cast<char>(i * 7 + i / 13);
  for (HashKind kind : {HashKind::kSha256, HashKind::kFast}) {
    StreamHasher hasher(kind);
    hasher.Update(Bytes(std::string_view(text).substr(0, 1000)));
    hasher.Update(Bytes(std::string_view(text).substr(1000)));
    EXPECT_EQ(hasher.FinishHex(), HashHex(kind, Bytes(text)));
    EXPECT_EQ(hasher.FinishHex(), HashHex(kind, Bytes("")));  // starts a new message
  }
}

TEST(ContentHasher, HashesTheChunksBinaryDigestsNotTheContent) {
  for (HashKind kind : {HashKind::kSha256, HashKind::kFast}) {
    ContentHasher none(kind);
    EXPECT_EQ(none.FinishHex(), HashHex(kind, Bytes("")));  // an empty file: the hash of the empty message
    std::string a = HashHex(kind, Bytes("first chunk")), b = HashHex(kind, Bytes("second"));
    std::string binary;
    for (const std::string* hex : {&a, &b}) {
      for (std::size_t i = 0; i < hex->size(); i += 2) {
        binary.push_back(static_cast<char>(std::stoi(hex->substr(i, 2), nullptr, 16)));
      }
    }
    ContentHasher two(kind);
    two.AddChunk(a);
    two.AddChunk(b);
    std::string content = two.FinishHex();
    EXPECT_EQ(content, HashHex(kind, Bytes(binary)));
    EXPECT_NE(content, HashHex(kind, Bytes("first chunksecond")));
    ContentHasher bad(kind);
    EXPECT_THROW(bad.AddChunk("abc"), std::invalid_argument);
    EXPECT_THROW(bad.AddChunk(std::string(a.size(), 'A')), std::invalid_argument);
  }
  // A known answer: sha256 of the 32 digest bytes of sha256("abc").
  ContentHasher one(HashKind::kSha256);
  one.AddChunk(Sha256Hex(Bytes("abc")));
  EXPECT_EQ(one.FinishHex(), "4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358");
}

TEST(HashKinds, NamesAndSizes) {
  EXPECT_EQ(ParseHashKind("sha256"), HashKind::kSha256);
  EXPECT_EQ(ParseHashKind("fast"), HashKind::kFast);
  EXPECT_THROW(ParseHashKind("md5"), UsageError);
  EXPECT_EQ(DigestSize(HashKind::kFast) * 2, Xxh3Hex(Bytes("a")).size());
  EXPECT_TRUE(IsLowerHex("00ff", 4));
  EXPECT_FALSE(IsLowerHex("00FF", 4));
}

}  // namespace
}  // namespace claimbench::sync
