// Randomized convergence in the style of Dropbox's CanopyCheck: a random initial tree, 2-3 replicas,
// rounds of random concurrent edits, creates, deletes, renames and moves (dirs too) on every replica,
// syncs in shuffled order, then one more sync each. After every round all replicas and the store's
// restore are equal, and every version a replica wrote in the round exists somewhere: nothing is lost.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "claimbench/seeded_random.h"
#include "sync.h"
#include "sync_fixture.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench::sync {
namespace {

namespace fs = std::filesystem;
using stats::detail::SeededRandom;
using testing::FilesUnder;
using testing::ReadFile;
using testing::WriteFile;

// prefix + number, appended (GCC 12 warns falsely, -Wrestrict, on "literal" + std::string).
std::string Name(std::string prefix, int number) {
  prefix += std::to_string(number);
  return prefix;
}

class World {
 public:
  World(std::uint64_t seed, int replicas) : random_(seed) {
    for (int i = 0; i < replicas; ++i) {
      replicas_.push_back(dir_.path() / Name("r", i));
      fs::create_directories(replicas_.back());
    }
  }

  SyncStats Sync(int i) {
    SyncOptions options;
    options.local = replicas_[i].string();
    options.remote = (dir_.path() / "store").string();
    options.chunking = {64, 256, 1024};
    options.replica = Name("r", i);
    options.threads = 1 + static_cast<int>(random_.Below(2));
    options.hash = random_.Below(4) == 0 ? HashKind::kFast : HashKind::kSha256;
    return RunSync(
        options, [] {}, [] {});
  }

  // A new version: unique, tagged, sometimes several chunks long.
  std::string Content(const std::string& tag) {
    std::string content = tag + "#" + std::to_string(counter_++) + "\n";
    std::size_t size = random_.Below(4) == 0 ? random_.Below(5000) : random_.Below(200);
    for (std::size_t i = 0; i < size; ++i) content.push_back(static_cast<char>('a' + random_.Below(26)));
    return content;
  }

  // One random change to replica i; returns nothing, the files say what happened.
  void Mutate(int i, const std::string& tag) {
    const fs::path& root = replicas_[i];
    std::vector<fs::path> files, dirs{root};
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      if (it.depth() == 0 && it->path().filename() == ".claimsync") {
        it.disable_recursion_pending();
        continue;
      }
      (it->is_directory() ? dirs : files).push_back(it->path());
    }
    auto pick = [&](const std::vector<fs::path>& from) { return from[random_.Below(from.size())]; };
    std::string name = Name("n", counter_++);
    switch (random_.Below(files.empty() ? 2 : 10)) {
      case 0:  // create a file
        WriteFile(pick(dirs) / (name + (random_.Below(2) ? ".txt" : "")), Content(tag));
        return;
      case 1:  // create a dir
        fs::create_directory(pick(dirs) / name);
        return;
      case 2:
      case 3: {  // edit in place, or save by rename as editors do
        fs::path file = pick(files);
        if (random_.Below(2) == 0) {
          WriteFile(file, Content(tag));
        } else {
          fs::path temp = file.parent_path() / (".save-" + name);
          WriteFile(temp, Content(tag));
          fs::rename(temp, file);
        }
        return;
      }
      case 4:  // delete a file
        fs::remove(pick(files));
        return;
      case 5: {  // rename or move a file
        fs::path to = pick(dirs) / name;
        fs::rename(pick(files), to);
        return;
      }
      case 6:
      case 7: {  // move or rename a dir (never into itself)
        if (dirs.size() < 2) return;
        fs::path dir = dirs[1 + random_.Below(dirs.size() - 1)];
        fs::path into = pick(dirs);
        std::string prefix = dir.string() + "/";
        if (into == dir || into.string().rfind(prefix, 0) == 0) into = root;
        fs::rename(dir, into / name);
        return;
      }
      case 8:  // delete a dir and everything in it
        if (dirs.size() >= 2) fs::remove_all(dirs[1 + random_.Below(dirs.size() - 1)]);
        return;
      default:  // append: a few chunks change, most stay
        WriteFile(files.front(), ReadFile(files.front()) + Content(tag));
        return;
    }
  }

