#include "testing/sample_result.h"

#include <cmath>
#include <limits>
#include <string>
#include <utility>

namespace claimbench::testing {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

MetricStatistics Statistics(const MetricDescriptor& metric, double median) {
  MetricStatistics s;
  s.metric = metric;
  s.n = 5;
  s.median = median;
  s.mean = median * 1.01;
  s.min = median * 0.9;
  s.max = median * 1.3;
  s.q1 = median * 0.95;
  s.q3 = median * 1.05;
  s.iqr = s.q3 - s.q1;
  s.stddev = median * 0.04;
  s.cv = 0.04;
  s.ci95_low = median * 0.97;
  s.ci95_high = median * 1.03;
  s.low_outliers = 0;
  s.high_outliers = 1;
  return s;
}

// A service implementation that ran fine: samples (warm-up, ok, invalid), statistics, RSS, latency, timeline.
ImplementationResult OkResult() {
  const MetricDescriptor wall{"wall_ns", "ns", false};
  const MetricDescriptor rss{"peak_rss_bytes", "bytes", false};
  const MetricDescriptor rps{"achieved_rps", "requests_per_s", true};
  const MetricDescriptor self_timed{"doc_latency_p50_ns", "ns", false, /*self_reported=*/true};

  ImplementationResult r;
  r.name = "kv_service/small/cpp";
  r.workload = "kv_service";
  r.case_name = "small";
  r.implementation = "cpp";
  r.language = "cpp";
  r.role = "reference";
  r.kind = "service";
  r.label = "tuned";
  r.tuned = {"-march=native", "a hand-written parser"};
  r.build = {"cpp", "GNU 12.2.0", "release", {"-O3", "-DNDEBUG", "-march=native"}, {"Boost.Asio 1.81"}};
  r.status = RunStatus::kOk;
  r.command = {"build/release/workloads/kv_service/cpp/kv_service", "--port", "0", "--threads=2"};
  r.parameters = {{"keys", "10000"}, {"value_bytes", "64"}};
  r.metrics = {wall, rss, rps, self_timed};
  for (int i = 0; i < 7; ++i) {
    Sample s;
    s.sequence = 2 * i;  // interleaved with the port below: 0 2 4 ...
    s.repetition = i;
    s.warmup = i == 0;
    s.status = i == 3 ? RunStatus::kInvalid : RunStatus::kOk;
    s.error = i == 3 ? "output mismatch at line 12: expected '42', got '41'" : "";
    s.metrics = {{"wall_ns", 1.0e9 + 1.0e6 * i},
                 {"user_cpu_ns", 7.0e8 + 1.0e5 * i},
                 {"sys_cpu_ns", 1.0e8},
                 {"peak_rss_bytes", 5.0e7 + i},
                 {"achieved_rps", 9999.5}};
    r.samples.push_back(std::move(s));
  }
  r.statistics = {Statistics(wall, 1.002e9), Statistics(rss, 5.0e7), Statistics(rps, 9999.5)};
  r.statistics[2].cv = kNaN;  // e.g. an undefined coefficient of variation
  r.stop_reason = "ci95 of the median within 1%";
  r.primary_metric = "wall_ns";
  r.rss_timeline = {{0, 1 << 20}, {10'000'000, 40 << 20}, {20'000'000, 50'000'006}};

  LatencyDistribution corrected;
  corrected.name = "corrected";
  corrected.lowest_discernible_value = 1;
  corrected.highest_trackable_value = 3'600'000'000'000;
  corrected.significant_digits = 3;
  corrected.buckets = {{10'007, 12}, {20'015, 900}, {1'000'447, 3}};
  corrected.percentiles_ns = {{"p50", 20'015}, {"p90", 20'015}, {"p99", 20'015}, {"p99.9", 1'000'447},
                              {"p99.99", 1'000'447}, {"max", 1'000'447}};
  LatencyDistribution uncorrected = corrected;
  uncorrected.name = "uncorrected";
  uncorrected.buckets = {{10'007, 15}, {20'015, 900}};
  uncorrected.percentiles_ns = {{"p50", 20'015}, {"max", 20'015}};
  r.latency = {corrected, uncorrected};

  r.timeline = {{1'000'000'000, {{"p99_ns", 20'015}, {"achieved_rps", 10000}}},
                {2'000'000'000, {{"p99_ns", kNaN}, {"achieved_rps", 0}}}};
  r.extra = {{"achieved_rps", 9999.5}, {"target_rps", 10000}, {"errors", 0}};
  r.service_logs = {{1, "logs/run-x/sync_engine/read_states/go.1.stderr", 120, false},
                    {2, "logs/run-x/sync_engine/read_states/go.2.stderr", kMaxServiceLogBytes, true}};
  r.conformance = {{"two equal Content-Length", "400", false, "200", true, false},
                   {"chunk size `zz`", "400", true, "400", true, true}};
  return r;
}

// A port that crashed: no ok samples, so no statistics and no Google Benchmark times.
ImplementationResult FailedResult() {
  ImplementationResult r;
  r.name = "kv_service/small/rust";
  r.workload = "kv_service";
  r.case_name = "small";
  r.implementation = "rust";
  r.language = "rust";
  r.role = "port";
  r.kind = "service";
  r.label = "idiomatic";
  r.build = {"rust", "1.95.0", "release", {}, {"tokio 1.54.1"}};
  r.status = RunStatus::kFailed;
  r.error = "exited with signal 11 (SIGSEGV) in repetition 1";
  r.command = {"workloads/kv_service/rust/target/release/kv_service", "--port", "0"};
  r.parameters = {{"keys", "10000"}, {"value_bytes", "64"}};
  r.metrics = {{"wall_ns", "ns", false}};
  for (int i = 0; i < 2; ++i) {
    Sample s;
    s.sequence = 2 * i + 1;
    s.repetition = i;
    s.warmup = i == 0;
    s.status = RunStatus::kFailed;
    s.error = "exited with signal 11 (SIGSEGV)";
    s.metrics = {{"wall_ns", kNaN}};
    r.samples.push_back(std::move(s));
  }
  r.stop_reason = "failed";
  return r;
}

ImplementationResult OtherStatus(RunStatus status, std::string implementation, std::string error) {
  ImplementationResult r;
  r.workload = "kv_service";
  r.case_name = "small";
  r.implementation = std::move(implementation);
  r.name = r.workload + "/" + r.case_name + "/" + r.implementation;
  r.language = r.implementation;
  r.role = "peer";
  r.status = status;
  r.error = std::move(error);
  return r;
}

// The build case: a clean and an incremental build, and what the build gave.
ImplementationResult BuildResult() {
  ImplementationResult r;
  r.name = "kv_service/build/rust";
  r.workload = "kv_service";
  r.case_name = "build";
  r.implementation = "rust";
  r.language = "rust";
  r.role = "port";
  r.kind = "build";
  r.label = "idiomatic";
  r.build = {"rust", "1.95.0", "release", {}, {"tokio 1.54.1"}};
  r.command = {"cargo", "build", "--release", "--locked", "--target-dir", "/x/build/impls/kv_service/rust/target"};
  r.parameters = {{"repetitions", "6"}, {"warmup_repetitions", "1"}};
  r.primary_metric = "clean_build_ns";
  r.metrics = {{"clean_build_ns", "ns", false}, {"artifact_files", "count", false}};
  Sample s;
  s.sequence = 4;
  s.metrics = {{"clean_build_ns", 3.1e10}, {"artifact_files", 1}};
  r.samples.push_back(s);
  r.artifact = ArtifactRecord{"cargo build --release --locked --target-dir {out_dir}/target",
                              {"target/release/kv_service"},
                              "/lib64/ld-linux-x86-64.so.2",
                              {"libgcc_s.so.1", "libc.so.6"},
                              {},
                              {},
                              "workloads/kv_service/impls/rust/src/main.rs"};
  r.stop_reason = "6 repetitions";
  return r;
}

}  // namespace

RunResult MakeSampleResult(nlohmann::json context) {
  RunResult result;
  result.schema_version = kResultSchemaVersion;
  result.run_id = "20240105T101500Z-3f2a9c";
  result.started_at = "2024-01-05T10:15:00Z";
  result.finished_at = "2024-01-05T10:17:42Z";
  result.profile = "quick";
  result.variant = "release";
  result.seed = 18'446'744'073'709'551'557u;  // a uint64 above INT64_MAX must survive
  result.command_line = {"claimbench", "run", "kv_service", "--profile=quick", "--seed=18446744073709551557",
                         "--param", "keys=10000"};
  result.parameter_overrides = {{"keys", "10000"}};
  result.context = std::move(context);
  result.warnings = {"only 5 repetitions of kv_service/small/cpp: intervals are wide"};
  result.benchmarks = {
      OkResult(), FailedResult(),
      OtherStatus(RunStatus::kUnavailable, "go", "go toolchain not found; install golang-go"),
      OtherStatus(RunStatus::kInterrupted, "python", "interrupted by the user (SIGINT)"), BuildResult()};
  Comparison c;
  c.workload = "kv_service";
  c.case_name = "small";
  c.metric = "wall_ns";
  c.higher_is_better = false;
  c.baseline = "cpp";
  c.contender = "rust";
  c.ratio = 1.07;
  c.ci95_low = 1.02;
  c.ci95_high = 1.12;
  c.pairs = 6;
  c.min_pairs = 6;
  c.wilcoxon_p = 0.03125;
  Comparison undefined = c;
  undefined.contender = "go";
  undefined.ratio = kNaN;
  undefined.ci95_low = kNaN;
  undefined.ci95_high = kNaN;
  undefined.pairs = 0;
  undefined.wilcoxon_p = kNaN;
  // Too few pairs: the ratio is given, the interval and the test are not.
  Comparison too_few = c;
  too_few.metric = "achieved_rps";
  too_few.higher_is_better = true;
  too_few.ratio = 0.93;
  too_few.ci95_low = kNaN;
  too_few.ci95_high = kNaN;
  too_few.pairs = 3;
  too_few.wilcoxon_p = kNaN;
  result.comparisons = {c, undefined, too_few};
  return result;
}

}  // namespace claimbench::testing
