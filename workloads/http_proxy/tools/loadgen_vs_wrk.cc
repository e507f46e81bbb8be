// loadgen_vs_wrk: the claimbench load generator and wrk side by side against the same origin, one thread
// each on the same CPU, closed loop with the same connections. Prints each one's requests per second and
// requests per CPU-second (the per-core figure: it holds whether or not the generator saturated its
// core), and their ratio. A benchmark for people, not a test: the issue asks that our generator sustain at
// least wrk's rate per core, so that it is never the bottleneck it measures.
//
//   loadgen_vs_wrk [--seconds S] [--connections N] [--bytes B] [--target HOST:PORT]
//
// Without --target it starts the http_origin this build made, on the other half of the CPUs.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/loadgen.h"
#include "claimbench/loadgen_http.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"
#include "cpu_pinning.h"
#include "origin_fleet.h"

namespace {

using claimbench::http_proxy_workload::CpuPlan;

struct Figures {
  double requests_per_s = 0;
  double cpu_s = 0;
  double per_cpu_s() const { return cpu_s > 0 ? requests_per_s * seconds / cpu_s : 0; }
  double seconds = 0;
};

double SelfCpuSeconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

Figures RunWrk(uint16_t port, int seconds, int connections, size_t bytes, const CpuPlan& cpus,
               const std::filesystem::path& scratch) {
  claimbench::ProcessSpec spec;
  spec.argv = {"wrk", "-t1", fmt::format("-c{}", connections), fmt::format("-d{}s", seconds),
               fmt::format("http://127.0.0.1:{}/r/1?size={}", port, bytes)};
  spec.stdout_path = scratch / "wrk.stdout";
  spec.stderr_path = scratch / "wrk.stderr";
  spec.cpu_affinity = cpus.proxy;  // the generator's CPU; the origin has the other half
  spec.use_cgroup = false;
  claimbench::ProcessResult result = claimbench::RunToCompletion(spec);
  if (!result.ok()) throw claimbench::SetupError("wrk failed: " + result.error + "; is it installed (Debian package wrk)?");
  std::ifstream in(spec.stdout_path);
  std::string line;
  Figures figures;
  figures.seconds = seconds;
  while (std::getline(in, line)) {
    if (line.rfind("Requests/sec:", 0) == 0) figures.requests_per_s = std::strtod(line.c_str() + 13, nullptr);
  }
  figures.cpu_s = static_cast<double>(result.user_cpu_ns + result.sys_cpu_ns) / 1e9;
  return figures;
}

Figures RunOurs(uint16_t port, int seconds, int connections, size_t bytes, const CpuPlan& cpus) {
  claimbench::loadgen::LoadSpec load;
  load.port = port;
  load.connections = connections;
  load.threads = 1;
  load.warmup_ns = 0;
  load.duration_ns = int64_t{seconds} * 1'000'000'000;
  claimbench::loadgen::HttpRequestShape shape;
  shape.response_bytes = bytes;
  load.make_protocol = claimbench::loadgen::MakeHttpProtocolFactory(shape);
  claimbench::http_proxy_workload::ScopedThreadAffinity pin(cpus.proxy);
  double cpu_before = SelfCpuSeconds();
  claimbench::loadgen::LoadResult result = claimbench::loadgen::RunClosedLoop(load);
  Figures figures;
  figures.seconds = static_cast<double>(result.measured_ns) / 1e9;
  figures.cpu_s = SelfCpuSeconds() - cpu_before;
  figures.requests_per_s = result.achieved_rate_per_s;
  if (result.invalid_responses + result.errors > 0) {
    std::fprintf(stderr, "warning: %lld invalid responses and %lld errors\n",
                 static_cast<long long>(result.invalid_responses), static_cast<long long>(result.errors));
  }
  return figures;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 5, connections = 32;
  size_t bytes = 1024;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    if (flag == "--seconds") seconds = std::atoi(argv[i + 1]);
    else if (flag == "--connections") connections = std::atoi(argv[i + 1]);
    else if (flag == "--bytes") bytes = static_cast<size_t>(std::atol(argv[i + 1]));
    else {
      std::fprintf(stderr, "usage: loadgen_vs_wrk [--seconds S] [--connections N] [--bytes B]\n");
      return 2;
    }
  }
  try {
    CpuPlan cpus = claimbench::http_proxy_workload::PlanCpus();
    std::filesystem::path scratch = std::filesystem::temp_directory_path() / fmt::format("loadgen_vs_wrk.{}", ::getpid());
    std::filesystem::create_directories(scratch);
    claimbench::http_proxy_workload::OriginFleet origin;
    claimbench::http_proxy_workload::OriginConfig config;
    config.cpus = cpus.load;
    uint16_t port = origin.Ensure(config, scratch).front();
    std::printf("origin on CPUs of the load half; generators on CPUs of the other half (%s)\n", cpus.note.c_str());
    Figures wrk = RunWrk(port, seconds, connections, bytes, cpus, scratch);
    Figures ours = RunOurs(port, seconds, connections, bytes, cpus);
    std::printf("%-10s %14s %10s %18s\n", "generator", "requests/s", "CPU s", "requests/CPU-s");
    std::printf("%-10s %14.0f %10.2f %18.0f\n", "wrk", wrk.requests_per_s, wrk.cpu_s, wrk.per_cpu_s());
    std::printf("%-10s %14.0f %10.2f %18.0f\n", "claimbench", ours.requests_per_s, ours.cpu_s, ours.per_cpu_s());
    std::printf("ratio claimbench/wrk: %.2f (requests/s), %.2f (requests per CPU-second)\n",
                ours.requests_per_s / wrk.requests_per_s, ours.per_cpu_s() / wrk.per_cpu_s());
    origin.Stop();
    std::filesystem::remove_all(scratch);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "loadgen_vs_wrk: %s\n", error.what());
    return 2;
  }
  return 0;
}
