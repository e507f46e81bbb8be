#include <sys/stat.h>

#include <fstream>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "claimbench/error.h"
#include "corpus.h"
#include "size_text.h"
#include "claimbench/testing/temp_dir.h"
#include "tree_hash.h"

namespace claimbench::sync_corpus {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

TEST(TreeHashTest, KnownAnswerSortsPathsAsBytesAndSkipsEngineStateAndDirectories) {
  testing::TempDir dir;
  Write(dir.path() / "a.txt", "hello\n");
  Write(dir.path() / "B", "x");
  Write(dir.path() / "dir.x", "12345");
  Write(dir.path() / "dir" / "b", "");
  Write(dir.path() / ".claimsync" / "base.json", "not the user's");
  fs::create_directories(dir.path() / "empty" / "nested");
  // sha256 over "B\0" "1\0" sha256("x") "\n" "a.txt\0" "6\0" sha256("hello\n") "\n" "dir.x\0" ... "dir/b\0" "0\0"
  // sha256("") "\n": '.' (0x2e) sorts before '/' (0x2f), capitals before lower case.
  EXPECT_EQ(TreeHash(dir.path()), "9ea8dd1fe890407856739faecaa16e0b3f6c4536beccd8b8f14ad9bb1893edfc");
  EXPECT_EQ(FileSha256Hex(dir.path() / "a.txt"), "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(TreeHashTest, MissingDirectoryIsAClearError) {
  EXPECT_THROW(TreeHash("/nonexistent/claimbench"), SetupError);
}

struct DiskTree {
  int64_t files = 0, bytes = 0, duplicated = 0;  // duplicated: bytes of exact copies beyond the first
};

DiskTree Scan(const fs::path& dir) {
  DiskTree tree;
  std::map<std::string, int> seen;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++tree.files;
    tree.bytes += static_cast<int64_t>(entry.file_size());
    if (seen[FileSha256Hex(entry.path())]++ > 0) tree.duplicated += static_cast<int64_t>(entry.file_size());
  }
  return tree;
}

TEST(CorpusTest, SameSeedSameTreesOtherSeedOtherTrees) {
  testing::TempDir dir;
  const CorpusManifest a = GenerateCorpus({7, 3 << 20}, dir.path() / "a");
  const CorpusManifest b = GenerateCorpus({7, 3 << 20}, dir.path() / "b");
  const CorpusManifest c = GenerateCorpus({8, 3 << 20}, dir.path() / "c");
  EXPECT_EQ(a.v0.tree_hash, b.v0.tree_hash);
  EXPECT_EQ(a.v1.tree_hash, b.v1.tree_hash);
  EXPECT_EQ(TreeHash(dir.path() / "a" / "v0"), TreeHash(dir.path() / "b" / "v0"));
  EXPECT_NE(a.v0.tree_hash, c.v0.tree_hash);
  EXPECT_NE(a.v0.tree_hash, a.v1.tree_hash);
  std::ifstream ma(dir.path() / "a" / "manifest.json"), mb(dir.path() / "b" / "manifest.json");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(ma), {}), std::string(std::istreambuf_iterator<char>(mb), {}));
}

