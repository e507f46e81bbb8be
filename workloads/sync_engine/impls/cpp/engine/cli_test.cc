// The CLI's contract: usage errors (exit 2, one line), statistics on the last line, and crash safety:
// a sync killed at every write point (CLAIMBENCH_SYNC_CRASH_AFTER) or at random times leaves a store that
// verifies, user files that are each old or new, and a folder that the next sync brings to convergence.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "crash_hook.h"
#include "errors.h"
#include "local_tree.h"
#include "reconcile.h"
#include "claimbench/seeded_random.h"
#include "sync.h"
#include "sync_fixture.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::FilesUnder;
using testing::RunCli;
using testing::WriteFile;

void ExpectUsageError(const std::vector<std::string>& args, const std::string& fragment) {
  CliResult result = RunCli(args);
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_EQ(result.err.rfind("sync_engine: error: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
  EXPECT_TRUE(result.out.empty());
}

TEST(Cli, BadArgumentsAreUsageErrors) {
  claimbench::testing::TempDir dir;
  std::string local = (dir.path() / "l").string(), store = (dir.path() / "s").string();
  ExpectUsageError({}, "no command");
  ExpectUsageError({"frobnicate"}, "unknown command");
  ExpectUsageError({"sync", "--remote", store}, "--local is required");
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--hash", "md5"}, "--hash");
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--avg", "60000"}, "power of two");
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--min", "1M"}, "--min");
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--threads", "0"}, "--threads");
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--replica", "a/b"}, "--replica");
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--bogus", "1"}, "unknown option --bogus");
  ExpectUsageError({"sync", "--local", local, "--remote"}, "needs a value");
  ExpectUsageError({"sync", "--local", local, "--remote", local + "/store"}, "inside one another");
  ExpectUsageError({"chunk", "--input", (dir.path() / "missing").string()}, "cannot read --input");
  ExpectUsageError({"chunk", "--input", local, "--mode", "fold"}, "--mode");
  ExpectUsageError({"chunk", "--input", local, "--mode", "chunk", "--threads", "2"}, "chunk+hash only");
  ExpectUsageError({"chunk", "--input", local, "--mode", "chunk+hash", "--threads", "x"}, "--threads");
  ExpectUsageError({"verify", "--remote", (dir.path() / "nostore").string()}, "not a sync store");
  WriteFile(dir.path() / "file", "x");
  ExpectUsageError({"restore", "--remote", (dir.path() / "file").string(), "--out", local},
                   "not a directory");
  ExpectUsageError({"serve", "--listen", "127.0.0.1:0"}, "--entries is required");
  // A store keeps its hash.
  ASSERT_EQ(RunCli({"sync", "--local", local, "--remote", store, "--hash", "fast"}).exit_code, 0);
  ExpectUsageError({"sync", "--local", local, "--remote", store, "--hash", "sha256"}, "uses --hash fast");
}

TEST(Cli, SyncPrintsStatisticsOnTheLastLine) {
  claimbench::testing::TempDir dir;
  fs::path local = dir.path() / "l";
  fs::create_directories(local / "d");
  WriteFile(local / "d" / "x", "hello");
  WriteFile(local / "y", "hello");  // the same content: its one chunk is deduplicated
  CliResult result = RunCli({"sync", "--local", local.string(), "--remote", (dir.path() / "s").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string last = result.out.substr(result.out.rfind('\n', result.out.size() - 2) + 1);
  nlohmann::json stats = nlohmann::json::parse(last);
  std::vector<std::string> keys;
  for (const auto& [key, value] : stats.items()) keys.push_back(key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"bytes_downloaded", "bytes_hashed", "bytes_scanned", "bytes_uploaded",
                                      "chunks_deduplicated", "chunks_new", "chunks_total", "conflicts",
                                      "deleted_local", "deleted_remote", "files_downloaded", "files_scanned",
                                      "files_uploaded", "moved", "skipped", "tree_hash"}));
  EXPECT_EQ(stats["files_scanned"], 2);
  EXPECT_EQ(stats["bytes_scanned"], 10);
  EXPECT_EQ(stats["chunks_total"], 2);
  EXPECT_EQ(stats["chunks_new"], 1);
  EXPECT_EQ(stats["chunks_deduplicated"], 1);
  EXPECT_EQ(stats["bytes_uploaded"], 5);
  EXPECT_EQ(stats["tree_hash"], TreeHashOfFolder(local.string()));
  EXPECT_EQ(last.find("{\"files_scanned\":"), 0u) << "keys in SPEC.md's order";
}

TEST(Cli, PipelinedChunkHashPrintsWhatOneThreadPrints) {
  claimbench::testing::TempDir dir;
  fs::path input = dir.path() / "input";
  std::vector<std::uint8_t> bytes = testing::SeededBytes(21, (2 << 20) + 12345);
  WriteFile(input, std::string(bytes.begin(), bytes.end()));
  for (const char* hash : {"sha256", "fast"}) {
    std::vector<std::string> args = {"chunk",  "--input", input.string(), "--mode", "chunk+hash",
                                     "--hash", hash,      "--min",        "2K",     "--avg",
                                     "8K",     "--max",   "64K"};
    CliResult one = RunCli(args);
    ASSERT_EQ(one.exit_code, 0) << one.err;
    EXPECT_GT(std::count(one.out.begin(), one.out.end(), '\n'), 100);
    for (const char* threads : {"1", "2", "3"}) {
      std::vector<std::string> more = args;
      more.insert(more.end(), {"--threads", threads});
      CliResult piped = RunCli(more);
      ASSERT_EQ(piped.exit_code, 0) << piped.err;
      EXPECT_EQ(piped.out, one.out) << hash << " --threads " << threads;
    }
  }
}

// A replica `a` with pending local changes (edits, a rename, a dir move, deletes, creates) and a store
// with concurrent remote changes (one of them conflicting), ready for one sync of `a`.
struct CrashScene {
  claimbench::testing::TempDir dir;
  fs::path a = dir.path() / "a", b = dir.path() / "b", store = dir.path() / "store";
  std::set<std::string> legit;      // every content a user file of `a` may hold: old or new
  std::set<std::string> must_keep;  // the changes `a` makes: they must survive

  explicit CrashScene(std::size_t big) {
    fs::create_directories(a / "docs" / "deep");
    fs::create_directories(a / "media");
    WriteFile(a / "docs" / "one.txt", "one v1");
    WriteFile(a / "docs" / "deep" / "two.txt", "two v1");
    WriteFile(a / "media" / "three.bin", Random(1, 30000));
    WriteFile(a / "four.txt", "four v1");
    WriteFile(a / "gone.txt", "gone v1");
    WriteFile(a / "five.txt", "five v1");
    Sync(a);
    Sync(b);
    WriteFile(b / "docs" / "one.txt", "one v2 from b");  // conflicts with a's edit below
    WriteFile(b / "media" / "new-b.bin", Random(2, 20000));
    fs::rename(b / "four.txt", b / "docs" / "four.txt");
    fs::remove(b / "gone.txt");
    Sync(b);
    WriteFile(a / "docs" / "one.txt", "one v2 from a");
    WriteFile(a / "media" / "three.bin", Random(3, 30000 + big));
    WriteFile(a / "created.txt", "created by a");
    fs::rename(a / "docs" / "deep", a / "media" / "deep");
    fs::remove(a / "five.txt");
    fs::remove(a / "four.txt");  // b moved it: the move wins over this delete
    for (const fs::path& side : {a, b}) {
      for (const auto& [path, content] : FilesUnder(side)) legit.insert(content);
    }
    must_keep = {"one v2 from a", Random(3, 30000 + big), "created by a", "one v2 from b"};
    legit.insert("one v1");
    legit.insert("four v1");
    legit.insert("gone v1");
    legit.insert("five v1");
    legit.insert(Random(1, 30000));
  }

  static std::string Random(std::uint64_t seed, std::size_t size) {
    std::vector<std::uint8_t> bytes = testing::SeededBytes(seed, size);
    return {bytes.begin(), bytes.end()};
  }

  SyncStats Sync(const fs::path& local) {
    SyncOptions options;
    options.local = local.string();
    options.remote = store.string();
    options.chunking = {1024, 4096, 16384};
    options.replica = local.filename().string();
    return RunSync(
        options, [] {}, [] {});
  }

  std::vector<std::string> CliArgs(bool fsync = false) const {
    std::vector<std::string> args = {"sync", "--local", a.string(), "--remote", store.string(), "--min", "1K",
                                     "--avg", "4K",     "--max",    "16K",      "--replica",    "a"};
    if (fsync) args.push_back("--fsync");
    return args;
  }

  // After a crash: the store verifies, a's files are each old or new, and syncing again converges
  // without losing a change.
  void CheckRecovery(const std::string& when) {
    VerifyReport report = RunVerify(store.string());
    EXPECT_TRUE(report.problems.empty()) << when << ": " << report.problems.front();
    for (const auto& [path, content] : FilesUnder(a)) {
      EXPECT_TRUE(legit.count(content))
          << when << ": " << path << " is neither old nor new (" << content.size() << " bytes)";
    }
    Sync(a);
    Sync(b);
    SyncStats last = Sync(a);
    std::map<std::string, std::string> files = FilesUnder(a);
    EXPECT_EQ(files, FilesUnder(b)) << when;
    EXPECT_EQ(last.tree_hash, TreeHashOfFolder(a.string())) << when;
    std::set<std::string> contents;
    for (const auto& [path, content] : files) contents.insert(content);
    for (const std::string& content : must_keep) {
      EXPECT_TRUE(contents.count(content)) << when << ": lost a version of " << content.size() << " bytes";
    }
    EXPECT_FALSE(fs::exists(a / ".claimsync" / "journal.json")) << when;
    EXPECT_TRUE(fs::is_empty(a / ".claimsync" / "tmp")) << when;
  }
};

// With and without --fsync: the durable path has the same write points and must recover the same way.
class CrashAtWritePoint : public ::testing::TestWithParam<bool> {};

TEST_P(CrashAtWritePoint, KilledAtEveryWritePointRecovers) {
  int points = 0;
  for (int n = 1; n < 500; ++n) {
    CrashScene scene(0);
    CliResult result = RunCli(scene.CliArgs(GetParam()), {{"CLAIMBENCH_SYNC_CRASH_AFTER", std::to_string(n)}});
    if (result.exit_code == 0) break;
    ASSERT_EQ(result.exit_code, kCrashExitStatus) << result.err;
    ++points;
    scene.CheckRecovery("crash after write " + std::to_string(n));
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(points, 10) << "the scene should reach many write points";
  RecordProperty("write_points", points);
}

INSTANTIATE_TEST_SUITE_P(Crash, CrashAtWritePoint, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Fsync" : "NoFsync";
                         });

// --fsync changes durability, not results: the same statistics and packs as without it.
TEST(Cli, FsyncWritesTheSameStore) {
  claimbench::testing::TempDir dir;
  std::string plain, durable;
  for (bool fsync : {false, true}) {
    fs::path local = dir.path() / (fsync ? "durable-local" : "plain-local");
    fs::create_directories(local / "d");
    WriteFile(local / "d" / "x", std::string(100000, 'x'));
    WriteFile(local / "y", "hello");
    fs::path store = dir.path() / (fsync ? "durable" : "plain");
    std::vector<std::string> args = {"sync", "--local", local.string(), "--remote", store.string()};
    if (fsync) args.push_back("--fsync");
    CliResult result = RunCli(args);
    ASSERT_EQ(result.exit_code, 0) << result.err;
    (fsync ? durable : plain) = result.out;
    EXPECT_TRUE(RunVerify(store.string()).problems.empty());
  }
  EXPECT_EQ(durable, plain);
  std::map<std::string, std::string> packs = FilesUnder(dir.path() / "durable" / "packs");
  EXPECT_EQ(packs.size(), 1u);
  EXPECT_TRUE(packs == FilesUnder(dir.path() / "plain" / "packs")) << "the same pack, byte for byte";
}

TEST(Crash, KilledAtRandomTimesRecovers) {
  stats::detail::SeededRandom random(2026);
  int killed = 0;
  for (int round = 0; round < 8; ++round) {
    CrashScene scene(1 << 20);  // a 1 MiB edit: the sync takes long enough to be hit mid-way
    std::int64_t delay_us = 200 + static_cast<std::int64_t>(random.Below(20000));
    CliResult result = RunCli(scene.CliArgs(), {}, delay_us);
    if (result.signal != 0)
      ++killed;
    else
      ASSERT_EQ(result.exit_code, 0) << result.err;
    scene.CheckRecovery("kill after " + std::to_string(delay_us) + " us");
    if (::testing::Test::HasFailure()) return;
  }
  RecordProperty("killed", killed);
}

}  // namespace
}  // namespace claimbench::sync

