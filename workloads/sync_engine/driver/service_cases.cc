// Placeholder until the service side is merged (sync-service's branch replaces this file): no service
// cases, so the batch driver builds and runs on its own.
#include "service_cases.h"

namespace claimbench::sync_engine_workload {

std::vector<CaseSpec> ServiceCases(std::string_view profile) {
  (void)profile;
  return {};
}

bool IsServiceCase(const CaseSpec& spec) {
  (void)spec;
  return false;
}

std::vector<std::string> ServiceArguments(const CaseSpec& spec, const RunContext& context) {
  (void)spec;
  (void)context;
  return {};
}

Verdict DriveService(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                     ServiceMeasurement& measurement) {
  (void)spec;
  (void)context;
  (void)process;
  (void)measurement;
  return Verdict::Invalid("the service cases are not built into this harness");
}

}  // namespace claimbench::sync_engine_workload
