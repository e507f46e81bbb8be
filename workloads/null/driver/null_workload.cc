#include "null_workload.h"

#include <fmt/format.h>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/loadgen.h"
#include "claimbench/service_measurement.h"
#include "null_checksum.h"

namespace claimbench::null_workload {
namespace {

using std::chrono::seconds;

struct ProfileSizes {
  int64_t work_units;
  int64_t echo_rate_per_s;
  int64_t echo_duration_s;
  int batch_max_repetitions;
  int service_repetitions;
  double batch_budget_s;
};

ProfileSizes SizesFor(std::string_view profile) {
  if (profile == "quick") return {200'000, 2'000, 2, 20, 6, 20};
  if (profile == "standard") return {2'000'000, 5'000, 10, 30, 6, 60};
  if (profile == "full") return {20'000'000, 10'000, 30, 50, 6, 180};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

// A batch case's parameters, read once.
struct BatchSettings {
  int64_t work_units = 0;
  int64_t delay_ms = 0;
  std::string fault;

  static BatchSettings From(const CaseSpec& spec) {
    CaseParameters params(spec);
    return {params.Int("work_units", 0, int64_t{1} << 40), params.Int("delay_ms", 0, 600'000),
            params.String("fault")};
  }
};

class BatchCase final : public PreparedCase {
 public:
  explicit BatchCase(BatchSettings settings)
      : settings_(std::move(settings)),
        expected_(fmt::format("checksum {:016x}\n", Checksum(static_cast<uint64_t>(settings_.work_units)))) {}

  std::vector<std::string> Arguments(const CaseSpec&, const RunContext&) override {
    std::vector<std::string> args = {"batch", "--work-units", std::to_string(settings_.work_units)};
    if (settings_.delay_ms > 0) args.insert(args.end(), {"--delay-ms", std::to_string(settings_.delay_ms)});
    if (!settings_.fault.empty()) args.insert(args.end(), {"--fault", settings_.fault});
    return args;
  }

  Verdict Verify(const CaseSpec&, const RunContext& context, std::map<std::string, double>& metrics) override {
    const std::string output = ReadWholeFile(context.stdout_path);
    if (output != expected_) {
      std::string got = output.substr(0, 80);
      if (!got.empty() && got.back() == '\n') got.pop_back();
      return Verdict::Invalid(fmt::format("expected '{}', got '{}'", expected_.substr(0, expected_.size() - 1), got));
    }
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0 && settings_.work_units > 0) {
      metrics["work_units_per_s"] = static_cast<double>(settings_.work_units) * 1e9 / timed->second;
    }
    return Verdict::Ok();
  }

 private:
  BatchSettings settings_;
  std::string expected_;  // recomputed by the harness for the N it asks for: no stored answer can pass
};

// The echo service's load, read once: everything but the port and the seed of each repetition.
loadgen::LoadSpec EchoLoad(const CaseSpec& spec) {
  CaseParameters params(spec);
  loadgen::LoadSpec load;
  load.rate_per_s = static_cast<double>(params.Int("rate_per_s", 1, 10'000'000));
  load.duration_ns = params.Int("duration_s", 1, 86'400) * 1'000'000'000;
  load.warmup_ns = params.Int("warmup_s", 0, 3'600) * 1'000'000'000;
  load.connections = static_cast<int>(params.Int("connections", 1, 100'000));
  load.arrival = params.Choice("arrival", {"poisson", "constant"}) == "poisson" ? loadgen::LoadSpec::Arrival::kPoisson
                                                                                : loadgen::LoadSpec::Arrival::kConstant;
  load.request_timeout_ns = 5'000'000'000;
  load.connect_timeout_ns = 5'000'000'000;
  const size_t request_bytes = static_cast<size_t>(params.Int("request_bytes", 8, 60'000));
  load.make_protocol = [request_bytes] { return std::make_unique<loadgen::LineEchoProtocol>(request_bytes); };
  (void)params.Int("delay_ms", 0, 60'000);
  return load;
}

class EchoCase final : public PreparedCase {
 public:
  explicit EchoCase(loadgen::LoadSpec load) : load_(std::move(load)) {}

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    return {"serve", "--listen", fmt::format("127.0.0.1:{}", context.port), "--delay-ms",
            std::to_string(CaseParameters(spec).Int("delay_ms", 0, 60'000))};
  }

  Verdict Drive(const CaseSpec&, const RunContext& context, ChildProcess& process,
                ServiceMeasurement& measurement) override {
    loadgen::LoadSpec load = load_;
    load.port = context.port;
    load.seed = context.seed;
    if (Verdict first = MeasureFirstResponse(load, process, measurement); !first.ok) return first;
    return MeasureService(load, process, measurement);
  }

 private:
  loadgen::LoadSpec load_;
};

class NullWorkload final : public Workload {
 public:
  std::string Name() const override { return "null"; }
  std::string Description() const override {
    return "does almost nothing: measures the harness's own floor (process start, marks, sampler, load generator)";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    ProfileSizes sizes = SizesFor(profile);
    stats::StoppingRule batch_rule;
    batch_rule.min_repetitions = 5;
    batch_rule.max_repetitions = sizes.batch_max_repetitions;
    batch_rule.time_budget_s = sizes.batch_budget_s;

    CaseSpec empty;
    empty.name = "batch_empty";
    empty.description = "a process that starts, marks ready and done, and exits: the harness's floor";
    empty.parameters = {{"work_units", "0"}, {"delay_ms", "0"}, {"fault", ""}};
    empty.stopping = batch_rule;
    empty.timeout = seconds(30);
    empty.primary_metric = "wall_ns";  // nothing happens between the marks: the process's life is the floor

    CaseSpec compute = empty;
    compute.name = "batch_compute";
    compute.description = "SplitMix64 work units, checksum verified";
    compute.parameters["work_units"] = std::to_string(sizes.work_units);
    compute.primary_metric = "timed_ns";
    compute.extra_metrics = {{"work_units_per_s", "items_per_s", true}};

    CaseSpec echo;
    echo.name = "echo_service";
    echo.kind = CaseKind::kService;
    echo.description = "line-echo service under open-loop load; every response compared to its request";
    echo.parameters = {{"rate_per_s", std::to_string(sizes.echo_rate_per_s)},
                       {"duration_s", std::to_string(sizes.echo_duration_s)},
                       {"warmup_s", "1"},
                       {"connections", "16"},
                       {"request_bytes", "64"},
                       {"arrival", "poisson"},
                       {"delay_ms", "0"}};
    echo.warmup_repetitions = 0;  // the load generator warms each run up itself
    echo.stopping.min_repetitions = sizes.service_repetitions;
    echo.stopping.max_repetitions = sizes.service_repetitions;
    echo.stopping.time_budget_s = 600;
    echo.timeout = seconds(sizes.echo_duration_s + 60);
    echo.primary_metric = "latency_p99_ns";
    echo.extra_metrics = ServiceMetricDescriptors();
    return {empty, compute, echo};
  }

  void Validate(const CaseSpec& spec) const override {
    if (spec.kind == CaseKind::kService) {
      (void)EchoLoad(spec);
    } else {
      (void)BatchSettings::From(spec);
    }
  }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext&, const CaseDirs&) const override {
    if (spec.kind == CaseKind::kService) return std::make_unique<EchoCase>(EchoLoad(spec));
    return std::make_unique<BatchCase>(BatchSettings::From(spec));
  }
};

}  // namespace

std::unique_ptr<Workload> MakeNullWorkload() { return std::make_unique<NullWorkload>(); }

}  // namespace claimbench::null_workload
