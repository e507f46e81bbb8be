// A test hook for the crash tests (README.md, Tests): with CLAIMBENCH_SYNC_CRASH_AFTER=N in the
// environment the process calls _exit(86) at its N-th write point (store or local write, counted from 1),
// as if it had been killed there. Unset or 0: never. Costs one relaxed atomic increment per write point.
#pragma once

namespace claimbench::sync {

inline constexpr int kCrashExitStatus = 86;

// Counts one write point; exits when it is the configured one.
void CrashPoint();

}  // namespace claimbench::sync
