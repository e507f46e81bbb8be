#include "spec_chunker.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench::sync_engine_workload {
namespace {

using ::testing::HasSubstr;

// data/README.md's golden input (tools/golden_input.py): 1 MiB of SplitMix64 output (seed 1, each 64-bit
// output little-endian), 512 KiB of zero bytes, then 512 KiB more of the same generator.
std::vector<uint8_t> GoldenInput() {
  uint64_t state = 1;
  auto next = [&state] {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  std::vector<uint8_t> bytes;
  auto random = [&](size_t count) {
    for (size_t i = 0; i < count / 8; ++i) {
      const uint64_t value = next();
      for (int b = 0; b < 8; ++b) bytes.push_back(static_cast<uint8_t>(value >> (8 * b)));
    }
  };
  random(1 << 20);
  bytes.insert(bytes.end(), 512 << 10, 0);
  random(512 << 10);
  return bytes;
}

std::string Golden(const std::string& name) {
  return ReadWholeFile(std::string(CLAIMBENCH_SYNC_DATA_DIR) + "/" + name);
}

// `chunks` as `chunk --mode chunk` prints them.
std::string Boundaries(const std::vector<Chunk>& chunks) {
  std::string out;
  for (const Chunk& c : chunks) out += std::to_string(c.offset) + " " + std::to_string(c.length) + "\n";
  return out;
}

// The golden file's `<offset> <length>` pairs, without hashes where it has them.
std::string WithoutHashes(const std::string& golden) {
  std::istringstream in(golden);
  std::string out;
  for (std::string offset, length; in >> offset >> length;) {
    out += offset + " " + length + "\n";
    if (in.peek() == ' ') in.ignore(1 << 10, '\n');
  }
  return out;
}

std::filesystem::path WriteInput(const testing::TempDir& dir, const std::vector<uint8_t>& bytes) {
  const std::filesystem::path path = dir.path() / "input.bin";
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(SpecChunkerTest, GearTableAndMasksAreSpecMds) {
  EXPECT_EQ(GearTable()[0], 0xE220A8397B1DCDAFULL);  // SPEC.md: SplitMix64(0), the first output
  EXPECT_EQ(SpreadMask(1), uint64_t{1} << 63);
  EXPECT_EQ(SpreadMask(48), 0xFFFFFFFFFFFF0000ULL);  // every one of the top 48 bits
  EXPECT_EQ(std::popcount(SpreadMask(18)), 18);      // avg 64K: log2 + 2
  EXPECT_EQ(std::popcount(SpreadMask(14)), 14);      // avg 64K: log2 - 2
  EXPECT_EQ(SpreadMask(2), (uint64_t{1} << 63) | (uint64_t{1} << 39));
}

struct GoldenCase {
  const char* file;
  ChunkLimits limits;
};

class SpecChunkerGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(SpecChunkerGolden, FindsTheGoldenBoundaries) {
  const testing::TempDir dir;
  const std::filesystem::path input = WriteInput(dir, GoldenInput());
  EXPECT_EQ(Boundaries(SpecChunks(input, GetParam().limits)), WithoutHashes(Golden(GetParam().file)));
}

INSTANTIATE_TEST_SUITE_P(Files, SpecChunkerGolden,
                         ::testing::Values(GoldenCase{"chunks_default.txt", {16384, 65536, 262144}},
                                           GoldenCase{"chunks_min2k_avg8k_max64k.txt", {2048, 8192, 65536}},
                                           GoldenCase{"chunks_min2k_avg8k_max64k_sha256.txt", {2048, 8192, 65536}},
                                           GoldenCase{"chunks_min2k_avg8k_max64k_fast.txt", {2048, 8192, 65536}}),
                         [](const auto& info) {
                           std::string name = info.param.file;
                           return name.substr(0, name.find('.'));
                         });

TEST(SpecChunkerTest, WithTheHarnessHashesGivesTheGoldenChunkPlusHashOutput) {
  const testing::TempDir dir;
  const std::filesystem::path input = WriteInput(dir, GoldenInput());
  std::vector<Chunk> chunks = SpecChunks(input, {2048, 8192, 65536});
  HashChunks(input, chunks);
  EXPECT_EQ(FormatChunks(chunks), Golden("chunks_min2k_avg8k_max64k_sha256.txt"));
}

TEST(SpecChunkerTest, BoundariesDoNotDependOnHowTheFileIsFed) {
  const std::vector<uint8_t> input = GoldenInput();
  std::vector<int64_t> whole;
  SpecChunker once({2048, 8192, 65536});
  once.Feed(input, whole);
  once.Finish(whole);
  for (const size_t piece : {size_t{1}, size_t{7}, size_t{2048}, size_t{65537}}) {
    std::vector<int64_t> pieces;
    SpecChunker chunker({2048, 8192, 65536});
    for (size_t at = 0; at < input.size(); at += piece) {
      chunker.Feed(std::span(input).subspan(at, std::min(piece, input.size() - at)), pieces);
    }
    chunker.Finish(pieces);
    EXPECT_EQ(pieces, whole) << "pieces of " << piece;
  }
}

TEST(SpecChunkerTest, ShortFilesAndRunsWithoutACut) {
  std::vector<int64_t> lengths;
  SpecChunker empty({16, 64, 256});
  empty.Finish(lengths);
  EXPECT_TRUE(lengths.empty()) << "an empty file has no chunks";

  const std::vector<uint8_t> ten(10, 0xab);  // at most min bytes: one chunk, the whole file
  SpecChunker short_file({16, 64, 256});
  short_file.Feed(ten, lengths);
  short_file.Finish(lengths);
  EXPECT_EQ(lengths, std::vector<int64_t>{10});

  // The golden input's zero run has no content-defined cut: its chunks end at max.
  const std::vector<uint8_t> input = GoldenInput();
  lengths.clear();
  SpecChunker zeros({2048, 8192, 65536});
  zeros.Feed(std::span(input).subspan(1 << 20, 512 << 10), lengths);
  zeros.Finish(lengths);
  EXPECT_EQ(lengths, std::vector<int64_t>(8, 65536));
}

TEST(SpecChunkerTest, RefusesLimitsSpecMdRulesOut) {
  EXPECT_THROW(SpecChunker({64, 64, 256}), SetupError);
  EXPECT_THROW(SpecChunker({16, 48, 256}), SetupError);  // not a power of two
  EXPECT_THROW(SpecChunker({1, 4, 256}), SetupError);    // below 8
  EXPECT_THROW(SpecChunker({16, 64, 64}), SetupError);
  EXPECT_THAT([] { SpecChunks("/nonexistent/claimbench/input.bin", {}); },
              ::testing::ThrowsMessage<SetupError>(HasSubstr("cannot read /nonexistent/claimbench/input.bin")));
}

}  // namespace
}  // namespace claimbench::sync_engine_workload
