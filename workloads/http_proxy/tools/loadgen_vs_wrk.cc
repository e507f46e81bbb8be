// loadgen_vs_wrk: the claimbench load generator and wrk side by side against the same origin, one thread
// each on the same CPU, closed loop with the same connections. A benchmark for people, not a test: the
// issue asks that our generator sustain at least wrk's rate per core, so that it is never the bottleneck
// it measures.
//
//   loadgen_vs_wrk [--rounds R] [--seconds S] [--connections N] [--bytes B] [--target HOST:PORT]
//                  [--only claimbench|wrk] [--together]
//
// Each round runs both generators back to back, alternating which goes first, so that a change in the
// machine's load hits both alike; the ratios are taken per round and summarised as a median with a
// bootstrap interval (statistics.h, PairedRatioCi). With --together both run at the same time on the same
// CPU against the same origin, each with its own N connections: then they share the origin's answers and
// the machine's load exactly, and their rates come out close, which matters because the CPU cost of a
// request depends on the rate (how many responses one epoll wake-up collects). Requests per CPU-second (user
// + system, from rusage) is the per-core figure: it holds whether or not a generator saturated its core,
// which on a 2-core machine it cannot (the origin needs a core of its own). Without --target it starts the
// http_origin this build made, on the other half of the CPUs. --only runs one generator once, for profiling
// under callgrind or strace (valgrind --tool=callgrind loadgen_vs_wrk --only claimbench --target ...). A
// round whose generator saw a wrong response or a socket error is reported and left out.
#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "claimbench/error.h"
#include "claimbench/loadgen.h"
#include "loadgen_http.h"
#include "claimbench/process.h"
#include "claimbench/statistics.h"
#include "cpu_pinning.h"
#include "origin_fleet.h"

namespace {

using claimbench::SetupError;
using claimbench::http_proxy_workload::CpuPlan;

struct Options {
  int rounds = 5;
  int seconds = 4;
  int connections = 32;
  size_t bytes = 1024;
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: start an origin
  std::string only;   // "", "claimbench" or "wrk"
  bool together = false;
};

struct Figures {
  int64_t requests = 0;  // completed (wrk: all it counted; a non-2xx answer makes the round invalid)
  double seconds = 0;
  double user_s = 0, sys_s = 0;
  std::string invalid;  // why the round does not count; empty when it does
  double per_s() const { return seconds > 0 ? static_cast<double>(requests) / seconds : 0; }
  double per_cpu_s() const {
    return user_s + sys_s > 0 ? static_cast<double>(requests) / (user_s + sys_s) : 0;
  }
};

rusage SelfUsage() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage;
}

double Seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

// The first integer after `key` on `line`, or nullopt when `key` is not on it.
std::optional<double> NumberAfter(const std::string& line, std::string_view key) {
  const size_t at = line.find(key);
  if (at == std::string::npos) return std::nullopt;
  return std::strtod(line.c_str() + at + key.size(), nullptr);
}

claimbench::ChildProcess StartWrk(const Options& options, const CpuPlan& cpus,
                                  const std::filesystem::path& scratch) {
  claimbench::ProcessSpec spec;
  spec.argv = {"wrk", "-t1", fmt::format("-c{}", options.connections), fmt::format("-d{}s", options.seconds),
               fmt::format("http://{}:{}/r/1?size={}", options.host, options.port, options.bytes)};
  spec.stdout_path = scratch / "wrk.stdout";
  spec.stderr_path = scratch / "wrk.stderr";
  spec.cpu_affinity = cpus.proxy;  // the generator's CPU; the origin has the other half
  spec.use_cgroup = false;
  spec.rss_sample_interval = std::chrono::nanoseconds(0);  // the sampling would cost this process CPU
  return claimbench::ChildProcess::Spawn(spec);
}

