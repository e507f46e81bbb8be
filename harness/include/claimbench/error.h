// Error kinds. Bugs abort with file and line (assertions). Expected failures during a run (a crashed
// implementation, a refused connection, a timeout) are counted and recorded in the result, never thrown.
// Set-up failures (bad flags, a missing file, an unknown workload) throw SetupError; `main` prints its
// one-line message, which says what to do next, and exits with kExitSetupError.
#pragma once

#include <stdexcept>
#include <string>

namespace claimbench {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;     // a test or a regression gate failed
inline constexpr int kExitSetupError = 2;  // usage or set-up error: nothing was measured
inline constexpr int kExitInterrupted = 130;

class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace claimbench
