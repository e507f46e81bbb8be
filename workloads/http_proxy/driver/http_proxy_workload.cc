#include "http_proxy_workload.h"

#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/loadgen.h"
#include "claimbench/loadgen_http.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"
#include "cpu_pinning.h"
#include "idle_connections.h"
#include "origin_fleet.h"

namespace claimbench::http_proxy_workload {
namespace {

using std::chrono::seconds;

constexpr int64_t kMsNs = 1'000'000;
constexpr std::chrono::milliseconds kIdleSettle{300};  // after ready: nginx forks its workers meanwhile
constexpr double kMaxFailedFraction = 0.001;
// The sweep's fractions of the closed-loop maximum and their metric suffixes.
constexpr std::pair<double, const char*> kSweep[] = {{0.5, "50pct"}, {0.8, "80pct"}, {0.95, "95pct"}};

struct ProfileSizes {
  int64_t step_ms;          // each sweep step's and each fixed-rate run's measured phase
  int64_t warmup_ms;
  int repetitions;
  int64_t idle_connections;
  const char* latency_rate;  // latency_1k's rate: a fraction of nginx's maximum
};

// quick runs latency_1k at half of nginx's maximum: on a shared 2-core machine (load generator and
// origin on one core) no proxy sustained 80% reliably, and the quick profile must pass there.
ProfileSizes SizesFor(std::string_view profile) {
  if (profile == "quick") return {2'000, 500, 3, 1'000, "nginx:0.5"};
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
    latency.description = "1 KiB responses, open loop (Poisson) at a fraction of nginx's maximum from proxy_1k";
    latency.parameters["mode"] = "rate";
    latency.parameters["rate_per_s"] = sizes.latency_rate;
    latency.parameters["fallback_rate_per_s"] = "5000";
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

    return {sweep, latency, idle, large, chunked, long_tail, hosts};
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) const override {
    CaseParameters params(spec);
    OriginConfig config;
    config.hosts = static_cast<int>(params.Int("origin_hosts", 1, 64));
    std::string latency = params.String("origin_latency");
    if (latency.rfind("pareto:", 0) == 0) {
      config.latency_args = {"--pareto", latency.substr(7)};
    } else if (latency != "none") {
      throw SetupError(fmt::format("origin_latency '{}': use none or pareto:MIN_US:ALPHA:MAX_US", latency));
    }
    config.cpus = PlanCpus().load;
    const int64_t threads = params.Int("threads", 1, 1024);
    std::vector<uint16_t> ports(static_cast<size_t>(config.hosts), 0);
    // The runner first calls Arguments() with an empty context only to validate the parameters: start
    // the origins for real runs only.
    if (!context.case_dir.empty()) {
      std::lock_guard lock(mutex_);
      ports = origins_.Ensure(config, context.case_dir);
    }
    std::vector<std::string> args = {"serve", "--listen", fmt::format("127.0.0.1:{}", context.port)};
    for (uint16_t port : ports) args.insert(args.end(), {"--upstream", fmt::format("127.0.0.1:{}", port)});
    args.insert(args.end(), {"--threads", std::to_string(threads)});
    return args;
  }

  Verdict Verify(const CaseSpec&, const RunContext&, std::map<std::string, double>&) const override {
    return Verdict::Ok();  // service cases only; every response is verified while driving
  }

