// The implementation side of the mark protocol (docs/implementation_protocol.md), for C++ implementations.
//
// The harness passes a pipe's write end in CLAIMBENCH_MARK_FD; an implementation writes "ready <ns>\n" when
// its start-up is over (inputs loaded, or a server listening) and "done <ns>\n" when the timed work is
// finished, <ns> being CLOCK_MONOTONIC. The harness checks each time against the line's arrival. Header-only and
// dependency-free so that reference implementations need not link the harness.
#pragma once

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>

namespace claimbench::impl {

// Writes `name`, the CLOCK_MONOTONIC time in ns and a newline to the mark pipe, if the harness gave one;
// otherwise does nothing. The time makes the mark exact rather than delayed by the pipe.
// Thread-safe (one write(2) per mark, under PIPE_BUF). Errors are ignored: a mark is advisory, and an
// implementation run by hand has no pipe.
inline void Mark(std::string_view name) {
  static const int fd = [] {
    const char* value = std::getenv("CLAIMBENCH_MARK_FD");
    return value == nullptr ? -1 : std::atoi(value);
  }();
  if (fd < 0) return;
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  std::string line(name);
  line += ' ';
  line += std::to_string(static_cast<long long>(now.tv_sec) * 1'000'000'000LL + now.tv_nsec);
  line.push_back('\n');
  while (::write(fd, line.data(), line.size()) < 0 && errno == EINTR) {
  }
}

}  // namespace claimbench::impl
