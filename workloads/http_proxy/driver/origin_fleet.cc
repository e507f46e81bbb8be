#include "origin_fleet.h"

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/service_measurement.h"

namespace claimbench::http_proxy_workload {
namespace {

constexpr std::chrono::seconds kReadyTimeout{10};
constexpr std::chrono::milliseconds kStopGrace{2000};

}  // namespace

std::filesystem::path OriginExecutable() { return CLAIMBENCH_HTTP_ORIGIN; }

const std::vector<uint16_t>& OriginFleet::Ensure(const OriginConfig& config, const std::filesystem::path& log_dir) {
  bool all_running = config == config_ && origins_.size() == static_cast<size_t>(config.hosts);
  for (ChildProcess& origin : origins_) all_running = all_running && origin.Running();
  if (all_running) return ports_;
  Stop();
  config_ = config;
  for (int i = 0; i < config.hosts; ++i) {
    uint16_t port = FreeLoopbackPort();
    ProcessSpec spec;
    spec.argv = {OriginExecutable().string(), "serve", "--listen", fmt::format("127.0.0.1:{}", port), "--threads",
                 std::to_string(config.threads)};
    spec.argv.insert(spec.argv.end(), config.latency_args.begin(), config.latency_args.end());
    spec.stdout_path = log_dir / fmt::format("origin-{}.stdout", i);
    spec.stderr_path = log_dir / fmt::format("origin-{}.stderr", i);
    spec.rss_sample_interval = std::chrono::nanoseconds(0);
    spec.use_cgroup = false;
    spec.cpu_affinity = config.cpus;
    ChildProcess origin = ChildProcess::Spawn(spec);
    if (!origin.WaitForMark("ready", kReadyTimeout)) {
      throw SetupError(fmt::format("the origin server did not start (see {}); rebuild with ./claimbench build",
                                   spec.stderr_path.string()));
    }
    origins_.push_back(std::move(origin));
    ports_.push_back(port);
  }
  return ports_;
}

void OriginFleet::Stop() {
  for (ChildProcess& origin : origins_) {
    origin.Terminate(kStopGrace);
    origin.Wait();
  }
  origins_.clear();
  ports_.clear();
  config_ = {};
}

}  // namespace claimbench::http_proxy_workload
