#include "claimbench/result.h"

#include <stdexcept>

namespace claimbench {

const char* ToString(RunStatus status) {
  switch (status) {
    case RunStatus::kOk: return "ok";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kInvalid: return "invalid";
    case RunStatus::kUnavailable: return "unavailable";
    case RunStatus::kInterrupted: return "interrupted";
  }
  return "unknown";
}

RunStatus RunStatusFromString(const std::string& name) {
  for (RunStatus s : {RunStatus::kOk, RunStatus::kFailed, RunStatus::kInvalid, RunStatus::kUnavailable,
                      RunStatus::kInterrupted}) {
    if (name == ToString(s)) return s;
  }
  throw std::invalid_argument("unknown run status '" + name + "'");
}

}  // namespace claimbench
