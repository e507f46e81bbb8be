// The `strictness` case: SPEC.md's strict-parsing table (request smuggling, framing, limits) sent to every
// implementation, one row per request, and what each answered recorded in its result's `conformance`.
//
// Design: the rows, the requests and the rule that judges an answer live in one place,
// tools/strictness_table.py, which the README's table came from; this case runs it with --probe against the
// proxy the harness started, with the tool's recording origin (it counts the request heads that reach it) as
// the proxy's only upstream, and copies its answers into the result. The harness owns the proxy's life
// (start, `ready`, stop, its version in `build`); the tool owns the judging.
#pragma once

#include <filesystem>
#include <memory>

#include "claimbench/workload.h"

namespace claimbench::http_proxy_workload {

// The metrics the case records besides the process's: strictness_rows and strictness_agreeing_rows (count).
std::vector<MetricDescriptor> StrictnessMetricDescriptors();

// The prepared case. `tool` is tools/strictness_table.py, run with `paths.python`. Not thread-safe (the
// runner calls it from one thread).
std::unique_ptr<PreparedCase> PrepareStrictnessCase(const ProjectPaths& paths, std::filesystem::path tool);

// Reads the tool's --json output (a JSON array of {check, expected, in_body, status, forwarded, agrees}) into
// `measurement`: its conformance and the two counts. Invalid, naming the file and the field, when the file is
// missing or not that shape. Thread-safe (reads only `path`).
Verdict ReadStrictnessAnswers(const std::filesystem::path& path, ServiceMeasurement& measurement);

}  // namespace claimbench::http_proxy_workload