TEST(CorpusTest, ManifestNumbersMatchTheTreesOnDisk) {
  testing::TempDir dir;
  const CorpusManifest m = GenerateCorpus({1, 6 << 20}, dir.path());  // seed 1 has every kind of file and edit
  const DiskTree v0 = Scan(dir.path() / "v0"), v1 = Scan(dir.path() / "v1");
  EXPECT_EQ(m.v0.files, v0.files);
  EXPECT_EQ(m.v0.logical_bytes, v0.bytes);
  EXPECT_GE(m.v0.logical_bytes, 6 << 20);
  EXPECT_EQ(m.v1.files, v1.files);
  EXPECT_EQ(m.v1.logical_bytes, v1.bytes);
  EXPECT_EQ(m.v0.tree_hash, TreeHash(dir.path() / "v0"));
  EXPECT_EQ(m.v1.tree_hash, TreeHash(dir.path() / "v1"));
  // Exact duplicates alone prove this much duplication; shared prefixes add more.
  EXPECT_GT(v0.duplicated, 0) << "the corpus must contain exact duplicates";
  EXPECT_LE(m.v0.unique_bytes, m.v0.logical_bytes - v0.duplicated);
  EXPECT_GT(m.v0.unique_bytes, m.v0.logical_bytes / 2);
  EXPECT_GT(m.v0.strict_edges, 0) << "the corpus must contain files sharing a prefix";
  EXPECT_GT(m.incremental_new_bytes, 0);
  EXPECT_GE(m.incremental_written_bytes, m.incremental_new_bytes);
  EXPECT_GT(m.incremental_resync_edges, 0);
  std::map<Operation::Kind, int> kinds;
  for (const Operation& op : m.operations) ++kinds[op.kind];
  EXPECT_GT(kinds[Operation::Kind::kRename], 1);
  EXPECT_GT(kinds[Operation::Kind::kDelete], 0);
  EXPECT_GT(kinds[Operation::Kind::kWrite], 3);
  EXPECT_EQ(ReadManifest(dir.path() / "manifest.json").v1.tree_hash, m.v1.tree_hash);
}

TEST(CorpusTest, ApplyingTheOperationsToV0MakesV1KeepingRenamedFiles) {
  testing::TempDir dir;
  const CorpusManifest m = GenerateCorpus({5, 2 << 20}, dir.path() / "corpus");
  const fs::path local = dir.path() / "local";
  fs::copy(dir.path() / "corpus" / "v0", local, fs::copy_options::recursive);
  const Operation* rename = nullptr;
  for (const Operation& op : m.operations) {
    if (op.kind == Operation::Kind::kRename && rename == nullptr) rename = &op;
  }
  ASSERT_NE(rename, nullptr);
  struct stat before {};
  ASSERT_EQ(::stat((local / rename->from).c_str(), &before), 0);
  ApplyOperations(m, dir.path() / "corpus" / "v1", local);
  EXPECT_EQ(TreeHash(local), m.v1.tree_hash);
  struct stat after {};
  ASSERT_EQ(::stat((local / rename->path).c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino) << "a rename keeps the file, as a user's mv does";
}

TEST(CorpusTest, LoadOrGenerateReusesACompleteCorpusAndRejectsABrokenManifest) {
  testing::TempDir dir;
  const CorpusManifest first = LoadOrGenerateCorpus({9, 1 << 20}, dir.path());
  const auto written = fs::last_write_time(dir.path() / "manifest.json");
  EXPECT_EQ(LoadOrGenerateCorpus({9, 1 << 20}, dir.path()).v0.tree_hash, first.v0.tree_hash);
  EXPECT_EQ(fs::last_write_time(dir.path() / "manifest.json"), written);
  Write(dir.path() / "broken.json", "{\"format\": 1");
  EXPECT_THAT([&] { ReadManifest(dir.path() / "broken.json"); },
              ::testing::ThrowsMessage<SetupError>(::testing::HasSubstr("delete it to regenerate")));
}

TEST(SizeTextTest, PlainAndSuffixedSizes) {
  EXPECT_EQ(ParseSize("65536"), 65536);
  EXPECT_EQ(ParseSize("64K"), 65536);
  EXPECT_EQ(ParseSize("32M"), 32 << 20);
  EXPECT_EQ(ParseSize("2G"), int64_t{2} << 30);
  EXPECT_EQ(ParseSize(""), std::nullopt);
  EXPECT_EQ(ParseSize("-1"), std::nullopt);
  EXPECT_EQ(ParseSize("12Q"), std::nullopt);
  EXPECT_EQ(ParseSize("99999999999G"), std::nullopt);
}

}  // namespace
}  // namespace claimbench::sync_corpus
