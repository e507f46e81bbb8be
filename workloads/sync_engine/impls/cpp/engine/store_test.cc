// The pack store (format 4): packs roll over at the pack target, indexes reload at open and dedup across
// syncs, a sync killed at each write point leaves a store that verifies and a next sync completes.
// A corrupt store is detected and named, never restored silently: verify, restore and sync through the
// CLI, with a flipped byte in a pack or a tree, a truncated pack, a missing index entry, an index entry
// pointing outside its pack, a HEAD naming a missing tree, and a wrong format line.
#include "store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "crash_hook.h"
#include "sync.h"
#include "sync_fixture.h"
#include "claimbench/testing/temp_dir.h"
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

  // The store's only pack (the fixture's 200 KB fit in one).
  fs::path APack() const {
    std::vector<fs::path> packs;
    for (const auto& entry : fs::directory_iterator(store_ / "packs")) packs.push_back(entry.path());
    EXPECT_EQ(packs.size(), 1u);
    return packs.empty() ? fs::path() : packs.front();
  }
  fs::path IndexOf(const fs::path& pack) const { return store_ / "index" / pack.filename(); }
  fs::path Head() const { return store_ / "trees" / ReadFile(store_ / "HEAD").substr(0, 64); }

  static void Flip(const fs::path& path, std::size_t at) {
    std::string data = ReadFile(path);
    data[at % data.size()] ^= 0x20;
    WriteFile(path, data);
  }

  // verify, restore and a fresh replica's sync all exit 3; verify names `object` (and `named` when given),
  // restore and sync name `named`, else `object`; restore leaves nothing.
  void ExpectRefused(std::string object, std::string named = "") {
    CliResult verify = RunCli({"verify", "--remote", store_.string()});
    EXPECT_EQ(verify.exit_code, 3) << verify.err;
    EXPECT_NE(verify.err.find("sync_engine: corrupt: " + object), std::string::npos) << verify.err;
    if (named.empty()) named = object;
    EXPECT_NE(verify.err.find(named), std::string::npos) << verify.err;
    object = named;
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

// The index lines of a pack: "<chunk> <offset> <length>".
std::vector<std::string> IndexLines(const fs::path& index) {
  std::vector<std::string> lines;
  std::istringstream in(ReadFile(index));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST_F(StoreCorruption, FlippedPackByte) {
  fs::path pack = APack();
  std::vector<std::string> lines = IndexLines(IndexOf(pack));
  ASSERT_GT(lines.size(), 10u);
  Flip(pack, 17);  // inside the first chunk
  ExpectRefused("packs/" + pack.filename().string() + ": chunk " + lines[0].substr(0, 64) +
                ": hash mismatch");
}

TEST_F(StoreCorruption, TruncatedPack) {
  fs::path pack = APack();
  std::string last = IndexLines(IndexOf(pack)).back().substr(0, 64);
  fs::resize_file(pack, fs::file_size(pack) / 2);
  ExpectRefused("packs/" + pack.filename().string() + ": chunk ");
  CliResult verify = RunCli({"verify", "--remote", store_.string()});
  EXPECT_NE(verify.err.find(last + " (offset "), std::string::npos) << verify.err;
  EXPECT_NE(verify.err.find("lies outside the pack"), std::string::npos) << verify.err;
}

TEST_F(StoreCorruption, MissingIndexEntry) {
  fs::path pack = APack();
  std::vector<std::string> lines = IndexLines(IndexOf(pack));
  std::string dropped = lines[3].substr(0, 64);
  std::string text;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (k != 3) text += lines[k] + "\n";
  }
  WriteFile(IndexOf(pack), text);
  std::string head = ReadFile(store_ / "HEAD").substr(0, 64);
  ExpectRefused("trees/" + head + ": chunk " + dropped, dropped);
}

TEST_F(StoreCorruption, IndexEntryPointsOutsideItsPack) {
  fs::path pack = APack();
  std::vector<std::string> lines = IndexLines(IndexOf(pack));
  std::string moved = lines[2].substr(0, 64);
  std::string length = lines[2].substr(lines[2].rfind(' ') + 1);
  lines[2] = moved + " " + std::to_string(fs::file_size(pack) - 10) + " " + length;
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  WriteFile(IndexOf(pack), text);
  ExpectRefused("packs/" + pack.filename().string() + ": chunk " + moved);
}

TEST_F(StoreCorruption, BytesAppendedToAPack) {
  fs::path pack = APack();
  WriteFile(pack, ReadFile(pack) + "extra");
  // Every chunk is intact, so restore and sync, which read chunks, go on; verify, which reads the store
  // whole, names the pack.
  CliResult verify = RunCli({"verify", "--remote", store_.string()});
  EXPECT_EQ(verify.exit_code, 3) << verify.err;
  EXPECT_NE(verify.err.find("sync_engine: corrupt: packs/" + pack.filename().string() + ": " +
                            std::to_string(fs::file_size(pack)) + " bytes, its index accounts for " +
                            std::to_string(fs::file_size(pack) - 5)),
            std::string::npos)
      << verify.err;
}

// An index swapped for another (here: lines reordered) no longer hashes to its pack's name.
TEST_F(StoreCorruption, IndexThatIsNotThePacksName) {
  fs::path pack = APack();
  std::vector<std::string> lines = IndexLines(IndexOf(pack));
  std::swap(lines[0], lines[1]);
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  WriteFile(IndexOf(pack), text);
  CliResult verify = RunCli({"verify", "--remote", store_.string()});  // chunks intact: verify only
  EXPECT_EQ(verify.exit_code, 3) << verify.err;
  EXPECT_NE(verify.err.find("sync_engine: corrupt: index/" + pack.filename().string() + ": hash mismatch"),
            std::string::npos)
      << verify.err;
}

TEST_F(StoreCorruption, MalformedIndexIsNamed) {
  fs::path pack = APack();
  WriteFile(IndexOf(pack), ReadFile(IndexOf(pack)) + "not an index line\n");
  ExpectRefused("index/" + pack.filename().string());
}

TEST_F(StoreCorruption, PackWithoutIndexIsHarmless) {
  // What a sync killed between a pack and its index leaves: no index names it, so nothing reads it.
  WriteFile(store_ / "packs" / std::string(64, 'e'), "half a pack");
  CliResult verify = RunCli({"verify", "--remote", store_.string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  fs::path out = dir_.path() / "restored";
  CliResult restore = RunCli({"restore", "--remote", store_.string(), "--out", out.string()});
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  EXPECT_EQ(testing::FilesUnder(out), testing::FilesUnder(local_));
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
  WriteFile(store_ / "format", "claimbench-sync 9 sha256\n");
  ExpectRefused("format");
}

// Format 1 stored whole-file content hashes, format 2 one file per chunk, format 3 named packs by the hash
// of their bytes: all refused with a usage error that says what to do.
TEST_F(StoreCorruption, OlderFormatsAreRefusedClearly) {
  EXPECT_EQ(ReadFile(store_ / "format"), "claimbench-sync 4 sha256\n");
  for (std::string version : {"1", "2", "3"}) {
    WriteFile(store_ / "format", "claimbench-sync " + version + " sha256\n");
    for (std::vector<std::string> args :
         {std::vector<std::string>{"verify", "--remote", store_.string()},
          {"sync", "--local", local_.string(), "--remote", store_.string()}}) {
      CliResult result = RunCli(args);
      EXPECT_EQ(result.exit_code, 2) << result.err;
      EXPECT_NE(result.err.find("is in format " + version), std::string::npos) << result.err;
      EXPECT_NE(result.err.find("sync the folder into a new store"), std::string::npos) << result.err;
    }
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

// Store objects, not temporary files (the open pack is one).
std::size_t FilesIn(const fs::path& dir) {
  std::size_t count = 0;
  for (const auto& entry : fs::directory_iterator(dir))
    count += entry.is_regular_file() && !entry.path().filename().string().starts_with(".tmp-") ? 1 : 0;
  return count;
}

TEST(PackStore, RollsOverAtTheTargetAndReloadsItsIndexes) {
  claimbench::testing::TempDir dir;
  std::string path = (dir.path() / "store").string();
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> chunks;
  for (std::uint64_t k = 0; k < 25; ++k) {
    std::vector<std::uint8_t> data = testing::SeededBytes(100 + k, 1000);
    chunks.emplace_back(Sha256Hex(data), std::move(data));
  }
  {
    Store store = Store::Open(path, true, HashKind::kSha256);
    store.SetPackTarget(10000);
    for (const auto& [hex, data] : chunks) EXPECT_TRUE(store.PutChunk(hex, data));
    EXPECT_FALSE(store.PutChunk(chunks[0].first, chunks[0].second)) << "a chunk is stored once";
    EXPECT_EQ(store.PackCount(), 2u) << "two full packs written, the third still open";
    EXPECT_EQ(FilesIn(dir.path() / "store" / "packs"), 2u);
    // The open pack's chunks are found and readable before it is written.
    EXPECT_TRUE(store.HasChunk(chunks[24].first));
    EXPECT_EQ(store.ReadChunk(chunks[24].first, 1000), chunks[24].second);
    store.Flush();
    EXPECT_EQ(store.PackCount(), 3u);
    EXPECT_EQ(FilesIn(dir.path() / "store" / "packs"), 3u);
    EXPECT_EQ(FilesIn(dir.path() / "store" / "index"), 3u);
    std::vector<std::uint8_t> last_pack;
    std::string index;
    for (std::size_t k = 20; k < 25; ++k) {
      index += chunks[k].first + " " + std::to_string(last_pack.size()) + " 1000\n";
      last_pack.insert(last_pack.end(), chunks[k].second.begin(), chunks[k].second.end());
    }
    std::string name = Sha256Hex(std::span(reinterpret_cast<const std::uint8_t*>(index.data()), index.size()));
    EXPECT_EQ(ReadFile(dir.path() / "store" / "packs" / name), std::string(last_pack.begin(), last_pack.end()))
        << "a pack is its chunks in upload order, named by the hash of its index";
    EXPECT_EQ(ReadFile(dir.path() / "store" / "index" / name), index);
  }
  Store store = Store::Open(path, false, std::nullopt);
  EXPECT_EQ(store.PackCount(), 3u);
  for (const auto& [hex, data] : chunks) {
    EXPECT_TRUE(store.HasChunk(hex));
    EXPECT_FALSE(store.PutChunk(hex, data)) << "dedup against the loaded indexes";
    EXPECT_EQ(store.ReadChunk(hex, data.size()), data);
  }
  store.Flush();
  EXPECT_EQ(FilesIn(dir.path() / "store" / "packs"), 3u) << "nothing new, no new pack";
  VerifyReport report = store.Verify();
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(report.chunks, 25u);
  EXPECT_EQ(report.bytes, 25000u);
}

// Four threads put overlapping chunks while full packs are written outside the store's mutex: every chunk
// is stored once, readable, and verifies after a reopen.
TEST(PackStore, ConcurrentPutsWithPacksWrittenOutsideTheLock) {
  claimbench::testing::TempDir dir;
  std::string path = (dir.path() / "store").string();
  std::vector<std::pair<std::string, std::vector<std::uint8_t>>> chunks;
  for (std::uint64_t k = 0; k < 200; ++k) {
    std::vector<std::uint8_t> data = testing::SeededBytes(1000 + k, 500 + k);
    chunks.emplace_back(Sha256Hex(data), std::move(data));
  }
  std::atomic<int> added{0};
  {
    Store store = Store::Open(path, true, HashKind::kSha256);
    store.SetPackTarget(4000);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t k = 0; k < chunks.size(); ++k) {
          const auto& [hex, data] = chunks[(k * (t + 1)) % chunks.size()];
          if (store.PutChunk(hex, data)) added.fetch_add(1);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    store.Flush();
  }
  EXPECT_EQ(added.load(), 200);
  Store store = Store::Open(path, false, std::nullopt);
  for (const auto& [hex, data] : chunks) EXPECT_EQ(store.ReadChunk(hex, data.size()), data);
  VerifyReport report = store.Verify();
  EXPECT_TRUE(report.problems.empty());
  EXPECT_EQ(report.chunks, 200u);
  EXPECT_GT(store.PackCount(), 20u);
}

TEST_F(StoreCorruption, DeduplicatesAcrossSyncs) {
  std::size_t packs = FilesIn(store_ / "packs");
  WriteFile(local_ / "c.txt", "a new small file");
  SyncOptions options;
  options.local = local_.string();
  options.remote = store_.string();
  options.chunking = {1024, 4096, 16384};
  SyncStats stats = RunSync(
      options, [] {}, [] {});
  EXPECT_EQ(stats.chunks_new, 1u);
  EXPECT_EQ(FilesIn(store_ / "packs"), packs + 1);
  stats = RunSync(
      options, [] {}, [] {});
  EXPECT_EQ(stats.chunks_new, 0u);
  EXPECT_EQ(FilesIn(store_ / "packs"), packs + 1) << "a sync that uploads nothing writes no pack";
}

// A sync whose packs roll over every ~16 KB, killed at each write point in turn (pack, index, tree, HEAD,
// local state): the store verifies after every crash, and the next sync completes and restores exactly.
TEST(PackStore, KilledAtEachWritePointLeavesAVerifiableStore) {
  int points = 0;
  for (int n = 1; n < 200; ++n) {
    claimbench::testing::TempDir dir;
    fs::path local = dir.path() / "local";
    fs::path store = dir.path() / "store";
    fs::create_directories(local);
    std::vector<std::uint8_t> bytes = testing::SeededBytes(7, 50000);
    WriteFile(local / "big.bin", std::string(bytes.begin(), bytes.end()));
    WriteFile(local / "small.txt", "small");
    std::vector<std::string> sync = {"sync", "--local", local.string(), "--remote", store.string(), "--min",
                                     "1024", "--avg",   "4096",         "--max",    "16384"};
    CliResult crashed = RunCli(
        sync, {{"CLAIMBENCH_SYNC_CRASH_AFTER", std::to_string(n)}, {"CLAIMBENCH_SYNC_PACK_BYTES", "16000"}});
    if (crashed.exit_code == 0) break;
    ASSERT_EQ(crashed.exit_code, kCrashExitStatus) << crashed.err;
    ++points;
    std::string when = "crash after write " + std::to_string(n);
    if (fs::exists(store / "format")) {
      CliResult verify = RunCli({"verify", "--remote", store.string()});
      EXPECT_EQ(verify.exit_code, 0) << when << ": " << verify.err;
    }
    CliResult resumed = RunCli(sync, {{"CLAIMBENCH_SYNC_PACK_BYTES", "16000"}});
    ASSERT_EQ(resumed.exit_code, 0) << when << ": " << resumed.err;
    CliResult verify = RunCli({"verify", "--remote", store.string()});
    EXPECT_EQ(verify.exit_code, 0) << when << ": " << verify.err;
    fs::path out = dir.path() / "restored";
    CliResult restore = RunCli({"restore", "--remote", store.string(), "--out", out.string()});
    ASSERT_EQ(restore.exit_code, 0) << when << ": " << restore.err;
    EXPECT_EQ(testing::FilesUnder(out), testing::FilesUnder(local)) << when;
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(points, 12) << "several packs, their indexes, the tree and HEAD are write points";
  RecordProperty("write_points", points);
}

}  // namespace
}  // namespace claimbench::sync
