// The result data model: what one `claimbench run` measured, as plain structs.
//
// Design: the runner fills these structs and never formats output; the JSON writer (result_json.h), the
// terminal summary and `compare` read them. The JSON shape follows Google Benchmark's `context` +
// `benchmarks[]` so existing tools can read it; results/schema.json is its schema and
// docs/result_format.md documents every field. Raw samples are kept in measurement order, invalid and
// failed runs included, so that nothing measured is silently dropped.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace claimbench {

inline constexpr int kResultSchemaVersion = 2;
// The most of one service repetition's stderr a result keeps (ServiceLog): its start, when longer.
inline constexpr int64_t kMaxServiceLogBytes = int64_t{16} << 20;

// kOk: ran and its output was verified. kFailed: crashed, non-zero exit, timed out, or could not start.
// kInvalid: ran but its output was wrong (never counted in statistics). kUnavailable: the implementation
// cannot run on this machine (reason in `error`). kInterrupted: the user stopped the run.
enum class RunStatus { kOk, kFailed, kInvalid, kUnavailable, kInterrupted };

const char* ToString(RunStatus status);
// Throws std::invalid_argument for an unknown name.
RunStatus RunStatusFromString(const std::string& name);

// One measured metric. Names carry their unit as a suffix (wall_ns, peak_rss_bytes, throughput_bytes_per_s).
struct MetricDescriptor {
  std::string name;
  std::string unit;  // "ns", "bytes", "bytes_per_s", "items_per_s", "requests_per_s", "ratio", "count"
  bool higher_is_better = false;
  // The value comes from the implementation's own clock, not the harness's (e.g. the tokenizer's
  // doc_latency_*_ns from its --latency-out file): shown, but never used in claim verdicts.
  bool self_reported = false;
};

// One repetition of one implementation on one case, in the order it was run.
struct Sample {
  int64_t sequence = 0;  // position in the whole session, proves the interleaving (A B A B ...)
  int repetition = 0;    // index within this implementation's runs, warm-up included
  bool warmup = false;
  RunStatus status = RunStatus::kOk;
  std::string error;                       // one line, empty when ok
  std::map<std::string, double> metrics;   // metric name -> value in the unit its name says
};

// Descriptive statistics of one metric over the non-warm-up, ok samples.
struct MetricStatistics {
  MetricDescriptor metric;
  int64_t n = 0;
  double median = 0, mean = 0, min = 0, max = 0, q1 = 0, q3 = 0, iqr = 0, stddev = 0, cv = 0;
  double ci95_low = 0, ci95_high = 0;  // bootstrap 95% interval of the median
  int64_t low_outliers = 0, high_outliers = 0;  // beyond Tukey's 1.5 IQR fences
};

struct RssPoint {
  int64_t t_ns = 0;       // since the process was spawned
  int64_t rss_bytes = 0;  // resident set of the whole process tree
};

// A service repetition's log (its stderr), kept beside the result so that what the service said about
// itself can be matched to its latency timeline: Go's GODEBUG=gctrace=1 lines, a JVM's GC log. Batch
// implementations' stderr is not kept (it is their error channel, quoted in `error` when they fail).
struct ServiceLog {
  int repetition = 0;      // index in `samples`
  std::string path;        // relative to the result file's folder: logs/<run id>/<workload>/<case>/<impl>.<n>.stderr
  int64_t bytes = 0;       // the file's size as kept
  bool truncated = false;  // the log was longer than kMaxServiceLogBytes: its start is kept
};

// A latency distribution in the compact histogram form (Histogram::Buckets()).
struct LatencyDistribution {
  std::string name;  // "corrected" (from intended send time) or "uncorrected" (from actual send)
  int64_t lowest_discernible_value = 1;
  int64_t highest_trackable_value = 0;
  int significant_digits = 3;
  std::vector<std::pair<int64_t, int64_t>> buckets;  // (highest equivalent value ns, count)
  std::map<std::string, double> percentiles_ns;       // "p50", "p90", "p99", "p99.9", "p99.99", "max"
};

// One point of a per-second (or per-interval) series, e.g. p99 latency over time in service mode.
struct TimePoint {
  int64_t t_ns = 0;
  std::map<std::string, double> values;
};

// A case parameter the harness derived by measuring before any repetition (e.g. an offered load from a
// peer's closed-loop maximum). It is the same for every implementation of the case, whichever are selected.
struct Calibration {
  std::string name;         // the parameter, e.g. "rate_per_s"
  double value = 0;         // in `unit`
  std::string unit;         // "requests_per_s", "bytes_per_s", ...
  std::string description;  // how it was derived, e.g. "0.8 x nginx's closed-loop maximum of 57,110/s"
};

// One conformance check of a service (e.g. http_proxy's strictness case: a SPEC row sent as one request), as
// the workload's prober judged it. Kept per implementation so that a report can put every implementation's
// answer to the same check side by side.
struct ConformanceCheck {
  std::string check;      // what was sent, in words ("two equal Content-Length")
  std::string expected;   // the SPEC's answer: a status code ("400"), or "forward"
  bool in_body = false;   // the fault is in the body: a streaming proxy may forward the head before it
  std::string status;     // the status code the implementation answered, "none" without an answer
  bool forwarded = false; // the request's head reached the origin
  bool agrees = false;    // the answer is the SPEC's (the prober's rule)
};

