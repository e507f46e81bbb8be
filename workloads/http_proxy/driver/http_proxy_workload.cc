#include "http_proxy_workload.h"

#include <map>
#include <thread>

#include <fmt/format.h>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/implementation.h"
#include "claimbench/loadgen.h"
#include "loadgen_http.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"
#include "cpu_pinning.h"
#include "idle_connections.h"
#include "origin_fleet.h"
#include "strictness_case.h"

namespace claimbench::http_proxy_workload {
namespace {

using std::chrono::seconds;

constexpr int64_t kMsNs = 1'000'000;
constexpr std::chrono::milliseconds kIdleSettle{300};  // after ready: nginx forks its workers meanwhile
constexpr std::chrono::seconds kReadyTimeout{30};       // a calibration peer's start, as the runner allows
constexpr std::chrono::seconds kStopGrace{5};
// The sweep's fractions of the closed-loop maximum and their metric suffixes.
constexpr std::pair<double, const char*> kSweep[] = {{0.5, "50pct"}, {0.8, "80pct"}, {0.95, "95pct"}};

struct ProfileSizes {
  int64_t step_ms;          // each sweep step's and each fixed-rate run's measured phase
  int64_t warmup_ms;
  int repetitions;
  int64_t idle_connections;
  const char* latency_rate;  // latency_1k's rate: a fraction of nginx's maximum, calibrated when prepared
};

// quick runs latency_1k at half of nginx's maximum: on a shared 2-core machine (load generator and
// origin on one core) no proxy sustained 80% reliably, and the quick profile must pass there. Its 1 s steps
// check that six proxies serve and answer right within the quick run's 15 minutes; figures come from
// standard's 5 s steps.
ProfileSizes SizesFor(std::string_view profile) {
  if (profile == "quick") return {1'000, 300, 3, 1'000, "nginx:0.5"};
  if (profile == "standard") return {5'000, 1'000, 6, 5'000, "nginx:0.8"};
  if (profile == "full") return {15'000, 2'000, 6, 10'000, "nginx:0.8"};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

std::vector<MetricDescriptor> SweepMetricDescriptors() {
  std::vector<MetricDescriptor> metrics = ServiceMetricDescriptors();
  metrics.push_back({"max_rps", "requests_per_s", true});
  for (const auto& [fraction, label] : kSweep) {
    for (const char* which : {"p50", "p99", "p999"}) {
      metrics.push_back({fmt::format("{}_at_{}_ns", which, label), "ns", false});
      metrics.push_back({fmt::format("uncorrected_{}_at_{}_ns", which, label), "ns", false});
    }
    metrics.push_back({fmt::format("achieved_rps_at_{}", label), "requests_per_s", true});
    metrics.push_back({fmt::format("failed_at_{}", label), "count", false});
  }
  return metrics;
}

// A fixed-rate case's `rate_per_s`: a number, or "PEER:F" (F x PEER's closed-loop maximum, 0 < F <= 1).
struct RateSetting {
  double fixed_per_s = 0;
  std::string peer;       // empty for a fixed rate
  double fraction = 0;
  double fallback_per_s = 0;

  static RateSetting From(const CaseSpec& spec) {
    if (!spec.parameters.contains("rate_per_s")) return {};
    CaseParameters params(spec);
    const std::string text = params.String("rate_per_s");
    const size_t colon = text.find(':');
    if (colon == std::string::npos) return {params.Double("rate_per_s", 1, 10'000'000)};
    RateSetting rate;
    rate.peer = text.substr(0, colon);
    char* end = nullptr;
    rate.fraction = std::strtod(text.c_str() + colon + 1, &end);
    if (rate.peer.empty() || *end != '\0' || !(rate.fraction > 0 && rate.fraction <= 1)) {
      throw SetupError(fmt::format("case {}: rate_per_s '{}': use a number or PEER:F (e.g. nginx:0.8) with 0 < F <= 1",
                                   spec.name, text));
    }
    rate.fallback_per_s = params.Double("fallback_rate_per_s", 1, 10'000'000);
    return rate;
  }
};

// One prepared case: the origins every implementation of the case is put in front of (started here,
// stopped with the case), and a fixed-rate case's calibrated offered load.
class ProxyCase final : public PreparedCase {
 public:
  ProxyCase(OriginConfig config, std::filesystem::path log_dir)
      : config_(std::move(config)), log_dir_(std::move(log_dir)) {
    ports_ = origins_.Ensure(config_, log_dir_);
  }

  void SetRate(Calibration rate) { rate_ = std::move(rate); }

  std::vector<Calibration> Calibrations() const override {
    if (!rate_) return {};
    return {*rate_};
  }

  // An origin that died is restarted before the next repetition, so one implementation cannot leave the
  // next without its upstream.
  Verdict BeforeRepetition(const CaseSpec&, const RunContext&) override {
    ports_ = origins_.Ensure(config_, log_dir_);
    return Verdict::Ok();
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    return ProxyArguments(context.port, CaseParameters(spec).Int("threads", 1, 1024));
  }

  Verdict Drive(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                ServiceMeasurement& measurement) override {
    CaseParameters params(spec);
    const loadgen::HttpRequestShape shape = ShapeOf(params);
    CpuPlan cpus = PlanCpus();
    std::this_thread::sleep_for(kIdleSettle);
    PinProcessGroup(process.pid(), cpus.proxy);
    ScopedThreadAffinity load_cpus(cpus.load);  // the load generator's threads inherit it

    std::string mode = params.Choice("mode", {"sweep", "rate", "idle"});
    if (mode == "idle") return DriveIdle(params, context, process, shape, measurement);

    loadgen::LoadSpec load = LoadFor(params, context.port, context.seed);
    if (mode == "rate") {
      load.rate_per_s = rate_->value;
      measurement.metrics["target_rps"] = load.rate_per_s;
      return MeasureService(load, process, measurement);
    }
    return DriveSweep(load, context, process, shape, measurement);
  }

  // Starts `peer` behind this case's origins and measures its closed-loop maximum, as the sweep's first step
  // does (the case's connections, warm-up and step length). Throws SetupError when it does not start.
  double MeasureMaxRps(const CaseSpec& spec, const Implementation& peer, const ProjectPaths& paths,
                       const std::filesystem::path& dir) {
    std::filesystem::create_directories(dir);
    CaseParameters params(spec);
    ProcessSpec run;
    const uint16_t port = FreeLoopbackPort();
    run.argv = peer.command;
    for (const std::string& arg : ProxyArguments(port, params.Int("threads", 1, 1024))) run.argv.push_back(arg);
    run.env = ImplementationEnvironment(paths);
    run.working_dir = dir;
    run.stdout_path = dir / "stdout";
    run.stderr_path = dir / "stderr";
    run.rss_sample_interval = std::chrono::nanoseconds(0);
    ChildProcess child = ChildProcess::Spawn(run);
    if (!child.WaitForMark("ready", kReadyTimeout)) {
      throw SetupError(fmt::format("calibration: {} did not start (see {})", peer.name, run.stderr_path.string()));
    }
    CpuPlan cpus = PlanCpus();
    std::this_thread::sleep_for(kIdleSettle);
    PinProcessGroup(child.pid(), cpus.proxy);
    ScopedThreadAffinity load_cpus(cpus.load);
    loadgen::LoadSpec load = LoadFor(params, port, /*seed=*/1);
    load.connections = static_cast<int>(params.Int("calibration_connections", 1, 100'000));
    const loadgen::LoadResult closed = loadgen::RunClosedLoop(load);
    child.Terminate(kStopGrace);
    if (closed.completed == 0) {
      throw SetupError(fmt::format("calibration: {} completed no request (see {})", peer.name, run.stderr_path.string()));
    }
    return closed.achieved_rate_per_s;
  }

 private:
  std::vector<std::string> ProxyArguments(uint16_t port, int64_t threads) const {
    std::vector<std::string> args = {"serve", "--listen", fmt::format("127.0.0.1:{}", port)};
    for (uint16_t upstream : ports_) args.insert(args.end(), {"--upstream", fmt::format("127.0.0.1:{}", upstream)});
    args.insert(args.end(), {"--threads", std::to_string(threads)});
    return args;
  }

  static loadgen::HttpRequestShape ShapeOf(const CaseParameters& params) {
    loadgen::HttpRequestShape shape;
    shape.response_bytes = static_cast<size_t>(params.Int("response_bytes", 0, 4 * 1024 * 1024));
    shape.chunked = params.Int("chunked", 0, 1) == 1;
    return shape;
  }

  static loadgen::LoadSpec LoadFor(const CaseParameters& params, uint16_t port, uint64_t seed) {
    loadgen::LoadSpec load;
    load.port = port;
    load.connections = static_cast<int>(params.Int("connections", 1, 100'000));
    load.threads = 1;
    load.warmup_ns = params.Int("warmup_ms", 0, 3'600'000) * kMsNs;
    load.duration_ns = params.Int("step_ms", 100, 3'600'000) * kMsNs;
    load.arrival = loadgen::LoadSpec::Arrival::kPoisson;
    load.seed = seed;
    load.request_timeout_ns = 5'000 * kMsNs;
    load.connect_timeout_ns = 5'000 * kMsNs;
    load.make_protocol = loadgen::MakeHttpProtocolFactory(ShapeOf(params));
    return load;
  }

  Verdict DriveSweep(const loadgen::LoadSpec& load, const RunContext& context, ChildProcess& process,
                     const loadgen::HttpRequestShape& shape, ServiceMeasurement& measurement) {
    auto& m = measurement.metrics;
    m["idle_rss_bytes"] = static_cast<double>(process.CurrentRssBytes());
    std::vector<double> fractions;
    for (const auto& [fraction, label] : kSweep) fractions.push_back(fraction);
    loadgen::SweepResult sweep = loadgen::RunSweep(load, fractions);

    m["max_rps"] = sweep.max_rate_per_s;
    int64_t completed = sweep.closed_loop.completed;
    int64_t failed = loadgen::FailedRequests(sweep.closed_loop);
    for (size_t i = 0; i < sweep.open_loop.size(); ++i) {
      const loadgen::LoadResult& r = sweep.open_loop[i];
      const std::string label = kSweep[i].second;
      for (auto [which, percentile] : {std::pair{"p50", 50.0}, {"p99", 99.0}, {"p999", 99.9}}) {
        m[fmt::format("{}_at_{}_ns", which, label)] = static_cast<double>(r.corrected.ValueAtPercentile(percentile));
        m[fmt::format("uncorrected_{}_at_{}_ns", which, label)] =
            static_cast<double>(r.uncorrected.ValueAtPercentile(percentile));
      }
      m["achieved_rps_at_" + label] = r.achieved_rate_per_s;
      m["failed_at_" + label] = static_cast<double>(loadgen::FailedRequests(r));
      completed += r.completed;
      failed += loadgen::FailedRequests(r);
    }
    // The standard service metrics describe the 80% step: the load a deployment would run at.
    const loadgen::LoadResult& at80 = sweep.open_loop[1];
    m["latency_p50_ns"] = static_cast<double>(at80.corrected.ValueAtPercentile(50));
    m["latency_p99_ns"] = static_cast<double>(at80.corrected.ValueAtPercentile(99));
    m["latency_p999_ns"] = static_cast<double>(at80.corrected.ValueAtPercentile(99.9));
    m["latency_max_ns"] = static_cast<double>(at80.corrected.Max());
    m["uncorrected_p50_ns"] = static_cast<double>(at80.uncorrected.ValueAtPercentile(50));
    m["uncorrected_p99_ns"] = static_cast<double>(at80.uncorrected.ValueAtPercentile(99));
    m["uncorrected_p999_ns"] = static_cast<double>(at80.uncorrected.ValueAtPercentile(99.9));
    m["send_lag_p99_ns"] = static_cast<double>(at80.send_lag.ValueAtPercentile(99));
    m["achieved_rps"] = sweep.max_rate_per_s;
    m["completed_requests"] = static_cast<double>(completed);
    m["failed_requests"] = static_cast<double>(failed);
    measurement.latency.push_back(loadgen::ToLatencyDistribution(at80.corrected, "corrected"));
    measurement.latency.push_back(loadgen::ToLatencyDistribution(at80.uncorrected, "uncorrected"));
    measurement.timeline = loadgen::ToTimeline(at80.intervals);

    // Each run (the probe and every step) is held to its own requests: see CheckSweepFailures.
    return CheckSweepFailures(sweep);
  }

  Verdict DriveIdle(const CaseParameters& params, const RunContext& context, ChildProcess& process,
                    const loadgen::HttpRequestShape& shape, ServiceMeasurement& measurement) {
    const int count = static_cast<int>(params.Int("idle_connections", 1, 1'000'000));
    auto& m = measurement.metrics;
    const int64_t before = process.CurrentRssBytes();
    IdleConnections connections;
    std::string error = connections.Open(context.port, count, shape);
    if (!error.empty()) {
      return Verdict::Invalid(fmt::format("{} of {} idle connections opened; {}", connections.size(), count, error));
    }
    std::this_thread::sleep_for(kIdleSettle);
    const int64_t after = process.CurrentRssBytes();
    m["idle_rss_bytes"] = static_cast<double>(before);
    m["rss_with_idle_connections_bytes"] = static_cast<double>(after);
    m["rss_per_idle_connection_bytes"] = static_cast<double>(after - before) / count;
    m["completed_requests"] = count;
    if (!process.Running()) return Verdict::Invalid("the proxy exited while holding idle connections");
    return Verdict::Ok();
  }

  OriginConfig config_;
  std::filesystem::path log_dir_;
  OriginFleet origins_;
  std::vector<uint16_t> ports_;
  std::optional<Calibration> rate_;  // fixed-rate cases only
};

class HttpProxyWorkload final : public Workload {
 public:
  std::string Name() const override { return "http_proxy"; }
  std::string Description() const override {
    return "HTTP/1.1 reverse proxy under closed- and open-loop load: throughput, corrected latency, memory";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    ProfileSizes sizes = SizesFor(profile);
    const std::string step_ms = std::to_string(sizes.step_ms);
    const std::string warmup_ms = std::to_string(sizes.warmup_ms);

    CaseSpec sweep;
    sweep.name = "proxy_1k";
    sweep.kind = CaseKind::kService;
    sweep.description = "1 KiB responses: closed-loop maximum, then open loop at 50, 80 and 95% of it";
    sweep.parameters = {{"mode", "sweep"},          {"response_bytes", "1024"}, {"chunked", "0"},
                        {"connections", "32"},      {"threads", "1"},           {"origin_hosts", "1"},
                        {"origin_latency", "none"}, {"step_ms", step_ms},       {"warmup_ms", warmup_ms}};
    sweep.warmup_repetitions = 0;  // every load run warms up itself
    sweep.stopping.min_repetitions = sweep.stopping.max_repetitions = sizes.repetitions;
    sweep.stopping.time_budget_s = 900;
    sweep.timeout = seconds(8 * (sizes.step_ms + sizes.warmup_ms) / 1000 + 60);
    sweep.primary_metric = "max_rps";
    sweep.extra_metrics = SweepMetricDescriptors();

    CaseSpec latency = sweep;
    latency.name = "latency_1k";
    latency.description =
        "1 KiB responses, open loop (Poisson) at a fraction of nginx's maximum, measured when the case is prepared";
    latency.parameters["mode"] = "rate";
    latency.parameters["rate_per_s"] = sizes.latency_rate;
    latency.parameters["fallback_rate_per_s"] = "5000";
    latency.parameters["calibration_connections"] = sweep.parameters["connections"];
    latency.parameters["connections"] = "64";
    latency.timeout = seconds(2 * (sizes.step_ms + sizes.warmup_ms) / 1000 + 60);
    latency.primary_metric = "latency_p99_ns";
    latency.extra_metrics = ServiceMetricDescriptors();

    CaseSpec idle = sweep;
    idle.name = "idle_connections";
    idle.description = "memory per idle keep-alive client connection (each carried one request)";
    idle.parameters["mode"] = "idle";
    idle.parameters["idle_connections"] = std::to_string(sizes.idle_connections);
    idle.stopping.min_repetitions = idle.stopping.max_repetitions = sizes.repetitions;
    idle.timeout = seconds(120);
    idle.primary_metric = "rss_per_idle_connection_bytes";
    idle.extra_metrics = {{"idle_rss_bytes", "bytes", false},
                          {"rss_with_idle_connections_bytes", "bytes", false},
                          {"rss_per_idle_connection_bytes", "bytes", false},
                          {"completed_requests", "count", true}};

    if (profile == "quick") return {sweep, latency, idle};

    CaseSpec large = sweep;
    large.name = "proxy_64k";
    large.description = "64 KiB responses: the sweep";
    large.parameters["response_bytes"] = "65536";

    CaseSpec chunked = sweep;
    chunked.name = "proxy_64k_chunked";
    chunked.description = "64 KiB chunked responses (16 KiB chunks): the sweep";
    chunked.parameters["response_bytes"] = "65536";
    chunked.parameters["chunked"] = "1";

    CaseSpec long_tail = latency;
    long_tail.name = "long_tail";
    long_tail.description = "an origin with a Pareto long tail (min 100 us, alpha 1.5, cap 200 ms), open loop";
    long_tail.parameters["origin_latency"] = "pareto:100:1.5:200000";
    long_tail.parameters["rate_per_s"] = "2000";
    long_tail.parameters["connections"] = "512";

    CaseSpec hosts = sweep;
    hosts.name = "multi_upstream";
    hosts.description = "4 origin hosts, round-robin: the sweep";
    hosts.parameters["origin_hosts"] = "4";

    // The strict-parsing table, once per implementation (the answers do not vary between repetitions): not in
    // the quick profile, which has no time for about 3 s per proxy and whose proxies are the same code.
    CaseSpec strictness;
    strictness.name = "strictness";
    strictness.kind = CaseKind::kService;
    strictness.description =
        "SPEC.md's strict-parsing table (smuggling, framing, limits): each row sent as one request; what the proxy "
        "answers and whether the head reached the origin (strictness_case.h)";
    strictness.parameters = {{"mode", "strictness"}, {"threads", "1"}};
    strictness.conformance_only = true;
    strictness.warmup_repetitions = 0;
    strictness.stopping.min_repetitions = strictness.stopping.max_repetitions = 1;
    strictness.stopping.time_budget_s = 900;
    strictness.timeout = seconds(240);
    strictness.primary_metric = "strictness_agreeing_rows";
    strictness.extra_metrics = StrictnessMetricDescriptors();

    return {sweep, latency, idle, large, chunked, long_tail, hosts, strictness};
  }

  void Validate(const CaseSpec& spec) const override {
    CaseParameters params(spec);
    if (params.Choice("mode", {"sweep", "rate", "idle", "strictness"}) == "strictness") {
      (void)params.Int("threads", 1, 1024);
      return;
    }
    (void)OriginConfigFor(spec);
    (void)RateSetting::From(spec);
    (void)params.Int("threads", 1, 1024);
    (void)params.Int("response_bytes", 0, 4 * 1024 * 1024);
    (void)params.Int("chunked", 0, 1);
    (void)params.Int("connections", 1, 100'000);
    (void)params.Int("warmup_ms", 0, 3'600'000);
    (void)params.Int("step_ms", 100, 3'600'000);
    if (spec.parameters.contains("idle_connections")) (void)params.Int("idle_connections", 1, 1'000'000);
  }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                        const CaseDirs& dirs) const override {
    if (CaseParameters(spec).String("mode") == "strictness") {
      return PrepareStrictnessCase(workload.paths, workload.dir / "tools" / "strictness_table.py");
    }
    auto prepared = std::make_unique<ProxyCase>(OriginConfigFor(spec), dirs.scratch_dir);
    const RateSetting rate = RateSetting::From(spec);
    if (CaseParameters(spec).String("mode") == "rate") prepared->SetRate(CalibrateRate(spec, rate, workload, *prepared, dirs));
    return prepared;
  }

 private:
  // The origin processes the case asks for, pinned to the load generator's CPUs.
  static OriginConfig OriginConfigFor(const CaseSpec& spec) {
    CaseParameters params(spec);
    OriginConfig config;
    config.hosts = static_cast<int>(params.Int("origin_hosts", 1, 64));
    std::string latency = params.String("origin_latency");
    if (latency.rfind("pareto:", 0) == 0) {
      config.latency_args = {"--pareto", latency.substr(7)};
    } else if (latency != "none") {
      throw SetupError(fmt::format("case {}: origin_latency '{}': use none or pareto:MIN_US:ALPHA:MAX_US", spec.name,
                                   latency));
    }
    config.cpus = PlanCpus().load;
    return config;
  }

  // The offered load of a fixed-rate case, the same for every implementation: a number, or F x the
  // closed-loop maximum of a peer measured now behind this case's own origins (the sweep's first step, run
  // once for the calibration). Without that peer, the fixed fallback, said so in the result.
  static Calibration CalibrateRate(const CaseSpec& spec, const RateSetting& rate, const WorkloadContext& workload,
                                   ProxyCase& prepared, const CaseDirs& dirs) {
    if (rate.peer.empty()) return {"rate_per_s", rate.fixed_per_s, "requests_per_s", "the case's fixed rate"};
    const Implementation* peer = workload.Find(rate.peer);
    std::string why_not = peer == nullptr ? fmt::format("the workload has no '{}' implementation", rate.peer)
                                          : UnavailableReason(*peer);
    if (!why_not.empty()) {
      return {"rate_per_s", rate.fallback_per_s, "requests_per_s",
              fmt::format("fallback_rate_per_s: {} could not be calibrated against ({})", rate.peer, why_not)};
    }
    const double max_rps = prepared.MeasureMaxRps(spec, *peer, workload.paths, dirs.scratch_dir / "calibration");
    return {"rate_per_s", rate.fraction * max_rps, "requests_per_s",
            fmt::format("{} x {}'s closed-loop maximum of {:.0f} requests/s, measured behind this case's origins "
                        "when it was prepared",
                        rate.fraction, rate.peer, max_rps)};
  }
};

}  // namespace

std::unique_ptr<Workload> MakeHttpProxyWorkload() { return std::make_unique<HttpProxyWorkload>(); }

}  // namespace claimbench::http_proxy_workload
