#include "claimbench/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/unique_fd.h"

namespace claimbench {
namespace {

// Unlinks the temporary file unless Release() was called (after the rename consumed it).
class TempFileGuard {
 public:
  explicit TempFileGuard(std::string path) : path_(std::move(path)) {}
  TempFileGuard(const TempFileGuard&) = delete;
  TempFileGuard& operator=(const TempFileGuard&) = delete;
  ~TempFileGuard() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  void Release() noexcept { path_.clear(); }

 private:
  std::string path_;
};

// What the user should do about `error`, as the tail of a one-line message.
const char* Advice(int error) {
  switch (error) {
    case EACCES:
    case EPERM: return "check the permissions of the directory and the file";
    case EROFS: return "the filesystem is read-only; choose another output path";
    case ENOSPC:
    case EDQUOT: return "free some disk space (or quota) and run again";
    case EISDIR: return "a directory is in the way; remove it or choose another output path";
    case ENOTDIR:
    case EEXIST: return "a part of the path is a regular file, not a directory; choose another output path";
    case ENAMETOOLONG: return "choose a shorter output path";
    case EFBIG: return "the file size limit (ulimit -f) is too low; raise it";
    default: return "check the permissions of the directory and the free disk space";
  }
}

[[noreturn]] void Fail(const std::filesystem::path& path, std::string_view step, int error) {
  throw SetupError(fmt::format("cannot write {}: {}: {}; {}", path.string(), step, std::strerror(error),
                               Advice(error)));
}

// Writes all of `content`, retrying short writes and EINTR. Returns 0 or the errno of the failure.
int WriteAll(int fd, std::string_view content) {
  while (!content.empty()) {
    ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    content.remove_prefix(static_cast<size_t>(written));
  }
  return 0;
}

// A name unique within this process; O_EXCL catches clashes with other processes or stale files.
std::string TempFileName(const std::string& target_name) {
  static std::atomic<uint64_t> counter{0};
  // Keep the temp name within NAME_MAX (255) even for long target names.
  constexpr size_t kMaxStemChars = 200;
  return fmt::format(".{}.{}.{}.tmp", target_name.substr(0, kMaxStemChars), ::getpid(),
                     counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace

void WriteFileAtomically(const std::filesystem::path& path, std::string_view content) {
  const std::string target_name = path.filename().string();
  if (target_name.empty() || target_name == "." || target_name == "..") {
    throw SetupError(fmt::format("cannot write {}: the path names a directory, not a file; add a file name",
                                 path.string()));
  }
  const std::filesystem::path directory =
      path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");

  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) Fail(path, fmt::format("creating directory {}", directory.string()), ec.value());

  // Retry only on a name clash (a stale temp file from a killed process with the same pid).
  constexpr int kMaxAttempts = 100;
  std::string temp_path;
  int fd = -1;
  for (int attempt = 0; attempt < kMaxAttempts && fd < 0; ++attempt) {
    temp_path = (directory / TempFileName(target_name)).string();
    fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) Fail(path, "creating a temporary file", errno);
  }
  if (fd < 0) {
    throw SetupError(fmt::format(
        "cannot write {}: no unused temporary file name after {} attempts; "
        "remove stale .{}.*.tmp files in {}",
        path.string(), kMaxAttempts, target_name, directory.string()));
  }
  UniqueFd temp_fd(fd);
  TempFileGuard temp_guard(temp_path);

  if (int error = WriteAll(temp_fd.get(), content); error != 0) Fail(path, "writing", error);
  if (::fsync(temp_fd.get()) != 0) Fail(path, "flushing to disk", errno);
  if (temp_fd.Close() != 0) Fail(path, "closing", errno);
  if (::rename(temp_path.c_str(), path.c_str()) != 0) Fail(path, "replacing the file", errno);
  temp_guard.Release();

  // Make the rename durable. Some filesystems cannot fsync a directory (EINVAL); nothing more can be
  // done there, so that case is not an error.
  UniqueFd dir_fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0) Fail(path, "opening its directory to flush it", errno);
  if (::fsync(dir_fd.get()) != 0 && errno != EINVAL) Fail(path, "flushing its directory", errno);
}

}  // namespace claimbench
