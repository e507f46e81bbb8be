// The read-states service cases of sync_engine (SPEC.md, Service mode): the cases, their arguments, and
// the load that drives and verifies the service. The batch cases' Workload delegates every case that
// IsServiceCase() to these functions, so the service side can grow without touching the batch side.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/process.h"
#include "claimbench/workload.h"

namespace claimbench::sync_engine_workload {

// The service cases of `profile` (quick, standard, full); empty when there are none.
std::vector<CaseSpec> ServiceCases(std::string_view profile);

bool IsServiceCase(const CaseSpec& spec);

// Checks every parameter of a service case (throws SetupError naming it), then prepares it: the service
// case keeps no state of its own, its PreparedCase builds the arguments and drives with the functions below.
void ValidateServiceCase(const CaseSpec& spec);
std::unique_ptr<PreparedCase> PrepareServiceCase(const CaseSpec& spec);

// SPEC arguments after the implementation's command: `serve --listen 127.0.0.1:PORT --entries N ...`.
std::vector<std::string> ServiceArguments(const CaseSpec& spec, const RunContext& context);

// Drives the ready service at the case's rate, verifying every answer; fills per-second latency and
// the metrics the case reports.
Verdict DriveService(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                     ServiceMeasurement& measurement);

}  // namespace claimbench::sync_engine_workload
