// The chunker against its contract: golden boundaries, an independent implementation from SPEC.md's
// text, size limits, and locality (an edit changes only nearby chunks).
#include "chunker.h"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <bit>
#include <set>
#include <sstream>

#include "chunk_hash.h"
#include "errors.h"
#include "hasher.h"
#include "claimbench/seeded_random.h"
#include "sync_fixture.h"

namespace claimbench::sync {
namespace {

using testing::GoldenInput;
using testing::ReadFile;
using testing::SeededBytes;

// SPEC.md's chunking rule read literally, one byte at a time, sharing nothing with the engine: the Gear
// table comes from the harness's own SplitMix64, the masks from the bit-position formula.
std::vector<std::uint64_t> SpecLengths(const std::vector<std::uint8_t>& data, std::uint64_t min,
                                       std::uint64_t avg, std::uint64_t max) {
  std::uint64_t gear[256];
  std::uint64_t seed = 0;
  for (std::uint64_t& g : gear) g = stats::detail::SplitMix64(seed);
  int log2_avg = 0;
  while ((1ULL << log2_avg) < avg) ++log2_avg;
  auto mask = [](int k) {
    std::uint64_t m = 0;
    for (int j = 0; j < k; ++j) m |= 1ULL << (63 - (j * 48) / k);
    return m;
  };
  const std::uint64_t mask_s = mask(log2_avg + 2), mask_l = mask(log2_avg - 2);
  std::vector<std::uint64_t> lengths;
  std::uint64_t start = 0;
  while (start < data.size()) {
    std::uint64_t left = data.size() - start;
    std::uint64_t length = left;
    if (left > min) {
      std::uint64_t end = left < max ? left : max;
      length = end;
      std::uint64_t fp = 0;
      for (std::uint64_t i = min; i < end; ++i) {
        fp = (fp << 1) + gear[data[start + i]];
        std::uint64_t m = i < avg ? mask_s : mask_l;
        if ((fp & m) == 0) {
          length = i + 1;
          break;
        }
      }
    }
    lengths.push_back(length);
    start += length;
  }
  return lengths;
}

std::string AsChunkLines(const std::vector<std::uint64_t>& lengths) {
  std::ostringstream out;
  std::uint64_t offset = 0;
  for (std::uint64_t length : lengths) {
    out << offset << ' ' << length << '\n';
    offset += length;
  }
  return out.str();
}

std::vector<std::uint64_t> EngineLengths(const std::vector<std::uint8_t>& data, const ChunkParams& params) {
  std::vector<std::uint64_t> lengths;
  for (std::uint32_t length : Chunker(params).Split(data)) lengths.push_back(length);
  return lengths;
}

TEST(ChunkerTable, GearIsSplitMix64FromZeroAndMasksHaveTheSpecBitCounts) {
  std::uint64_t seed = 0;
  for (int i = 0; i < 256; ++i) ASSERT_EQ(GearTable()[i], stats::detail::SplitMix64(seed)) << i;
  Chunker chunker({16384, 65536, 262144});
  EXPECT_EQ(std::popcount(chunker.mask_s()), 18);
  EXPECT_EQ(std::popcount(chunker.mask_l()), 14);
  EXPECT_EQ(SpreadMask(1), 1ULL << 63);
  EXPECT_EQ(SpreadMask(48), ~0ULL << 16);
}

struct GoldenCase {
  const char* file;
  ChunkParams params;
};

class ChunkerGolden : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(ChunkerGolden, EngineAndIndependentImplementationMatchTheGoldenFile) {
  const GoldenCase& c = GetParam();
  std::vector<std::uint8_t> input = GoldenInput();
  std::string golden = ReadFile(std::string(CLAIMBENCH_SYNC_GOLDEN_DIR) + "/" + c.file);
  EXPECT_EQ(AsChunkLines(SpecLengths(input, c.params.min, c.params.avg, c.params.max)), golden);
  EXPECT_EQ(AsChunkLines(EngineLengths(input, c.params)), golden);
}

INSTANTIATE_TEST_SUITE_P(Files, ChunkerGolden,
                         ::testing::Values(GoldenCase{"chunks_default.txt", {16384, 65536, 262144}},
                                           GoldenCase{"chunks_min2k_avg8k_max64k.txt", {2048, 8192, 65536}}));

TEST(ChunkerGoldenHashes, ChunkHashesMatchTheGoldenFiles) {
  std::vector<std::uint8_t> input = GoldenInput();
  for (HashKind kind : {HashKind::kSha256, HashKind::kFast}) {
    std::ostringstream lines;
    std::size_t offset = 0;
    for (std::uint32_t length : Chunker({2048, 8192, 65536}).Split(input)) {
      lines << offset << ' ' << length << ' '
            << HashHex(kind, std::span<const std::uint8_t>(input).subspan(offset, length)) << '\n';
      offset += length;
    }
    std::string file = std::string("chunks_min2k_avg8k_max64k_") + std::string(HashKindName(kind)) + ".txt";
    EXPECT_EQ(lines.str(), ReadFile(std::string(CLAIMBENCH_SYNC_GOLDEN_DIR) + "/" + file)) << file;
  }
}

// chunk+hash as one kernel (chunk_hash.h): the same chunks and digests as Split and HashHex, on one
// thread and pipelined over 2 and 4, with the sink called once per chunk.
TEST(ChunkAndHash, PipelinedEqualsSingleThreadAndTheGoldenFiles) {
  std::vector<std::uint8_t> golden = GoldenInput();
  for (HashKind kind : {HashKind::kSha256, HashKind::kFast}) {
    std::ostringstream lines;
    std::size_t offset = 0;
    for (const HashedChunk& chunk : ChunkAndHash(Chunker({2048, 8192, 65536}), kind, golden, 1)) {
      lines << offset << ' ' << chunk.length << ' ' << chunk.hex << '\n';
      offset += chunk.length;
    }
    std::string file = std::string("chunks_min2k_avg8k_max64k_") + std::string(HashKindName(kind)) + ".txt";
    EXPECT_EQ(lines.str(), ReadFile(std::string(CLAIMBENCH_SYNC_GOLDEN_DIR) + "/" + file)) << file;
  }
  std::vector<std::uint8_t> data = SeededBytes(11, 3 << 20);
  std::span<const std::uint8_t> all(data);
  for (const ChunkParams& params : {ChunkParams{2048, 8192, 65536}, ChunkParams{64, 256, 1024}}) {
    Chunker chunker(params);
    std::vector<std::uint32_t> lengths = chunker.Split(data);
    for (HashKind kind : {HashKind::kSha256, HashKind::kFast}) {
      std::vector<HashedChunk> one = ChunkAndHash(chunker, kind, data, 1);
      ASSERT_EQ(one.size(), lengths.size());
      std::size_t offset = 0;
      for (std::size_t i = 0; i < one.size(); ++i) {
        ASSERT_EQ(one[i].length, lengths[i]);
        ASSERT_EQ(one[i].hex, HashHex(kind, all.subspan(offset, lengths[i])));
        offset += lengths[i];
      }
      for (int threads : {2, 4}) {
        std::atomic<std::size_t> calls{0}, bytes{0};
        std::vector<HashedChunk> piped;
        tbb::task_arena arena(threads);
        arena.execute([&] {
          piped = ChunkAndHash(chunker, kind, data, threads,
                               [&](std::span<const std::uint8_t> piece, const std::string& hex) {
                                 ASSERT_EQ(hex, HashHex(kind, piece));
                                 calls.fetch_add(1);
                                 bytes.fetch_add(piece.size());
                               });
        });
        ASSERT_EQ(piped.size(), one.size()) << threads;
        for (std::size_t i = 0; i < one.size(); ++i) {
          ASSERT_EQ(piped[i].length, one[i].length) << threads << " chunk " << i;
          ASSERT_EQ(piped[i].hex, one[i].hex) << threads << " chunk " << i;
        }
        EXPECT_EQ(calls.load(), one.size());
        EXPECT_EQ(bytes.load(), data.size());
      }
    }
  }
  EXPECT_TRUE(ChunkAndHash(Chunker({2048, 8192, 65536}), HashKind::kSha256, {}, 2).empty());
}

TEST(ChunkAndHash, ASinkErrorStopsThePipelineAndIsRethrown) {
  std::vector<std::uint8_t> data = SeededBytes(12, 1 << 20);
  tbb::task_arena arena(2);
  arena.execute([&] {
    EXPECT_THROW(ChunkAndHash(Chunker({2048, 8192, 65536}), HashKind::kSha256, data, 2,
                              [](std::span<const std::uint8_t>, const std::string&) {
                                throw std::runtime_error("disk full");
                              }),
                 std::runtime_error);
  });
}

TEST(ChunkerLimits, EveryChunkRespectsMinAndMaxAndTheMeanIsNearAvg) {
  for (const ChunkParams& params : {ChunkParams{2048, 8192, 65536}, ChunkParams{16384, 65536, 262144},
                                    ChunkParams{64, 256, 1024}, ChunkParams{1, 8, 9}}) {
    std::vector<std::uint8_t> data = SeededBytes(7, 4 << 20);
    std::vector<std::uint64_t> lengths = EngineLengths(data, params);
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      total += lengths[i];
      ASSERT_LE(lengths[i], params.max);
      if (i + 1 < lengths.size()) {
        ASSERT_GE(lengths[i], params.min);
      }
    }
    EXPECT_EQ(total, data.size());
    double mean = static_cast<double>(total) / static_cast<double>(lengths.size());
    if (params.avg >= 256) {  // normalised chunking keeps the mean within a factor of ~1.5 of avg
      EXPECT_GT(mean, 0.6 * static_cast<double>(params.avg)) << params.avg;
      EXPECT_LT(mean, 1.6 * static_cast<double>(params.avg)) << params.avg;
    }
    EXPECT_EQ(lengths, SpecLengths(data, params.min, params.avg, params.max));
  }
}

TEST(ChunkerLimits, EmptyAndShortInputs) {
  Chunker chunker({16384, 65536, 262144});
  EXPECT_TRUE(chunker.Split({}).empty());
  std::vector<std::uint8_t> tiny = SeededBytes(3, 16384);
  EXPECT_EQ(chunker.Split(tiny), std::vector<std::uint32_t>{16384});
  std::vector<std::uint8_t> zeros(1 << 20, 0);  // no content-defined cut: max-sized chunks
  EXPECT_EQ(chunker.Split(zeros), std::vector<std::uint32_t>(4, 262144));
}

std::set<std::uint64_t> Offsets(const std::vector<std::uint64_t>& lengths) {
  std::set<std::uint64_t> offsets;
  std::uint64_t offset = 0;
  for (std::uint64_t length : lengths) offsets.insert(offset += length);
  return offsets;
}

// Inserting or deleting bytes in the middle keeps every boundary before the edit and, after a few chunks,
// every boundary shifted by the edit's size.
void ExpectLocality(long delta) {
  const ChunkParams params{16384, 65536, 262144};
  std::vector<std::uint8_t> original = SeededBytes(11, 4 << 20);
  std::vector<std::uint8_t> edited = original;
  const std::size_t at = 2 << 20;
  if (delta > 0) {
    std::vector<std::uint8_t> insert = SeededBytes(12, static_cast<std::size_t>(delta));
    edited.insert(edited.begin() + at, insert.begin(), insert.end());
  } else {
    edited.erase(edited.begin() + at, edited.begin() + at - delta);
  }
  std::set<std::uint64_t> before = Offsets(EngineLengths(original, params));
  std::set<std::uint64_t> after = Offsets(EngineLengths(edited, params));
  for (std::uint64_t offset : before) {
    if (offset <= at) {
      EXPECT_TRUE(after.count(offset)) << "boundary " << offset << " before the edit moved";
    }
  }
  std::size_t differing = 0;
  bool resynced = false;
  for (std::uint64_t offset : after) {
    if (offset <= at) continue;
    bool shared = before.count(static_cast<std::uint64_t>(static_cast<long>(offset) - delta)) != 0;
    if (resynced) {
      EXPECT_TRUE(shared) << "boundary " << offset << " after resynchronising differs";
    } else if (shared) {
      resynced = true;
    } else {
      ++differing;
    }
  }
  EXPECT_TRUE(resynced);
  EXPECT_LE(differing, 3u) << "chunks changed by a " << delta << "-byte edit";
}

TEST(ChunkerLocality, InsertInTheMiddleChangesOnlyNearbyChunks) {
  ExpectLocality(1);
  ExpectLocality(100);
  ExpectLocality(70000);
}

TEST(ChunkerLocality, DeleteInTheMiddleChangesOnlyNearbyChunks) {
  ExpectLocality(-1);
  ExpectLocality(-5000);
}

TEST(ChunkerParams, SizesParseWithSuffixesAndBadOnesAreUsageErrors) {
  EXPECT_EQ(ParseSize("65536", "--avg"), 65536u);
  EXPECT_EQ(ParseSize("64K", "--avg"), 65536u);
  EXPECT_EQ(ParseSize("1M", "--max"), 1u << 20);
  EXPECT_THROW(ParseSize("", "--min"), UsageError);
  EXPECT_THROW(ParseSize("12k", "--min"), UsageError);
  EXPECT_THROW(ParseSize("-5", "--min"), UsageError);
  EXPECT_THROW(ParseSize("99999999999999999999", "--min"), UsageError);
  EXPECT_THROW(ValidateChunkParams({65536, 65536, 262144}), UsageError);
  EXPECT_THROW(ValidateChunkParams({1024, 60000, 262144}), UsageError);
  EXPECT_THROW(ValidateChunkParams({0, 8, 16}), UsageError);
  EXPECT_NO_THROW(ValidateChunkParams({1, 8, 9}));
}

}  // namespace
}  // namespace claimbench::sync
