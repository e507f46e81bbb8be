#include "claimbench/result.h"

#include <cmath>
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

std::vector<double> CountedValues(const std::vector<Sample>& samples, const std::string& metric) {
  std::vector<double> values;
  for (const Sample& sample : samples) {
    if (!CountsInStatistics(sample)) continue;
    if (auto it = sample.metrics.find(metric); it != sample.metrics.end() && std::isfinite(it->second)) {
      values.push_back(it->second);
    }
  }
  return values;
}

}  // namespace claimbench
