#include "crash_hook.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>

namespace claimbench::sync {

void CrashPoint() {
  static const long long limit = [] {
    const char* value = std::getenv("CLAIMBENCH_SYNC_CRASH_AFTER");
    return value == nullptr ? 0LL : std::atoll(value);
  }();
  static std::atomic<long long> count{0};
  if (limit <= 0) return;
  if (count.fetch_add(1, std::memory_order_relaxed) + 1 == limit) ::_exit(kCrashExitStatus);
}

}  // namespace claimbench::sync