namespace claimbench::sync {
namespace {

// A file edited between the scan and the moment the sync would replace it: exit 4 (LocalChangedError),
// the edit stays, and the next sync keeps both versions.
TEST(LocalChange, EditAfterTheScanIsNeverOverwritten) {
  claimbench::testing::TempDir dir;
  fs::path a = dir.path() / "a", b = dir.path() / "b";
  std::string store_dir = (dir.path() / "store").string();
  fs::create_directories(a);
  WriteFile(a / "f.txt", "v1");
  auto sync = [&](const fs::path& local) {
    SyncOptions options;
    options.local = local.string();
    options.remote = store_dir;
    options.replica = local.filename().string();
    return RunSync(
        options, [] {}, [] {});
  };
  sync(a);
  sync(b);
  WriteFile(b / "f.txt", "v2 from b");
  sync(b);

  {  // a's sync, step by step, with the user saving f.txt after the scan; the lock ends with the scope
    Store store = Store::Open(store_dir, false, std::nullopt);
    store.Lock();
    BaseState base = LoadBase(a.string(), 64);
    ScanStats scan_stats;
    int next = 0;
    auto new_id = [&] { return "id" + std::to_string(next++); };
    Chunker chunker({16384, 65536, 262144});
    LocalScan scan = ScanLocal(a.string(), base, store, chunker, 1, false, new_id, scan_stats);
    Tree remote = store.ReadHead();
    ReconcileResult merged = Reconcile(base.tree, scan.tree, remote, "a", new_id);
    ApplyStats apply_stats;
    auto staged = StageDownloads(a.string(), scan, merged.merged, store, apply_stats);
    WriteFile(a / "f.txt", "v3 typed by the user after the scan");
    EXPECT_THROW(ApplyLocal(a.string(), scan, merged.merged, staged, "a", apply_stats), LocalChangedError);
    EXPECT_EQ(testing::ReadFile(a / "f.txt"), "v3 typed by the user after the scan");
  }

  sync(a);
  sync(b);
  std::set<std::string> contents;
  for (const auto& [path, content] : FilesUnder(a)) contents.insert(content);
  EXPECT_EQ(contents, (std::set<std::string>{"v2 from b", "v3 typed by the user after the scan"}));
  EXPECT_EQ(FilesUnder(a), FilesUnder(b));
}

}  // namespace
}  // namespace claimbench::sync

