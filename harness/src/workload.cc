#include "claimbench/workload.h"

#include <algorithm>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench {

const Implementation& WorkloadContext::Reference() const {
  auto found = std::find_if(implementations.begin(), implementations.end(),
                            [](const Implementation& impl) { return impl.role == "reference"; });
  if (found == implementations.end()) {
    throw SetupError(fmt::format("{} has no reference implementation (impls/*/impl.toml with role = \"reference\")",
                                 dir.string()));
  }
  return *found;
}

const Implementation* WorkloadContext::Find(std::string_view name) const {
  auto found = std::find_if(implementations.begin(), implementations.end(),
                            [&](const Implementation& impl) { return impl.name == name; });
  return found == implementations.end() ? nullptr : &*found;
}

Verdict PreparedCase::BeforeRepetition(const CaseSpec&, const RunContext&) { return Verdict::Ok(); }

Verdict PreparedCase::Verify(const CaseSpec&, const RunContext&, std::map<std::string, double>&) {
  return Verdict::Invalid("this case has no batch repetitions to verify (a workload bug)");
}

Verdict PreparedCase::Drive(const CaseSpec&, const RunContext&, ChildProcess&, ServiceMeasurement&) {
  return Verdict::Invalid("this case has no service to drive (a workload bug)");
}

}  // namespace claimbench
