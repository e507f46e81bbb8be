// Failure tests note: the tests run as root in CI and in the dev container, and root ignores permission
// bits, so a read-only directory does not make a write fail there. The failure paths are forced instead
// in ways root cannot bypass: a directory where the file should go (rename fails with EISDIR), a regular
// file where a parent directory should be (ENOTDIR), and RLIMIT_FSIZE (write fails with EFBIG halfway
// through the content). The read-only-directory test runs only when not root.
#include "claimbench/atomic_file.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "claimbench/error.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::set<std::string> Entries(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.insert(entry.path().filename().string());
  return names;
}

// The SetupError message of WriteFileAtomically(path, content); fails the test if it does not throw.
std::string WriteError(const fs::path& path, std::string_view content) {
  try {
    WriteFileAtomically(path, content);
  } catch (const SetupError& e) {
    return e.what();
  }
  ADD_FAILURE() << "writing " << path << " succeeded";
  return "";
}

TEST(AtomicFileTest, WritesExactBytes) {
  testing::TempDir dir;
  const std::string content("line 1\nbinary \0 byte\n", 21);
  WriteFileAtomically(dir.path() / "out.json", content);
  EXPECT_EQ(ReadAll(dir.path() / "out.json"), content);
  EXPECT_EQ(Entries(dir.path()), std::set<std::string>{"out.json"}) << "no temporary file remains";
}

TEST(AtomicFileTest, WritesEmptyContent) {
  testing::TempDir dir;
  WriteFileAtomically(dir.path() / "empty", "");
  EXPECT_TRUE(fs::exists(dir.path() / "empty"));
  EXPECT_EQ(fs::file_size(dir.path() / "empty"), 0u);
}

TEST(AtomicFileTest, CreatesParentDirectories) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "a" / "b" / "c.json";
  WriteFileAtomically(path, "{}");
  EXPECT_EQ(ReadAll(path), "{}");
}

TEST(AtomicFileTest, OverwritesAnExistingFile) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "out.json";
  WriteFileAtomically(path, "old content that is longer than the new one");
  WriteFileAtomically(path, "new");
  EXPECT_EQ(ReadAll(path), "new");
  EXPECT_EQ(Entries(dir.path()), std::set<std::string>{"out.json"});
}

TEST(AtomicFileTest, RelativePathWithoutDirectoryUsesTheWorkingDirectory) {
  testing::TempDir dir;
  const fs::path previous = fs::current_path();
  fs::current_path(dir.path());
  WriteFileAtomically("plain.txt", "x");
  fs::current_path(previous);
  EXPECT_EQ(ReadAll(dir.path() / "plain.txt"), "x");
}

TEST(AtomicFileTest, DirectoryInTheWayFailsAndLeavesNoTemporaryFile) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "out.json";
  fs::create_directory(path);
  fs::create_directory(path / "inside");  // a non-empty directory cannot be replaced by rename(2) either
  const std::string message = WriteError(path, "content");
  EXPECT_THAT(message, StartsWith("cannot write " + path.string() + ": "));
  EXPECT_THAT(message, HasSubstr("a directory is in the way"));
  EXPECT_EQ(message.find('\n'), std::string::npos) << "one line";
  EXPECT_TRUE(fs::is_directory(path / "inside"));
  EXPECT_EQ(Entries(dir.path()), std::set<std::string>{"out.json"});
}

TEST(AtomicFileTest, ParentThatIsARegularFileFails) {
  testing::TempDir dir;
  WriteFileAtomically(dir.path() / "file", "keep me");
  const std::string message = WriteError(dir.path() / "file" / "out.json", "content");
  EXPECT_THAT(message, StartsWith("cannot write " + (dir.path() / "file" / "out.json").string()));
  EXPECT_EQ(ReadAll(dir.path() / "file"), "keep me");
}

TEST(AtomicFileTest, PathWithoutFileNameFails) {
  testing::TempDir dir;
  EXPECT_THAT(WriteError(dir.path().string() + "/", "x"), HasSubstr("names a directory, not a file"));
}

// Lowers the file size limit for the scope of a test and ignores SIGXFSZ, so that writing past the
// limit fails with EFBIG instead of killing the test; restores both on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    EXPECT_EQ(::getrlimit(RLIMIT_FSIZE, &saved_limit_), 0);
    saved_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limited = saved_limit_;
    limited.rlim_cur = bytes;
    EXPECT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_limit_);
    ::signal(SIGXFSZ, saved_handler_);
  }

 private:
  struct rlimit saved_limit_ {};
  sighandler_t saved_handler_ = SIG_DFL;
};

TEST(AtomicFileTest, FailedWriteKeepsTheOldFileAndRemovesTheTemporary) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "result.json";
  WriteFileAtomically(path, "the old, complete result");
  const std::string big(1 << 20, 'x');
  std::string message;
  {
    FileSizeLimit limit(4096);  // the write fails after 4 KiB of the 1 MiB
    message = WriteError(path, big);
  }
  EXPECT_THAT(message, StartsWith("cannot write " + path.string() + ": writing: File too large"));
  EXPECT_THAT(message, HasSubstr("ulimit -f"));
  EXPECT_EQ(ReadAll(path), "the old, complete result");
  EXPECT_EQ(Entries(dir.path()), std::set<std::string>{"result.json"});
}

TEST(AtomicFileTest, ReadOnlyDirectoryFailsWhenNotRoot) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root ignores permission bits; the failure paths are covered by the EISDIR, ENOTDIR "
                    "and RLIMIT_FSIZE tests";
  }
  testing::TempDir dir;
  const fs::path path = dir.path() / "ro" / "result.json";
  WriteFileAtomically(path, "old");
  fs::permissions(dir.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec);
  const std::string message = WriteError(path, "new");
  fs::permissions(dir.path() / "ro", fs::perms::owner_all);
  EXPECT_THAT(message, HasSubstr("check the permissions"));
  EXPECT_EQ(ReadAll(path), "old");
  EXPECT_EQ(Entries(dir.path() / "ro"), std::set<std::string>{"result.json"});
}

TEST(AtomicFileTest, ConcurrentWritersNeverInterleave) {
  testing::TempDir dir;
  const fs::path path = dir.path() / "shared.json";
  constexpr int kWriters = 4;
  constexpr int kWritesEach = 20;
  std::vector<std::string> contents;
  for (int w = 0; w < kWriters; ++w) contents.push_back(std::string(64 * 1024, static_cast<char>('a' + w)));
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kWritesEach; ++i) WriteFileAtomically(path, contents[w]);
    });
  }
  for (std::thread& t : threads) t.join();
  const std::string final_content = ReadAll(path);
  EXPECT_THAT(contents, ::testing::Contains(final_content)) << "the file is one writer's complete content";
  EXPECT_EQ(Entries(dir.path()), std::set<std::string>{"shared.json"});
}

}  // namespace
}  // namespace claimbench