  void Check(const std::string& when, const std::set<std::string>& must_keep) {
    std::map<std::string, std::string> first = FilesUnder(replicas_[0]);
    for (std::size_t i = 1; i < replicas_.size(); ++i) {
      ASSERT_EQ(FilesUnder(replicas_[i]), first) << when << ": replica " << i << " differs from replica 0";
    }
    fs::path out = dir_.path() / ("restore" + std::to_string(counter_++));
    RunRestore((dir_.path() / "store").string(), out.string(), [] {}, [] {});
    ASSERT_EQ(FilesUnder(out), first) << when << ": the store's tree differs from the replicas";
    std::set<std::string> contents;
    for (const auto& [path, content] : first) contents.insert(content);
    for (const std::string& content : must_keep) {
      ASSERT_TRUE(contents.count(content)) << when << ": lost a version: " << content.substr(0, 40);
    }
    ASSERT_TRUE(RunVerify((dir_.path() / "store").string()).problems.empty()) << when;
  }

  void Run(int rounds) {
    int n = static_cast<int>(replicas_.size());
    for (int k = 0; k < 12; ++k) Mutate(0, "init");
    for (int i = 0; i < n; ++i) Sync(i);
    for (int i = 0; i < n; ++i) Sync(i);
    Check("initial", {});
    for (int round = 0; round < rounds; ++round) {
      std::string tag = "round" + std::to_string(round);
      std::set<std::string> must_keep;  // what each replica wrote this round and still had when it synced
      std::vector<int> order;
      for (int i = 0; i < n; ++i) {
        std::string replica_tag = tag + "-r" + std::to_string(i);
        for (int k = 0, changes = 1 + static_cast<int>(random_.Below(5)); k < changes; ++k)
          Mutate(i, replica_tag);
        for (const auto& [path, content] : FilesUnder(replicas_[i])) {
          if (content.rfind(replica_tag + "#", 0) == 0) must_keep.insert(content);
        }
        order.push_back(i);
      }
      for (int i = n - 1; i > 0; --i) std::swap(order[i], order[random_.Below(i + 1)]);
      for (int i : order) Sync(i);
      SyncStats last;
      for (int i = 0; i < n; ++i) last = Sync(i);
      Check(tag, must_keep);
      if (::testing::Test::HasFatalFailure()) return;
      ASSERT_EQ(last.tree_hash, TreeHashOfFolder(replicas_.back().string()));
    }
  }

 private:
  claimbench::testing::TempDir dir_;
  SeededRandom random_;
  std::vector<fs::path> replicas_;
  int counter_ = 0;
};

class Convergence : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(Convergence, ReplicasConvergeAndNothingIsLost) {
  std::uint64_t seed = GetParam();
  World world(seed, 2 + static_cast<int>(seed % 2));
  world.Run(4);
}

INSTANTIATE_TEST_SUITE_P(Seeds, Convergence, ::testing::Range<std::uint64_t>(1, 41));

// The soak (tools/soak.sh): new seeds, more rounds, until CLAIMBENCH_SYNC_SOAK_SECONDS have passed.
// Skipped in the normal test run.
TEST(Soak, ConvergenceOverManySeeds) {
  const char* seconds = std::getenv("CLAIMBENCH_SYNC_SOAK_SECONDS");
  if (seconds == nullptr) GTEST_SKIP() << "set CLAIMBENCH_SYNC_SOAK_SECONDS (tools/soak.sh) to run the soak";
  const char* first = std::getenv("CLAIMBENCH_SYNC_SOAK_SEED");
  std::uint64_t seed = first == nullptr ? 1000 : std::strtoull(first, nullptr, 10);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoll(seconds));
  int worlds = 0;
  for (; std::chrono::steady_clock::now() < deadline; ++seed, ++worlds) {
    World world(seed, 2 + static_cast<int>(seed % 2));
    world.Run(10);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "soak failed at seed " << seed << "; rerun it with CLAIMBENCH_SYNC_SOAK_SEED=" << seed;
      return;
    }
  }
  std::printf("soak: %d worlds converged, seeds up to %llu\n", worlds,
              static_cast<unsigned long long>(seed - 1));
}

}  // namespace
}  // namespace claimbench::sync