// How an implementation was built (`build` of each benchmark): enough to tell a release Rust build from an
// AddressSanitizer C++ build, and to rebuild it the same way.
struct BuildRecord {
  std::string toolchain;          // "rust", "go", "java", "python", "cpp", "system"; empty: not declared
  std::string toolchain_version;  // "1.95.0", "17.0.15", "GNU 12.2.0"; empty: unknown
  std::string profile;            // cargo's "release", go's "default", the C++ variant ("release", "asan", ...)
  std::vector<std::string> flags;      // every flag that changes the generated code ("-march=native")
  std::vector<std::string> libraries;  // the libraries that do the measured work ("tokio 1.54.1")
};

// What a build produced and what it needs at run time: `artifact` of a benchmark of the build case. Paths
// are as they were on the measuring machine; a clean build's output folder is removed after it is measured,
// so they say where the files lay, not where they are.
struct ArtifactRecord {
  std::string build;                    // what built it, or "none: <why there is no build of ours>"
  std::vector<std::string> files;       // what the command needs from the build, relative to its output
                                        // folder (an interpreted port: its sources, relative to the checkout)
  std::string elf_interpreter;          // the dynamic loader the program names (PT_INTERP); empty: none
  std::vector<std::string> libraries;   // shared libraries the program loads directly (DT_NEEDED), in order
  std::vector<std::string> runtimes;    // programs that run it: "java (/usr/lib/jvm/.../bin/java)", a #! line
  // What must be installed beyond the C library and the dynamic loader (elf_dependencies.h,
  // IsCRuntimeLibrary): libraries and runtimes.
  std::vector<std::string> beyond_libc;
  std::string incremental_edit;          // the source file the incremental build had changed; empty: none
};

// Everything measured for one implementation on one case: one entry of `benchmarks[]`.
struct ImplementationResult {
  std::string name;  // "<workload>/<case>/<implementation>"
  std::string workload;
  std::string case_name;
  std::string implementation;
  std::string language;
  std::string role;  // "reference", "port", "peer", "thread_baseline"
  std::string kind = "batch";  // the case's kind: "batch", "service" or "build"
  std::string label;  // "idiomatic", "tuned", "faithful"; empty in results written before labels
  std::vector<std::string> tuned;  // impl.toml's `tuned`: the parts beyond idiomatic, named (may be empty)
  BuildRecord build;
  RunStatus status = RunStatus::kOk;  // kOk when at least the required repetitions were ok
  std::string error;
  std::vector<std::string> command;            // argv of the last repetition
  std::map<std::string, std::string> parameters;  // the case's parameters, after --param overrides
  std::vector<Calibration> calibration;        // parameters derived by measuring (PreparedCase::Calibrations)
  std::vector<MetricDescriptor> metrics;
  std::string primary_metric;                  // the one stopping rules and regression gates look at
  std::vector<Sample> samples;
  std::vector<MetricStatistics> statistics;
  std::string stop_reason;                     // why repetitions stopped (CI tight, budget, maximum)
  std::vector<RssPoint> rss_timeline;          // of the last ok repetition
  std::vector<LatencyDistribution> latency;    // services only
  std::vector<TimePoint> timeline;             // services only: per-interval series
  std::vector<ServiceLog> service_logs;        // services only: every repetition with a non-empty stderr
  std::map<std::string, double> extra;         // workload-specific scalars (e.g. achieved_rps)
  std::vector<ConformanceCheck> conformance;   // services only: of the last ok repetition; empty: none
  std::optional<ArtifactRecord> artifact;      // the build case only: of the last ok repetition
};

// Ratio contender/baseline of a metric, from paired interleaved repetitions (stats::ComparePairs).
struct Comparison {
  std::string workload;
  std::string case_name;
  std::string metric;
  bool higher_is_better = false;  // the metric's direction, from its descriptor
  std::string baseline;    // implementation name
  std::string contender;
  double ratio = 0;        // median of per-pair ratios contender/baseline; 2.0 = twice the metric's value
  // Distribution-free 95% interval of that median; NaN (JSON null) when pairs < min_pairs.
  double ci95_low = 0, ci95_high = 0;
  int64_t pairs = 0;
  int64_t min_pairs = 0;   // the fewest pairs the harness gives an interval for (stats::kMinPairs)
  double wilcoxon_p = 1;   // two-sided signed-rank test of log(contender/baseline); NaN below min_pairs
};

// True for the samples statistics and comparisons count: measured (not warm-up) and verified ok.
inline bool CountsInStatistics(const Sample& sample) { return !sample.warmup && sample.status == RunStatus::kOk; }

// The finite values of `metric` over the samples that count, in measurement order.
std::vector<double> CountedValues(const std::vector<Sample>& samples, const std::string& metric);

struct RunResult {
  int schema_version = kResultSchemaVersion;
  std::string run_id;
  std::string started_at;   // ISO 8601 UTC
  std::string finished_at;
  std::string profile;
  std::string variant;
  uint64_t seed = 0;
  std::vector<std::string> command_line;
  std::map<std::string, std::string> parameter_overrides;  // the run's --param KEY=VALUE, empty when none
  nlohmann::json context;   // the environment fingerprint (fingerprint.h)
  std::vector<std::string> warnings;
  std::vector<ImplementationResult> benchmarks;
  std::vector<Comparison> comparisons;
};

}  // namespace claimbench
