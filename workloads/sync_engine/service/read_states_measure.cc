// read_states_measure: runs the read_states service case once, outside the suite runner, the way the
// runner does (spawn, wait for `ready`, DriveService, SIGTERM), and prints its metrics and per-second
// series. For measuring the service before the case is registered; not part of `./claimbench run`.
//
//   read_states_measure SERVE_BINARY [quick|standard|full] [PARAM=VALUE ...]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "claimbench/error.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"
#include "service_cases.h"

namespace cb = claimbench;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: read_states_measure SERVE_BINARY [quick|standard|full] [PARAM=VALUE ...]\n");
    return 2;
  }
  try {
    cb::InstallInterruptHandler();
    const std::string profile =
        argc > 2 && std::string(argv[2]).find('=') == std::string::npos ? argv[2] : "quick";
    cb::CaseSpec spec = cb::sync_engine_workload::ServiceCases(profile).at(0);
    for (int i = 2; i < argc; ++i) {
      std::string arg = argv[i];
      size_t eq = arg.find('=');
      if (eq != std::string::npos) spec.parameters[arg.substr(0, eq)] = arg.substr(eq + 1);
    }
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / fmt::format("read_states_measure.{}", getpid());
    std::filesystem::create_directories(dir);
    cb::RunContext context;
    context.port = cb::FreeLoopbackPort();
    context.seed = 1;
    context.scratch_dir = dir;
    cb::ProcessSpec process;
    process.argv = {argv[1]};
    for (const std::string& a : cb::sync_engine_workload::ServiceArguments(spec, context))
      process.argv.push_back(a);
    process.working_dir = dir;
    process.stdout_path = dir / "stdout";
    process.stderr_path = dir / "stderr";
    process.timeout = spec.timeout;
    process.rss_sample_interval = std::chrono::milliseconds(100);
    std::fprintf(stderr, "%s\n", fmt::format("{}", fmt::join(process.argv, " ")).c_str());
    cb::ChildProcess child = cb::ChildProcess::Spawn(process);
    auto ready = child.WaitForMark("ready", std::chrono::seconds(120));
    if (!ready) {
      std::fprintf(stderr, "no ready mark\n");
      return 1;
    }
    std::printf("startup_s %.2f\n", static_cast<double>(ready->count()) / 1e9);
    cb::ServiceMeasurement measurement;
    cb::Verdict verdict = cb::sync_engine_workload::DriveService(spec, context, child, measurement);
    child.Terminate(std::chrono::seconds(30));
    cb::ProcessResult result = child.Wait();
    std::printf("verdict %s %s\nexit %s\n", verdict.ok ? "ok" : "INVALID", verdict.error.c_str(),
                result.ok() ? "ok" : result.error.c_str());
    for (const auto& [name, value] : measurement.metrics) std::printf("%s %.6g\n", name.c_str(), value);
    std::printf("peak_rss_bytes(runner) %lld\n", static_cast<long long>(result.peak_rss_bytes));
    std::printf("second completed p50_us p99_us p999_us max_us\n");
    for (const cb::TimePoint& point : measurement.timeline) {
      auto v = [&](const char* name) { return point.values.count(name) ? point.values.at(name) : 0.0; };
      std::printf("%lld %.0f %.1f %.1f %.1f %.1f\n", static_cast<long long>(point.t_ns / 1'000'000'000),
                  v("completed"), v("p50_ns") / 1e3, v("p99_ns") / 1e3, v("p99.9_ns") / 1e3,
                  v("max_ns") / 1e3);
    }
    std::printf("rss_timeline (s, MB) every ~5 s:");
    int64_t last = -5'000'000'000;
    for (const cb::RssPoint& point : result.rss_timeline) {
      if (point.t_ns - last < 5'000'000'000) continue;
      last = point.t_ns;
      std::printf(" %.0f:%.1f", static_cast<double>(point.t_ns) / 1e9,
                  static_cast<double>(point.rss_bytes) / 1e6);
    }
    std::printf("\nservice stdout: ");
    std::fflush(stdout);
    std::system(fmt::format("cat {}", (dir / "stdout").string()).c_str());
    std::filesystem::remove_all(dir);
    return verdict.ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "read_states_measure: %s\n", error.what());
    return 2;
  }
}
