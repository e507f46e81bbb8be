// read_states_measure: runs the read_states service case once, outside the suite runner, the way the
// runner does (spawn, wait for `ready`, DriveService, SIGTERM), and prints its metrics and per-second
// series. For measuring the service before the case is registered; not part of `./claimbench run`.
//
//   read_states_measure SERVE_BINARY [quick|standard|full] [PARAM=VALUE ...] [echo=NULL_BINARY]
//
// With echo=NULL_BINARY it then drives the null workload's echo service with the same load (rate,
// connections, duration, 32-byte lines) and prints its per-second p99.9 max/median: the noise floor of
// the machine and the load generator, measured the same way, for reading the service's own figure.
// With trace=1 the service runs with `--trace` (service_trace.h) and each second of the load's timeline
// is printed beside the service's trace line for the same second and the load generator's own run-queue
// wait (this process's threads, runnable but not running).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "claimbench/error.h"
#include "claimbench/loadgen.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"
#include "service_cases.h"
#include "service_trace.h"

namespace cb = claimbench;

namespace {

// The largest per-second p99.9 over their median, as the case computes it (failed seconds included).
double WorstSecondOverMedian(const std::vector<cb::TimePoint>& timeline) {
  return cb::IntervalMaxOverMedian(timeline, "p99.9_ns");
}

// Runs the echo service with the case's load; prints its figures.
void EchoBaseline(const std::string& binary, const cb::CaseSpec& spec, const std::filesystem::path& dir) {
  cb::ProcessSpec process;
  const uint16_t port = cb::FreeLoopbackPort();
  process.argv = {binary, "serve", "--listen", fmt::format("127.0.0.1:{}", port)};
  process.working_dir = dir;
  process.stdout_path = dir / "echo.stdout";
  process.stderr_path = dir / "echo.stderr";
  cb::ChildProcess child = cb::ChildProcess::Spawn(process);
  if (!child.WaitForMark("ready", std::chrono::seconds(30)))
    throw cb::SetupError("the echo service never got ready");
  cb::loadgen::LoadSpec load;
  load.port = port;
  load.connections = std::stoi(spec.parameters.at("connections"));
  load.rate_per_s = std::stod(spec.parameters.at("rate_per_s"));
  load.arrival = cb::loadgen::LoadSpec::Arrival::kPoisson;
  load.warmup_ns = std::stoll(spec.parameters.at("warmup_ms")) * 1'000'000;
  load.duration_ns = std::stoll(spec.parameters.at("duration_ms")) * 1'000'000;
  load.make_protocol = [] { return std::make_unique<cb::loadgen::LineEchoProtocol>(32); };
  cb::ServiceMeasurement measurement;
  cb::Verdict verdict = cb::MeasureService(load, child, measurement);
  child.Terminate(std::chrono::seconds(5));
  std::printf(
      "echo baseline: verdict %s; p50 %.1f us, p99 %.1f us, p99.9 %.1f us; p999_max_over_median %.3g\n",
      verdict.ok ? "ok" : verdict.error.c_str(), measurement.metrics["latency_p50_ns"] / 1e3,
      measurement.metrics["latency_p99_ns"] / 1e3, measurement.metrics["latency_p999_ns"] / 1e3,
      WorstSecondOverMedian(measurement.timeline));
}

// This process's total run-queue wait, sampled every second on its own thread: mono_ns -> wait ns in the
// second before.
class LoadgenWaitSampler {
 public:
  LoadgenWaitSampler()
      : thread_([this] {
          int64_t last = cb::sync_service::ProcessRunQueueWaitNs(getpid());
          while (!stop_) {
            std::this_thread::sleep_for(std::chrono::seconds(1));
            const int64_t now = cb::sync_service::ServiceTrace::NowNs();
            const int64_t wait = cb::sync_service::ProcessRunQueueWaitNs(getpid());
            std::lock_guard lock(mutex_);
            samples_[now] = wait - last;
            last = wait;
          }
        }) {}
  std::map<int64_t, int64_t> Stop() {
    stop_ = true;
    thread_.join();
    return samples_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<int64_t, int64_t> samples_;
  std::thread thread_;
};

// The entry of `by_end` (keyed by the end of the second it covers) whose second ends nearest `end_ns`.
template <typename T>
const T* Nearest(const std::map<int64_t, T>& by_end, int64_t end_ns) {
  const T* best = nullptr;
  int64_t best_distance = 500'000'000;
  for (auto it = by_end.lower_bound(end_ns - best_distance);
       it != by_end.end() && it->first <= end_ns + 500'000'000; ++it) {
    const int64_t distance = std::abs(it->first - end_ns);
    if (distance <= best_distance) best = &it->second, best_distance = distance;
  }
  return best;
}

// Prints the load's seconds beside the service's trace (lines keyed by their mono_ns) and the load
// generator's run-queue wait. `measured_start_ns` is the load's measured start on CLOCK_MONOTONIC.
void PrintTraceJoin(const std::vector<cb::TimePoint>& timeline, const std::filesystem::path& trace_path,
                    const std::map<int64_t, int64_t>& loadgen_wait, int64_t measured_start_ns) {
  std::ifstream in(trace_path);
  std::string header;
  std::getline(in, header);
  std::map<int64_t, std::string> lines;
  for (std::string line; std::getline(in, line);) lines[std::stoll(line.substr(0, line.find('\t')))] = line;
  std::printf("second\tp999_us\tmax_us\tloadgen_wait_us\t%s\n", header.c_str());
  for (const cb::TimePoint& point : timeline) {
    const int64_t end_ns = measured_start_ns + point.t_ns + 1'000'000'000;
    const std::string* line = Nearest(lines, end_ns);
    const int64_t* wait = Nearest(loadgen_wait, end_ns);
    auto v = [&](const char* name) { return point.values.count(name) ? point.values.at(name) : 0.0; };
    std::printf("%lld\t%.0f\t%.0f\t%.0f\t%s\n", static_cast<long long>(point.t_ns / 1'000'000'000),
                v("p99.9_ns") / 1e3, v("max_ns") / 1e3, wait ? static_cast<double>(*wait) / 1e3 : -1.0,
                line ? line->c_str() : "-");
  }
}

}  // namespace

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
    std::string echo;
    bool trace = false;
    for (int i = 2; i < argc; ++i) {
      std::string arg = argv[i];
      size_t eq = arg.find('=');
      if (eq == std::string::npos) continue;
      if (arg.substr(0, eq) == "echo") {
        echo = arg.substr(eq + 1);
      } else if (arg.substr(0, eq) == "trace") {
        trace = arg.substr(eq + 1) == "1";
      } else {
        spec.parameters[arg.substr(0, eq)] = arg.substr(eq + 1);
      }
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
    if (trace) {
      process.argv.push_back("--trace");
      process.argv.push_back((dir / "trace.tsv").string());
    }
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
    // MeasureService settles 300 ms before the load, which opens its connections, then warms up.
    const int64_t measured_start_ns = cb::sync_service::ServiceTrace::NowNs() + 300'000'000 +
                                      std::stoll(spec.parameters.at("warmup_ms")) * 1'000'000;
    LoadgenWaitSampler loadgen_wait;
    cb::Verdict verdict = cb::sync_engine_workload::DriveService(spec, context, child, measurement);
    const std::map<int64_t, int64_t> waits = loadgen_wait.Stop();
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
    std::ifstream service_stdout(dir / "stdout");
    std::cout << service_stdout.rdbuf() << std::flush;
    if (trace) PrintTraceJoin(measurement.timeline, dir / "trace.tsv", waits, measured_start_ns);
    if (!echo.empty()) EchoBaseline(echo, spec, dir);
    std::filesystem::remove_all(dir);
    return verdict.ok ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "read_states_measure: %s\n", error.what());
    return 2;
  }
}
