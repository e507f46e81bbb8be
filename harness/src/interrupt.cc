// SIGINT/SIGTERM handling. The handler may only touch lock-free atomics and make async-signal-safe calls,
// so it sets a flag and bumps an eventfd that is never drained: every waiter, in any thread, sees it as
// readable from then on, and nobody can consume another waiter's wake-up.
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>

#include "claimbench/error.h"
#include "claimbench/process.h"
#include "interrupt_internal.h"

namespace claimbench {
namespace {

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_wake_fd{-1};
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

void OnInterrupt(int sig) {
  int saved_errno = errno;
  if (g_interrupted.exchange(true)) {
    // Second signal: the user means it. The signal is blocked while we run, so it lands on return.
    ::signal(sig, SIG_DFL);
    ::raise(sig);
  }
  int fd = g_wake_fd.load();
  if (fd >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t written = ::write(fd, &one, sizeof one);
  }
  errno = saved_errno;
}

}  // namespace

void InstallInterruptHandler() {
  static std::mutex mutex;
  static bool installed = false;
  std::lock_guard lock(mutex);
  if (installed) return;
  if (g_wake_fd.load() < 0) {
    int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) {
      throw SetupError(std::string("cannot install the interrupt handler: eventfd: ") + std::strerror(errno));
    }
    g_wake_fd.store(fd);  // kept for the life of the process
  }
  struct sigaction action = {};
  action.sa_handler = OnInterrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM}) {
    if (::sigaction(sig, &action, nullptr) != 0) {
      throw SetupError(std::string("cannot install the interrupt handler: sigaction: ") +
                       std::strerror(errno));
    }
  }
  installed = true;
}

bool Interrupted() { return g_interrupted.load(); }

namespace process_internal {
int InterruptWakeFd() { return g_wake_fd.load(); }
}  // namespace process_internal

}  // namespace claimbench
