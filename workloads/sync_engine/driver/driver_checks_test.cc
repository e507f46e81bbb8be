#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "chunk_check.h"
#include "sync_check.h"

namespace claimbench::sync_engine_workload {
namespace {

using ::testing::HasSubstr;

TEST(ChunkCheckTest, ParsesBoundariesAndHashesAndNamesTheBadLine) {
  std::vector<Chunk> chunks;
  std::string error;
  ASSERT_TRUE(ParseChunks("0 10\n10 5\n", false, chunks, error)) << error;
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(chunks[1].offset, 10);
  EXPECT_EQ(chunks[1].length, 5);
  ASSERT_TRUE(ParseChunks("0 15 ab01\n", true, chunks, error)) << error;
  EXPECT_EQ(chunks[0].hash, "ab01");
  EXPECT_FALSE(ParseChunks("0 10\n10 x\n", false, chunks, error));
  EXPECT_THAT(error, HasSubstr("line 2"));
  EXPECT_FALSE(ParseChunks("0 15 AB01\n", true, chunks, error));
  EXPECT_FALSE(ParseChunks("0 15\n", true, chunks, error));
  EXPECT_TRUE(ParseChunks("", false, chunks, error)) << "an empty file has no chunks";
  EXPECT_TRUE(chunks.empty());
}

TEST(ChunkCheckTest, TilingNeedsContiguousChunksWithinMinAndMaxCoveringTheFile) {
  EXPECT_EQ(CheckTiling({{0, 20, ""}, {20, 30, ""}, {50, 3, ""}}, 53, 10, 40), "");
  EXPECT_THAT(CheckTiling({{0, 20, ""}, {21, 30, ""}}, 51, 10, 40), HasSubstr("chunk 2 starts at 21"));
  EXPECT_THAT(CheckTiling({{0, 5, ""}, {5, 30, ""}}, 35, 10, 40), HasSubstr("shorter than min"));
  EXPECT_THAT(CheckTiling({{0, 50, ""}}, 50, 10, 40), HasSubstr("max 40"));
  EXPECT_THAT(CheckTiling({{0, 20, ""}}, 25, 10, 40), HasSubstr("add up to 20"));
}

TEST(ChunkCheckTest, ComparisonNamesTheFirstDifferentChunk) {
  const std::vector<Chunk> expected = {{0, 20, "aa"}, {20, 30, "bb"}};
  EXPECT_EQ(CompareChunks(expected, {{0, 20, ""}, {20, 30, ""}}, false), "");
  EXPECT_THAT(CompareChunks(expected, {{0, 21, ""}, {21, 29, ""}}, false), HasSubstr("chunk 1"));
  EXPECT_THAT(CompareChunks(expected, {{0, 20, "aa"}, {20, 30, "cc"}}, true), HasSubstr("chunk 2 (offset 20)"));
  EXPECT_THAT(CompareChunks(expected, {{0, 20, "aa"}}, true), HasSubstr("1 chunks, SPEC.md's FastCDC finds 2"));
}

sync_corpus::CorpusManifest SmallManifest() {
  sync_corpus::CorpusManifest m;
  m.v0 = {10, 1000, 800, 2, "h0"};
  m.v1 = {11, 1100, 900, 0, "h1"};
  m.incremental_new_bytes = 100;
  m.incremental_strict_edges = 3;
  m.incremental_resync_edges = 2;
  m.incremental_written_bytes = 300;
  return m;
}

TEST(SyncCheckTest, StatisticsComeFromTheLastLine) {
  SyncStats stats;
  std::string error;
  ASSERT_TRUE(ParseSyncStats("synced\n{\"tree_hash\": \"h0\", \"bytes_scanned\": 1000, \"bytes_uploaded\": 810}\n", stats,
                             error))
      << error;
  EXPECT_EQ(stats.bytes_uploaded, 810);
  EXPECT_TRUE(stats.deduplicates);
  EXPECT_FALSE(ParseSyncStats("", stats, error));
  EXPECT_FALSE(ParseSyncStats("{\"tree_hash\": 1}\n", stats, error));
  EXPECT_THAT(error, HasSubstr("not the statistics object"));
}

TEST(SyncCheckTest, DedupBandIsNewContentPlusChunkGranularity) {
  const auto initial = Expect(SmallManifest(), SyncKind::kInitial, 64);
  EXPECT_EQ(initial.uploaded_min, 800);
  EXPECT_EQ(initial.uploaded_slack, 128);
  SyncStats stats{"h0", 1000, 800, 0, 0, true, 0};
  EXPECT_EQ(CheckSyncStats(stats, initial), "");
  stats.bytes_uploaded = 929;
  EXPECT_THAT(CheckSyncStats(stats, initial), HasSubstr("above the dedup band"));
  stats.deduplicates = false;  // rsync: no dedup claimed, only the lower end applies
  EXPECT_EQ(CheckSyncStats(stats, initial), "");
  stats.bytes_uploaded = 799;
  EXPECT_THAT(CheckSyncStats(stats, initial), HasSubstr("less than the 800 bytes of new content"));
  stats = {"h1", 1000, 800, 0, 0, true, 0};
  EXPECT_THAT(CheckSyncStats(stats, initial), HasSubstr("tree_hash h1"));
  stats = {"h0", 999, 800, 0, 0, true, 0};
  EXPECT_THAT(CheckSyncStats(stats, initial), HasSubstr("bytes_scanned 999, expected 1000"));

  const auto incremental = Expect(SmallManifest(), SyncKind::kIncremental, 64);
  EXPECT_EQ(incremental.uploaded_slack, 3 * 64 + 2 * 2 * 64);
  EXPECT_EQ(CheckSyncStats({"h1", 300, 100, 0, 0, true, 0}, incremental), "");
  EXPECT_EQ(CheckSyncStats({"h1", 1100, 100 + 448, 0, 0, true, 0}, incremental), "");
  EXPECT_THAT(CheckSyncStats({"h1", 299, 100, 0, 0, true, 0}, incremental), HasSubstr("300 to 1100"));
}

}  // namespace
}  // namespace claimbench::sync_engine_workload
