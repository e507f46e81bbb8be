// `sync_engine serve ...` (SPEC.md, Service mode): the read-states service's command line.
#pragma once

#include <string>
#include <vector>

namespace claimbench::sync_service {

// Runs the service with `args` (those after `serve`) until SIGINT or SIGTERM. Returns the exit status:
// 0 after a clean stop (every dirty entry written back), 2 with one line `sync_engine: error: ...` on
// stderr for bad arguments or an address that cannot be listened on, 1 for a failure while serving.
int ServeMain(const std::vector<std::string>& args);

}  // namespace claimbench::sync_service
