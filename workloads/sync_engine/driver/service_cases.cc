// The read-states service cases (service_cases.h; SPEC.md, Service mode).
#include "service_cases.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <thread>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/loadgen.h"
#include "claimbench/service_measurement.h"
#include "read_states_protocol.h"

namespace claimbench::sync_engine_workload {
namespace {

constexpr const char* kCaseName = "read_states";
constexpr int64_t kMsNs = 1'000'000;
constexpr double kRawBytesPerEntry = 28;  // user 8 + channel 8 + last_read 8 + mention_count 4
constexpr std::chrono::milliseconds kRssPeriod{250};

struct ProfileSizes {
  const char* entries;
  const char* rate_per_s;
  int64_t warmup_ms;
  int64_t duration_ms;
  int repetitions;
};

// Claim L1 (a garbage collector's tail-latency cliff) needs a measured phase holding at least two of Go's
// forced GC periods (2 min each): only the full profile's 5 minutes do; standard's 150 s give the per-second
// series for every other purpose in a quarter of the time. quick is a check that each implementation serves
// and answers right (six read-states implementations at 7 s a repetition), not a measurement of its tail.
ProfileSizes SizesFor(std::string_view profile) {
  if (profile == "quick") return {"1000000", "10000", 1'000, 6'000, 3};
  if (profile == "standard") return {"10000000", "10000", 5'000, 150'000, 6};
  if (profile == "full") return {"10000000", "10000", 10'000, 300'000, 6};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

uint64_t KeysOf(const CaseParameters& params, uint64_t entries) {
  const auto keys = static_cast<uint64_t>(params.Int("keys", 0, int64_t{1} << 40));
  return keys == 0 ? entries + entries / 4 : keys;
}

// Resident bytes of one process from /proc/<pid>/statm; 0 once it is gone.
int64_t ResidentBytes(pid_t pid) {
  std::ifstream statm(fmt::format("/proc/{}/statm", pid));
  int64_t size_pages = 0, resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * ::sysconf(_SC_PAGESIZE);
}

// The service's peak resident set while the load runs, sampled on its own thread (the runner's sampler
// records the whole timeline, but its peak is only known after the process exits, too late for the
// case's derived metrics). Reads /proc directly: the ChildProcess is the driving thread's.
class PeakRssSampler {
 public:
  explicit PeakRssSampler(pid_t pid)
      : thread_([this, pid] {
          std::unique_lock lock(mutex_);
          do {
            peak_ = std::max(peak_, ResidentBytes(pid));
          } while (!wake_.wait_for(lock, kRssPeriod, [this] { return stop_; }));
        }) {}
  ~PeakRssSampler() { Stop(); }

  int64_t Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return peak_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  int64_t peak_ = 0;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace

std::vector<CaseSpec> ServiceCases(std::string_view profile) {
  const ProfileSizes sizes = SizesFor(profile);
  CaseSpec spec;
  spec.name = kCaseName;
  spec.kind = CaseKind::kService;
  spec.description = fmt::format(
      "read states: {} entries in memory, 1.25x as many keys (evictions, write-back), open loop at {} "
      "requests/s "
      "for {} s; per-second p99.9 and RSS over time",
      sizes.entries, sizes.rate_per_s, sizes.duration_ms / 1000);
  spec.parameters = {{"entries", sizes.entries},
                     {"keys", "0"},  // 0: entries + entries / 4
                     {"rate_per_s", sizes.rate_per_s},
                     {"connections", "16"},
                     {"threads", "1"},
                     {"write_back_ms", "100"},
                     {"warmup_ms", std::to_string(sizes.warmup_ms)},
                     {"duration_ms", std::to_string(sizes.duration_ms)}};
  spec.warmup_repetitions = 0;  // the load warms up itself
  spec.stopping.min_repetitions = spec.stopping.max_repetitions = sizes.repetitions;
  spec.stopping.time_budget_s = sizes.repetitions * ((sizes.warmup_ms + sizes.duration_ms) / 1000.0 + 30);
  spec.timeout = std::chrono::seconds((sizes.warmup_ms + sizes.duration_ms) / 1000 + 120);
  spec.primary_metric = "latency_p999_ns";
  spec.extra_metrics = ServiceMetricDescriptors();
  spec.extra_metrics.insert(spec.extra_metrics.end(), {{"p999_max_over_median", "ratio", false},
                                                       {"p99_max_over_median", "ratio", false},
                                                       {"loaded_rss_bytes", "bytes", false},
                                                       {"peak_rss_under_load_bytes", "bytes", false},
                                                       {"rss_bytes_per_entry", "bytes", false},
                                                       {"rss_over_raw", "ratio", false}});
  return {spec};
}

bool IsServiceCase(const CaseSpec& spec) { return spec.kind == CaseKind::kService && spec.name == kCaseName; }

void ValidateServiceCase(const CaseSpec& spec) {
  CaseParameters params(spec);
  const auto entries = static_cast<uint64_t>(params.Int("entries", 1, int64_t{1} << 30));
  const uint64_t keys = KeysOf(params, entries);
  const int64_t connections = params.Int("connections", 1, 4096);
  if (keys < static_cast<uint64_t>(connections) + static_cast<uint64_t>(ReadStatesLoadShape{}.spare_partitions)) {
    throw SetupError(fmt::format("read_states: keys ({}) must be at least connections + {} (one key partition each)",
                                 keys, ReadStatesLoadShape{}.spare_partitions));
  }
  (void)params.Int("write_back_ms", 1, 3'600'000);
  (void)params.Int("threads", 1, 1024);
  (void)params.Double("rate_per_s", 1, 10'000'000);
  (void)params.Int("warmup_ms", 0, 3'600'000);
  (void)params.Int("duration_ms", 1'000, 24 * 3'600'000);
}

namespace {

class ReadStatesCase final : public PreparedCase {
 public:
  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    return ServiceArguments(spec, context);
  }
  Verdict Drive(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                ServiceMeasurement& measurement) override {
    return DriveService(spec, context, process, measurement);
  }
};

}  // namespace

std::unique_ptr<PreparedCase> PrepareServiceCase(const CaseSpec& spec) {
  ValidateServiceCase(spec);
  return std::make_unique<ReadStatesCase>();
}

std::vector<std::string> ServiceArguments(const CaseSpec& spec, const RunContext& context) {
  CaseParameters params(spec);
  const auto entries = static_cast<uint64_t>(params.Int("entries", 1, int64_t{1} << 30));
  const uint64_t keys = KeysOf(params, entries);
  return {"serve",
          "--listen",
          fmt::format("127.0.0.1:{}", context.port),
          "--entries",
          std::to_string(entries),
          "--keys",
          std::to_string(keys),
          "--write-back-ms",
          std::to_string(params.Int("write_back_ms", 1, 3'600'000)),
          "--threads",
          std::to_string(params.Int("threads", 1, 1024))};
}

Verdict DriveService(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                     ServiceMeasurement& measurement) {
  CaseParameters params(spec);
  const auto entries = static_cast<uint64_t>(params.Int("entries", 1, int64_t{1} << 30));
  ReadStatesLoadShape shape;
  shape.keys = KeysOf(params, entries);
  shape.connections = static_cast<int>(params.Int("connections", 1, 4096));
  shape.seed = context.seed;
  if (shape.keys < static_cast<uint64_t>(shape.connections + shape.spare_partitions)) {
    throw SetupError(
        fmt::format("read_states: keys ({}) must be at least connections + {} (one key partition each)",
                    shape.keys, shape.spare_partitions));
  }

  loadgen::LoadSpec load;
  load.port = context.port;
  load.connections = shape.connections;
  load.threads = 1;
  load.rate_per_s = params.Double("rate_per_s", 1, 10'000'000);
  load.arrival = loadgen::LoadSpec::Arrival::kPoisson;
  load.seed = context.seed;
  load.warmup_ns = params.Int("warmup_ms", 0, 3'600'000) * kMsNs;
  load.duration_ns = params.Int("duration_ms", 1'000, 24 * 3'600'000) * kMsNs;
  load.request_timeout_ns = 2'000 * kMsNs;
  load.connect_timeout_ns = 5'000 * kMsNs;
  load.make_protocol = MakeReadStatesProtocolFactory(shape);

  if (Verdict first = MeasureFirstResponse(load, process, measurement); !first.ok) return first;
  PeakRssSampler sampler(process.pid());
  Verdict verdict = MeasureService(load, process, measurement);
  const int64_t peak_sampled = sampler.Stop();

  auto& m = measurement.metrics;
  m["target_rps"] = load.rate_per_s;
  m["loaded_rss_bytes"] = m["idle_rss_bytes"];  // after `ready`: every entry is loaded then
  const double peak = std::max(static_cast<double>(peak_sampled), m["idle_rss_bytes"]);
  m["peak_rss_under_load_bytes"] = peak;
  m["rss_bytes_per_entry"] = peak / static_cast<double>(entries);
  m["rss_over_raw"] = peak / (static_cast<double>(entries) * kRawBytesPerEntry);
  m["p999_max_over_median"] = IntervalMaxOverMedian(measurement.timeline, "p99.9_ns");
  m["p99_max_over_median"] = IntervalMaxOverMedian(measurement.timeline, "p99_ns");
  if (verdict.ok && !process.Running()) return Verdict::Invalid("the service exited while it was driven");
  return verdict;
}

}  // namespace claimbench::sync_engine_workload
