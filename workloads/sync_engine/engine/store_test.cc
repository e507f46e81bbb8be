// A corrupt store is detected and named, never restored silently: verify, restore and sync through the
// CLI, with a flipped byte in a chunk or a tree, a truncated chunk, a HEAD naming a missing tree, and a
// wrong format line.
#include <gtest/gtest.h>

#include <filesystem>

#include "sync.h"
#include "sync_fixture.h"
#include "testing/temp_dir.h"
#include "tree.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::ReadFile;
using testing::RunCli;
using testing::WriteFile;

class StoreCorruption : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(local_ / "docs");
    WriteFile(local_ / "docs" / "a.txt", std::string(5000, 'a') + "end");
    std::vector<std::uint8_t> bytes = testing::SeededBytes(5, 200000);
    WriteFile(local_ / "big.bin", std::string(bytes.begin(), bytes.end()));
    SyncOptions options;
    options.local = local_.string();
    options.remote = store_.string();
    options.chunking = {1024, 4096, 16384};
    RunSync(
        options, [] {}, [] {});
    CliResult ok = RunCli({"verify", "--remote", store_.string()});
    ASSERT_EQ(ok.exit_code, 0) << ok.err;
  }

  fs::path AChunk() const {
    for (const auto& entry : fs::recursive_directory_iterator(store_ / "chunks")) {
      if (entry.is_regular_file()) return entry.path();
    }
    return {};
  }
  fs::path Head() const { return store_ / "trees" / ReadFile(store_ / "HEAD").substr(0, 64); }

  static void Flip(const fs::path& path, std::size_t at) {
    std::string data = ReadFile(path);
    data[at % data.size()] ^= 0x20;
    WriteFile(path, data);
  }

  // verify, restore and a fresh replica's sync all exit 3 and name `object`; restore leaves nothing.
  void ExpectRefused(const std::string& object) {
    CliResult verify = RunCli({"verify", "--remote", store_.string()});
    EXPECT_EQ(verify.exit_code, 3) << verify.err;
    EXPECT_NE(verify.err.find("sync_engine: corrupt: " + object), std::string::npos) << verify.err;
    fs::path out = dir_.path() / "restored";
    CliResult restore = RunCli({"restore", "--remote", store_.string(), "--out", out.string()});
    EXPECT_EQ(restore.exit_code, 3) << restore.err;
    EXPECT_NE(restore.err.find(object), std::string::npos) << restore.err;
    EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out));
    fs::path fresh = dir_.path() / "fresh";
    CliResult sync = RunCli({"sync", "--local", fresh.string(), "--remote", store_.string()});
    EXPECT_EQ(sync.exit_code, 3) << sync.err;
    EXPECT_NE(sync.err.find(object), std::string::npos) << sync.err;
    EXPECT_TRUE(testing::FilesUnder(fresh).empty());
  }

  claimbench::testing::TempDir dir_;
  fs::path local_ = dir_.path() / "local";
  fs::path store_ = dir_.path() / "store";
};

TEST_F(StoreCorruption, FlippedChunkByte) {
  fs::path chunk = AChunk();
  Flip(chunk, 17);
  ExpectRefused(fs::relative(chunk, store_).generic_string());
}

TEST_F(StoreCorruption, TruncatedChunk) {
  fs::path chunk = AChunk();
  fs::resize_file(chunk, fs::file_size(chunk) / 2);
  ExpectRefused(fs::relative(chunk, store_).generic_string());
}

TEST_F(StoreCorruption, FlippedTreeByte) {
  fs::path tree = Head();
  Flip(tree, 40);
  ExpectRefused("trees/" + tree.filename().string());
}

TEST_F(StoreCorruption, HeadNamesAMissingTree) {
  fs::remove(Head());
  ExpectRefused("HEAD");
}

TEST_F(StoreCorruption, WrongFormatLine) {
  WriteFile(store_ / "format", "claimbench-sync 3 sha256\n");
  ExpectRefused("format");
}

// Format 1 stored whole-file content hashes: refused with a usage error that says what to do.
TEST_F(StoreCorruption, FormatOneStoreIsRefusedClearly) {
  EXPECT_EQ(ReadFile(store_ / "format"), "claimbench-sync 2 sha256\n");
  WriteFile(store_ / "format", "claimbench-sync 1 sha256\n");
  for (std::vector<std::string> args : {std::vector<std::string>{"verify", "--remote", store_.string()},
                                        {"sync", "--local", local_.string(), "--remote", store_.string()}}) {
    CliResult result = RunCli(args);
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("is in format 1"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("sync the folder into a new store"), std::string::npos) << result.err;
  }
}

// A folder's base record from format 1 holds whole-file hashes too: refused, saying what to do.
TEST_F(StoreCorruption, FormatOneLocalStateIsRefusedClearly) {
  fs::path base = local_ / ".claimsync" / "base.json";
  std::string text = ReadFile(base);
  ASSERT_EQ(text.find("{\"records\":"), 0u) << text.substr(0, 40);
  std::size_t at = text.find("\"version\":2");
  ASSERT_NE(at, std::string::npos);
  text[at + 10] = '1';
  WriteFile(base, text);
  CliResult result = RunCli({"sync", "--local", local_.string(), "--remote", store_.string()});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_NE(result.err.find("move the folder's .claimsync away"), std::string::npos) << result.err;
}

// A file's content hash is the hash of its chunks' digests, not of its bytes; a tree whose content hash
// disagrees with its chunk list is corrupt (checked by verify and restore).
TEST_F(StoreCorruption, ContentHashIsOfTheChunkDigests) {
  std::string head = ReadFile(store_ / "HEAD").substr(0, 64);
  Tree tree = TreeFromJson(ReadFile(Head()), "trees/" + head, 64);
  std::string big = ReadFile(local_ / "big.bin");
  bool found = false;
  for (auto& [id, node] : tree.nodes) {
    if (node.name != "big.bin") continue;
    found = true;
    ASSERT_GT(node.chunks.size(), 10u);
    EXPECT_EQ(node.hash, ContentHash(HashKind::kSha256, node.chunks));
    EXPECT_NE(node.hash, Sha256Hex(Bytes(big)));
    node.hash = Sha256Hex(Bytes(big));  // what format 1 recorded
  }
  ASSERT_TRUE(found);
  std::string json = TreeToJson(tree);
  std::string name = Sha256Hex(Bytes(json));
  WriteFile(store_ / "trees" / name, json);
  WriteFile(store_ / "HEAD", name + "\n");
  ExpectRefused("trees/" + name);
}

TEST_F(StoreCorruption, HealthyStoreVerifiesAndRestoresExactly) {
  CliResult verify = RunCli({"verify", "--remote", store_.string()});
  EXPECT_EQ(verify.exit_code, 0);
  EXPECT_NE(verify.out.find("{\"ok\": true, \"chunks\": "), std::string::npos) << verify.out;
  fs::path out = dir_.path() / "restored";
  CliResult restore = RunCli({"restore", "--remote", store_.string(), "--out", out.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(testing::FilesUnder(out), testing::FilesUnder(local_));
  EXPECT_EQ(TreeHashOfFolder(out.string()), TreeHashOfFolder(local_.string()));
}

}  // namespace
}  // namespace claimbench::sync
