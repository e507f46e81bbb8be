// The wake-up side of InstallInterruptHandler() (private to the process runner).
#pragma once

namespace claimbench::process_internal {

// An eventfd that becomes readable, and stays readable, once SIGINT or SIGTERM has arrived; -1 before
// InstallInterruptHandler(). Waiters poll it next to their own fds and must not read it. Thread-safe.
int InterruptWakeFd();

}  // namespace claimbench::process_internal