namespace claimbench::sync {
namespace {

// A second folder that already holds the synced tree (a copy, or a download a killed sync finished)
// becomes the same nodes: nothing downloaded, replaced or conflicted.
TEST(Adopt, AFolderEqualToTheStoreDownloadsNothing) {
  claimbench::testing::TempDir dir;
  fs::path a = dir.path() / "a", b = dir.path() / "b";
  for (const fs::path& side : {a, b}) {
    fs::create_directories(side / "d" / "e");
    WriteFile(side / "d" / "e" / "f.txt", "same");
    WriteFile(side / "g.txt", "same too");
  }
  WriteFile(b / "only-b.txt", "b's own");
  SyncOptions options;
  options.remote = (dir.path() / "store").string();
  options.local = a.string();
  RunSync(
      options, [] {}, [] {});
  options.local = b.string();
  SyncStats stats = RunSync(
      options, [] {}, [] {});
  EXPECT_EQ(stats.files_downloaded, 0u);
  EXPECT_EQ(stats.deleted_local, 0u);
  EXPECT_EQ(stats.conflicts, 0u);
  EXPECT_EQ(stats.files_uploaded, 1u);
  options.local = a.string();
  RunSync(
      options, [] {}, [] {});
  EXPECT_EQ(FilesUnder(a), FilesUnder(b));
}

}  // namespace
}  // namespace claimbench::sync
