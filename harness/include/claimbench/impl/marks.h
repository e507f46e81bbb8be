// The implementation side of the mark protocol (docs/implementation_protocol.md), for C++ implementations.
//
// The harness passes a pipe's write end in CLAIMBENCH_MARK_FD; an implementation writes "ready\n" when its
// start-up is over (inputs loaded, or a server listening) and "done\n" when the timed work is finished.
// The harness timestamps each line on arrival, so implementations never time themselves. Header-only and
// dependency-free so that reference implementations need not link the harness.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>

namespace claimbench::impl {

// Writes `name` and a newline to the mark pipe, if the harness gave one; otherwise does nothing.
// Thread-safe (one write(2) per mark, under PIPE_BUF). Errors are ignored: a mark is advisory, and an
// implementation run by hand has no pipe.
inline void Mark(std::string_view name) {
  static const int fd = [] {
    const char* value = std::getenv("CLAIMBENCH_MARK_FD");
    return value == nullptr ? -1 : std::atoi(value);
  }();
  if (fd < 0) return;
  std::string line(name);
  line.push_back('\n');
  while (::write(fd, line.data(), line.size()) < 0 && errno == EINTR) {
  }
}

}  // namespace claimbench::impl