Figures FinishWrk(claimbench::ChildProcess& wrk, const std::filesystem::path& scratch) {
  const claimbench::ProcessResult result = wrk.Wait();
  if (!result.ok()) {
    throw SetupError("wrk failed: " + result.error + "; is it installed (Debian package wrk)? Its output: " +
                     (scratch / "wrk.stderr").string());
  }
  std::ifstream in(scratch / "wrk.stdout");
  std::string line;
  Figures figures;
  while (std::getline(in, line)) {
    // "  29639 requests in 3.02s, 31.88MB read"
    if (auto in_at = line.find(" requests in "); in_at != std::string::npos) {
      figures.requests = std::strtoll(line.c_str(), nullptr, 10);
      figures.seconds = std::strtod(line.c_str() + in_at + 13, nullptr);
    }
    if (auto n = NumberAfter(line, "Non-2xx or 3xx responses:"))
      figures.invalid = fmt::format("{} non-2xx responses", *n);
    if (line.find("Socket errors:") != std::string::npos) figures.invalid = line;
  }
  if (figures.requests <= 0 || figures.seconds <= 0) {
    throw SetupError("cannot read wrk's request count from " + (scratch / "wrk.stdout").string());
  }
  figures.user_s = static_cast<double>(result.user_cpu_ns) / 1e9;
  figures.sys_s = static_cast<double>(result.sys_cpu_ns) / 1e9;
  return figures;
}

Figures RunWrk(const Options& options, const CpuPlan& cpus, const std::filesystem::path& scratch) {
  claimbench::ChildProcess wrk = StartWrk(options, cpus, scratch);
  return FinishWrk(wrk, scratch);
}

Figures RunOurs(const Options& options, const CpuPlan& cpus) {
  claimbench::loadgen::LoadSpec load;
  load.host = options.host;
  load.port = options.port;
  load.connections = options.connections;
  load.threads = 1;
  load.warmup_ns = 0;
  load.duration_ns = int64_t{options.seconds} * 1'000'000'000;
  claimbench::loadgen::HttpRequestShape shape;
  shape.response_bytes = options.bytes;
  load.make_protocol = claimbench::loadgen::MakeHttpProtocolFactory(shape);
  claimbench::http_proxy_workload::ScopedThreadAffinity pin(cpus.proxy);
  const rusage before = SelfUsage();
  const claimbench::loadgen::LoadResult result = claimbench::loadgen::RunClosedLoop(load);
  const rusage after = SelfUsage();
  Figures figures;
  figures.requests = result.completed;
  figures.seconds = static_cast<double>(result.measured_ns) / 1e9;
  figures.user_s = Seconds(after.ru_utime) - Seconds(before.ru_utime);
  figures.sys_s = Seconds(after.ru_stime) - Seconds(before.ru_stime);
  if (result.invalid_responses + result.errors + result.timeouts > 0) {
    figures.invalid = fmt::format("{} invalid responses, {} errors, {} timeouts; first: {}",
                                  result.invalid_responses, result.errors, result.timeouts,
                                  result.error_samples.empty() ? "" : result.error_samples.front());
  }
  return figures;
}

void PrintFigures(const char* name, const Figures& f) {
  std::printf("%-10s %9lld %12.0f %7.2f %7.2f %15.0f%s%s\n", name, static_cast<long long>(f.requests),
              f.per_s(), f.user_s, f.sys_s, f.per_cpu_s(),
              f.invalid.empty() ? "" : "  NOT COUNTED: ", f.invalid.c_str());
}

void PrintHeader() {
  std::printf("%-10s %9s %12s %7s %7s %15s\n", "generator", "requests", "requests/s", "user s", "sys s",
              "requests/CPU-s");
}

std::string Spread(std::vector<double> values) {
  const claimbench::stats::Summary s = claimbench::stats::Summarize(values);
  return fmt::format("{:.0f} [{:.0f}, {:.0f}]", s.median, s.min, s.max);
}

std::string RatioLine(const std::vector<double>& ours, const std::vector<double>& wrk) {
  const claimbench::stats::Interval ci = claimbench::stats::PairedRatioCi(ours, wrk);
  return fmt::format("{:.2f} (95% CI {:.2f}-{:.2f})", ci.point, ci.low, ci.high);
}

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr,
               "loadgen_vs_wrk: error: %s\n"
               "usage: loadgen_vs_wrk [--rounds R] [--seconds S] [--connections N] [--bytes B] "
               "[--target HOST:PORT] [--only claimbench|wrk] [--together]\n",
               problem.c_str());
  std::exit(2);
}

