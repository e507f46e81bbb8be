// A move-only owner of one POSIX file descriptor.
#pragma once

#include <unistd.h>

#include <utility>

namespace claimbench {

// Closes the descriptor on destruction; close errors there are ignored, so call Close() where the
// result matters (a written file's close can report a deferred write error, e.g. on NFS).
// -1 means empty. Not thread-safe; one owner at a time.
class UniqueFd {
 public:
  UniqueFd() noexcept = default;
  explicit UniqueFd(int fd) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // Closes the current fd, if any, and takes ownership of `fd`.
  void Reset(int fd = -1) noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Gives up ownership without closing.
  int Release() noexcept { return std::exchange(fd_, -1); }
  // Closes now and returns close(2)'s result (0, or -1 with errno set); 0 if nothing was open.
  int Close() noexcept {
    if (fd_ < 0) return 0;
    return ::close(std::exchange(fd_, -1));
  }

 private:
  int fd_ = -1;
};

}  // namespace claimbench
