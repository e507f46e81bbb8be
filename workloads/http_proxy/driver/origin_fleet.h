// The origin servers behind the proxy under test: started by the driver, one set per case.
//
// Design: the harness starts one implementation per repetition, but the origin must be the same for every
// implementation of a case, so the prepared case owns it: a fleet of http_origin processes (one per
// upstream host the case asks for) started when the case is prepared, restarted before a repetition if one
// died, and stopped when the case ends. The origins are pinned to the CPUs the load generator uses, away
// from the proxy (see cpu_pinning.h).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "claimbench/process.h"

namespace claimbench::http_proxy_workload {

struct OriginConfig {
  int hosts = 1;                  // separate origin processes, each on its own port
  int threads = 1;                // per origin
  std::vector<std::string> latency_args;  // e.g. {"--pareto", "100:1.5:200000"} or {"--stall-at-ms", ...}
  std::vector<int> cpus;          // affinity; empty = inherit

  bool operator==(const OriginConfig&) const = default;
};

class OriginFleet {
 public:
  // Makes sure origins with `config` are running (restarting any that died) and returns their ports.
  // Output goes to log_dir/origin-<i>.stdout and .stderr. Throws SetupError when an origin cannot start or never says ready
  // (the message names the log).
  const std::vector<uint16_t>& Ensure(const OriginConfig& config, const std::filesystem::path& log_dir);

  void Stop();  // terminates every origin; also done by the destructor (ChildProcess's)

 private:
  OriginConfig config_;
  std::vector<ChildProcess> origins_;
  std::vector<uint16_t> ports_;
};

// The origin executable this build made (the driver and the tests use the same one).
std::filesystem::path OriginExecutable();

}  // namespace claimbench::http_proxy_workload