int PositiveInt(std::string_view flag, std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    Usage(fmt::format("{} needs a positive integer, not '{}'", flag, text));
  }
  return value;
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; i += 2) {
    const std::string_view flag = argv[i];
    if (flag == "--together") {  // no value
      options.together = true;
      --i;
      continue;
    }
    if (i + 1 >= argc) Usage(fmt::format("{} needs a value", flag));
    const std::string_view value = argv[i + 1];
    if (flag == "--rounds")
      options.rounds = PositiveInt(flag, value);
    else if (flag == "--seconds")
      options.seconds = PositiveInt(flag, value);
    else if (flag == "--connections")
      options.connections = PositiveInt(flag, value);
    else if (flag == "--bytes")
      options.bytes = static_cast<size_t>(PositiveInt(flag, value));
    else if (flag == "--only") {
      if (value != "claimbench" && value != "wrk")
        Usage(fmt::format("--only takes claimbench or wrk, not '{}'", value));
      options.only = value;
    } else if (flag == "--target") {
      const size_t colon = value.rfind(':');
      if (colon == std::string_view::npos) Usage(fmt::format("--target needs HOST:PORT, not '{}'", value));
      options.host = value.substr(0, colon);
      const int port = PositiveInt("--target's port", value.substr(colon + 1));
      if (port > 65535) Usage(fmt::format("--target's port {} is above 65535", port));
      options.port = static_cast<uint16_t>(port);
    } else {
      Usage(fmt::format("unknown flag '{}'", flag));
    }
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = ParseOptions(argc, argv);
  try {
    const CpuPlan cpus = claimbench::http_proxy_workload::PlanCpus();
    const std::filesystem::path scratch =
        std::filesystem::temp_directory_path() / fmt::format("loadgen_vs_wrk.{}", ::getpid());
    std::filesystem::create_directories(scratch);
    claimbench::http_proxy_workload::OriginFleet origin;
    if (options.port == 0) {
      claimbench::http_proxy_workload::OriginConfig config;
      config.cpus = cpus.load;
      options.port = origin.Ensure(config, scratch).front();
      std::printf("origin on the load half of the CPUs; generators on the other half (%s)\n",
                  cpus.note.c_str());
    }
    std::printf("%d connections, %zu-byte responses, %d s per run\n", options.connections, options.bytes,
                options.seconds);
    PrintHeader();
    if (!options.only.empty()) {
      const Figures f = options.only == "wrk" ? RunWrk(options, cpus, scratch) : RunOurs(options, cpus);
      PrintFigures(options.only.c_str(), f);
      std::filesystem::remove_all(scratch);
      return f.invalid.empty() ? 0 : 1;
    }
    std::vector<double> wrk_rate, our_rate, wrk_per_cpu, our_per_cpu;
    for (int round = 0; round < options.rounds; ++round) {
      Figures wrk, ours;
      if (options.together) {
        claimbench::ChildProcess wrk_process = StartWrk(options, cpus, scratch);
        ours = RunOurs(options, cpus);
        wrk = FinishWrk(wrk_process, scratch);
      } else if (round % 2 == 0) {
        wrk = RunWrk(options, cpus, scratch);
        ours = RunOurs(options, cpus);
      } else {
        ours = RunOurs(options, cpus);
        wrk = RunWrk(options, cpus, scratch);
      }
      std::printf("round %d (%s)\n", round + 1,
                  options.together ? "at the same time"
                  : round % 2 == 0 ? "wrk first"
                                   : "claimbench first");
      PrintFigures("wrk", wrk);
      PrintFigures("claimbench", ours);
      std::fflush(stdout);
      if (!wrk.invalid.empty() || !ours.invalid.empty()) continue;
      wrk_rate.push_back(wrk.per_s());
      our_rate.push_back(ours.per_s());
      wrk_per_cpu.push_back(wrk.per_cpu_s());
      our_per_cpu.push_back(ours.per_cpu_s());
    }
    origin.Stop();
    std::filesystem::remove_all(scratch);
    if (our_rate.empty()) {
      std::fprintf(stderr, "loadgen_vs_wrk: error: no round counted (see NOT COUNTED above)\n");
      return 2;
    }
    std::printf("\n%zu counted rounds; median [min, max]\n", our_rate.size());
    std::printf("requests/s      wrk %s, claimbench %s\n", Spread(wrk_rate).c_str(),
                Spread(our_rate).c_str());
    std::printf("requests/CPU-s  wrk %s, claimbench %s\n", Spread(wrk_per_cpu).c_str(),
                Spread(our_per_cpu).c_str());
    std::printf("ratio claimbench/wrk, median of the rounds' ratios: %s in requests/s, %s per CPU-second\n",
                RatioLine(our_rate, wrk_rate).c_str(), RatioLine(our_per_cpu, wrk_per_cpu).c_str());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "loadgen_vs_wrk: error: %s\n", error.what());
    return 2;
  }
  return 0;
}