  Verdict Drive(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                ServiceMeasurement& measurement) const override {
    CaseParameters params(spec);
    loadgen::HttpRequestShape shape;
    shape.response_bytes = static_cast<size_t>(params.Int("response_bytes", 0, 4 * 1024 * 1024));
    shape.chunked = params.Int("chunked", 0, 1) == 1;
    CpuPlan cpus = PlanCpus();
    std::this_thread::sleep_for(kIdleSettle);
    PinProcessGroup(process.pid(), cpus.proxy);
    ScopedThreadAffinity load_cpus(cpus.load);  // the load generator's threads inherit it

    std::string mode = params.Choice("mode", {"sweep", "rate", "idle"});
    if (mode == "idle") return DriveIdle(params, context, process, shape, measurement);

    loadgen::LoadSpec load;
    load.port = context.port;
    load.connections = static_cast<int>(params.Int("connections", 1, 100'000));
    load.threads = 1;
    load.warmup_ns = params.Int("warmup_ms", 0, 3'600'000) * kMsNs;
    load.duration_ns = params.Int("step_ms", 100, 3'600'000) * kMsNs;
    load.arrival = loadgen::LoadSpec::Arrival::kPoisson;
    load.seed = context.seed;
    load.request_timeout_ns = 5'000 * kMsNs;
    load.connect_timeout_ns = 5'000 * kMsNs;
    load.make_protocol = loadgen::MakeHttpProtocolFactory(shape);
    if (mode == "rate") {
      load.rate_per_s = RateFor(params, shape.response_bytes);
      measurement.metrics["target_rps"] = load.rate_per_s;
      return MeasureService(load, process, measurement);
    }
    return DriveSweep(load, context, process, shape, measurement);
  }

 private:
  // "nginx:F": F times nginx's maximum for this response size from this run's sweep (the last
  // repetition's), when it was measured; else fallback_rate_per_s. A number: that rate.
  double RateFor(const CaseParameters& params, size_t response_bytes) const {
    std::string rate = params.String("rate_per_s");
    if (rate.rfind("nginx:", 0) != 0) return params.Double("rate_per_s", 1, 10'000'000);
    char* end = nullptr;
    double fraction = std::strtod(rate.c_str() + 6, &end);
    if (*end != '\0' || !(fraction > 0 && fraction <= 1)) {
      throw SetupError(fmt::format("rate_per_s '{}': use a number or nginx:F with 0 < F <= 1", rate));
    }
    std::lock_guard lock(mutex_);
    auto found = nginx_max_rps_.find(response_bytes);
    if (found != nginx_max_rps_.end()) return fraction * found->second;
    return params.Double("fallback_rate_per_s", 1, 10'000'000);
  }

  Verdict DriveSweep(const loadgen::LoadSpec& load, const RunContext& context, ChildProcess& process,
                     const loadgen::HttpRequestShape& shape, ServiceMeasurement& measurement) const {
    auto& m = measurement.metrics;
    m["idle_rss_bytes"] = static_cast<double>(process.CurrentRssBytes());
    std::vector<double> fractions;
    for (const auto& [fraction, label] : kSweep) fractions.push_back(fraction);
    loadgen::SweepResult sweep = loadgen::RunSweep(load, fractions);

    m["max_rps"] = sweep.max_rate_per_s;
    int64_t completed = sweep.closed_loop.completed;
    int64_t invalid = sweep.closed_loop.invalid_responses;
    int64_t errors = sweep.closed_loop.errors + sweep.closed_loop.timeouts;
    std::string first_error = sweep.closed_loop.error_samples.empty() ? "" : sweep.closed_loop.error_samples.front();
    for (size_t i = 0; i < sweep.open_loop.size(); ++i) {
      const loadgen::LoadResult& r = sweep.open_loop[i];
      const std::string label = kSweep[i].second;
      for (auto [which, percentile] : {std::pair{"p50", 50.0}, {"p99", 99.0}, {"p999", 99.9}}) {
        m[fmt::format("{}_at_{}_ns", which, label)] = static_cast<double>(r.corrected.ValueAtPercentile(percentile));
        m[fmt::format("uncorrected_{}_at_{}_ns", which, label)] =
            static_cast<double>(r.uncorrected.ValueAtPercentile(percentile));
      }
      m["achieved_rps_at_" + label] = r.achieved_rate_per_s;
      m["failed_at_" + label] = static_cast<double>(r.errors + r.timeouts + r.unsent + r.invalid_responses);
      completed += r.completed;
      invalid += r.invalid_responses;
      errors += r.errors;
      if (first_error.empty() && !r.error_samples.empty()) first_error = r.error_samples.front();
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
    m["failed_requests"] = static_cast<double>(errors + invalid);
    measurement.latency.push_back(loadgen::ToLatencyDistribution(at80.corrected, "corrected"));
    measurement.latency.push_back(loadgen::ToLatencyDistribution(at80.uncorrected, "uncorrected"));
    measurement.timeline = loadgen::ToTimeline(at80.intervals);

    if (context.implementation != nullptr && context.implementation->name == "nginx") {
      std::lock_guard lock(mutex_);
      nginx_max_rps_[shape.response_bytes] = sweep.max_rate_per_s;
    }
    std::string why = first_error.empty() ? "" : "; first error: " + first_error;
    if (invalid > 0) return Verdict::Invalid(fmt::format("{} wrong responses{}", invalid, why));
    if (static_cast<double>(errors) > kMaxFailedFraction * static_cast<double>(completed)) {
      return Verdict::Invalid(fmt::format("{} requests failed or timed out of {} completed{}", errors, completed, why));
    }
    return Verdict::Ok();
  }

  Verdict DriveIdle(const CaseParameters& params, const RunContext& context, ChildProcess& process,
                    const loadgen::HttpRequestShape& shape, ServiceMeasurement& measurement) const {
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

  mutable std::mutex mutex_;
  mutable OriginFleet origins_;
  mutable std::map<size_t, double> nginx_max_rps_;  // response bytes -> nginx's max_rps in this run
};

}  // namespace

std::unique_ptr<Workload> MakeHttpProxyWorkload() { return std::make_unique<HttpProxyWorkload>(); }

}  // namespace claimbench::http_proxy_workload
