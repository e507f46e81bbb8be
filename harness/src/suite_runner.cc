#include "claimbench/suite_runner.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <set>

#include <fmt/format.h>

#include "claimbench/atomic_file.h"
#include "claimbench/error.h"
#include "claimbench/process.h"
#include "claimbench/result_json.h"
#include "claimbench/service_measurement.h"
#include "claimbench/statistics.h"
#include "build_case.h"
#include "progress.h"
#include "timestamps.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::chrono::seconds kReadyTimeout{30};
constexpr std::chrono::seconds kStopGrace{5};

// The last non-empty line of a file, for error messages that show why a child failed.
std::string LastLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (!line.empty()) last = line;
  }
  if (last.size() > 200) last = last.substr(0, 200) + "...";
  return last;
}

// The child's own last words make most failures self-explanatory; a failure near the memory limit says so.
std::string FailureMessage(const ProcessResult& result, const fs::path& stderr_path, int64_t memory_limit_bytes) {
  std::string message = result.error;
  std::string last = LastLine(stderr_path);
  if (!last.empty()) message += "; stderr: " + last;
  if (memory_limit_bytes > 0) {
    bool near_limit = result.peak_rss_bytes * 2 > memory_limit_bytes;
    bool says_so = last.find("bad_alloc") != std::string::npos || last.find("MemoryError") != std::string::npos ||
                   last.find("out of memory") != std::string::npos ||
                   last.find("Cannot allocate memory") != std::string::npos;
    if (near_limit || says_so) {
      message += fmt::format("; it probably ran out of memory (limit {} MiB, --memory-limit-mib)",
                             memory_limit_bytes >> 20);
    }
  }
  return message;
}

std::optional<int64_t> MarkNs(const ProcessResult& result, std::string_view name) {
  for (const auto& [mark, t_ns] : result.marks) {
    if (mark == name) return t_ns;
  }
  return std::nullopt;
}

void ResetDir(const fs::path& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
}

// Applies --param overrides to the cases that take them; unknown keys are a set-up error.
void ApplyParams(std::vector<CaseSpec>& cases, const std::map<std::string, std::string>& params,
                 std::set<std::string>& used) {
  for (CaseSpec& spec : cases) {
    for (const auto& [key, value] : params) {
      if (auto it = spec.parameters.find(key); it != spec.parameters.end()) {
        it->second = value;
        used.insert(key);
      }
    }
  }
}

// A result with the identity of one implementation on one case, before anything is measured.
ImplementationResult NewResult(const Workload& workload, const CaseSpec& spec, const Implementation& impl) {
  ImplementationResult result;
  result.workload = workload.Name();
  result.case_name = spec.name;
  result.implementation = impl.name;
  result.name = fmt::format("{}/{}/{}", result.workload, result.case_name, result.implementation);
  result.language = impl.language;
  result.role = impl.role;
  result.kind = spec.kind == CaseKind::kService ? "service"
                : spec.kind == CaseKind::kBuild ? "build"
                                                : "batch";
  result.label = impl.label;
  result.build = DescribeBuild(impl);
  result.parameters = spec.parameters;
  result.primary_metric = spec.primary_metric;
  return result;
}

class CaseRun {
 public:
  // `build_case` is the build case's state when spec.kind is kBuild (it measures each repetition), else null.
  CaseRun(const Workload& workload, const CaseSpec& spec, const std::vector<const Implementation*>& impls,
          const RunOptions& options, int64_t& sequence, Progress& progress, BuildCase* build_case = nullptr)
      : workload_(workload),
        spec_(spec),
        options_(options),
        sequence_(sequence),
        progress_(progress),
        build_case_(build_case) {
    for (const Implementation* impl : impls) {
      Add(*impl, spec);
      if (impl->role == "reference" && spec.thread_baseline > 0) {
        CaseSpec baseline = spec;
        baseline.parameters["threads"] = std::to_string(spec.thread_baseline);
        Add(*impl, baseline);
        ImplementationResult& result = results_.back();
        result.implementation = fmt::format("{}@{}t", impl->name, spec.thread_baseline);
        result.name = fmt::format("{}/{}/{}", workload.Name(), spec.name, result.implementation);
        result.role = "thread_baseline";
      }
    }
  }

  std::vector<ImplementationResult> Run() {
    const fs::path case_dir = options_.cache_dir / workload_.Name() / spec_.name;
    if (spec_.kind != CaseKind::kBuild) {  // the harness's own case has no inputs
      fs::create_directories(case_dir);
      workload_.Prepare(spec_, case_dir);
    }
    case_dir_ = case_dir;
    start_ = Clock::now();

    for (int w = 0; w < spec_.warmup_repetitions && AnyActive(); ++w) RunRound(w, /*warmup=*/true);
    Clock::time_point start = Clock::now();
    warmup_s_ = std::chrono::duration<double>(start - start_).count();
    int round = 0;
    while (AnyActive() && !Interrupted()) {
      RunRound(round, /*warmup=*/false);
      ++round;
      double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
      bool all_stop = true;
      for (size_t i = 0; i < results_.size(); ++i) {
        if (!active_[i]) continue;
        std::vector<double> values = CountedValues(results_[i].samples, spec_.primary_metric);
        stats::StopDecision decision = stats::ShouldStop(spec_.stopping, values, elapsed_s);
        results_[i].stop_reason = decision.reason;
        all_stop = all_stop && decision.stop;
      }
      if (all_stop) break;
    }
    for (size_t i = 0; i < results_.size(); ++i) {
      ImplementationResult& result = results_[i];
      if (Interrupted() && result.status == RunStatus::kOk) {
        result.status = RunStatus::kInterrupted;
        result.error = "interrupted by the user";
      }
      result.statistics = ComputeStatistics(result.metrics, result.samples, options_.seed);
    }
    return std::move(results_);
  }

 private:
  bool AnyActive() const { return std::find(active_.begin(), active_.end(), true) != active_.end(); }

  // One more implementation (or the reference at the thread baseline) taking part in every round.
  void Add(const Implementation& impl, const CaseSpec& spec) {
    ImplementationResult result = NewResult(workload_, spec, impl);
    result.metrics = spec.kind == CaseKind::kBatch     ? BatchMetricDescriptors()
                     : spec.kind == CaseKind::kService ? ServiceProcessMetricDescriptors()
                                                       : std::vector<MetricDescriptor>{};
    for (const MetricDescriptor& extra : spec.extra_metrics) {
      bool known = std::any_of(result.metrics.begin(), result.metrics.end(),
                               [&](const MetricDescriptor& m) { return m.name == extra.name; });
      if (!known) result.metrics.push_back(extra);
    }
    results_.push_back(std::move(result));
    impls_.push_back(&impl);
    specs_.push_back(spec);
    active_.push_back(true);
  }

  // The most this case can still take: rounds left at the average round's pace, capped by its time budget.
  double CaseSecondsLeft(int round, bool warmup) const {
    int rounds_done = warmup ? round : spec_.warmup_repetitions + round;
    if (rounds_done == 0) return -1;
    double elapsed_s = std::chrono::duration<double>(Clock::now() - start_).count();
    int rounds_left = spec_.warmup_repetitions + spec_.stopping.max_repetitions - rounds_done;
    double by_pace = elapsed_s / rounds_done * rounds_left;
    double by_budget = spec_.stopping.time_budget_s - (warmup ? 0.0 : elapsed_s - warmup_s_);
    return std::max(0.0, std::min(by_pace, by_budget + elapsed_s / rounds_done));
  }

  // One repetition of every active implementation, starting with a different one each round.
  void RunRound(int round, bool warmup) {
    const size_t n = impls_.size();
    for (size_t k = 0; k < n; ++k) {
      size_t i = (round % 2 == 0) ? k : n - 1 - k;
      if (!active_[i] || Interrupted()) continue;
      ImplementationResult& result = results_[i];
      int repetition = static_cast<int>(result.samples.size());
      progress_.Repetition(result.name, repetition + 1, warmup, spec_.warmup_repetitions + spec_.stopping.max_repetitions,
                           CaseSecondsLeft(round, warmup));
      Sample sample = spec_.kind == CaseKind::kBatch     ? RunBatch(i, repetition)
                      : spec_.kind == CaseKind::kService ? RunService(i, repetition)
                                                         : RunBuild(i);
      sample.sequence = sequence_++;
      sample.repetition = repetition;
      sample.warmup = warmup;
      if (sample.status != RunStatus::kOk) {
        // A wrong or failed run is recorded and ends this implementation's case: timing it again
        // would only measure a broken program.
        active_[i] = false;
        result.status = sample.status;
        result.error = sample.error;
        progress_.Problem(result.name, ToString(sample.status), sample.error);
      }
      result.samples.push_back(std::move(sample));
    }
  }

  RunContext MakeContext(size_t i, int repetition) {
    RunContext context;
    context.implementation = impls_[i];
    context.case_dir = case_dir_;
    context.scratch_dir = options_.scratch_dir / workload_.Name() / spec_.name / results_[i].implementation;
    ResetDir(context.scratch_dir);
    context.stdout_path = context.scratch_dir / "stdout";
    context.seed = options_.seed + static_cast<uint64_t>(repetition);
    context.repetition = repetition;
    return context;
  }

  ProcessSpec MakeProcessSpec(size_t i, const RunContext& context) {
    ProcessSpec process;
    process.argv = impls_[i]->command;
    std::vector<std::string> args = workload_.Arguments(specs_[i], context);
    process.argv.insert(process.argv.end(), args.begin(), args.end());
    process.working_dir = context.scratch_dir;
    process.stdout_path = context.stdout_path;
    process.stderr_path = context.scratch_dir / "stderr";
    process.timeout = options_.timeout.count() > 0 ? options_.timeout : spec_.timeout;
    process.memory_limit_bytes = options_.memory_limit_bytes;
    results_[i].command = process.argv;
    return process;
  }

  static void AddProcessMetrics(const ProcessResult& process, Sample& sample) {
    sample.metrics["wall_ns"] = static_cast<double>(process.wall_ns);
    sample.metrics["user_cpu_ns"] = static_cast<double>(process.user_cpu_ns);
    sample.metrics["sys_cpu_ns"] = static_cast<double>(process.sys_cpu_ns);
    sample.metrics["cpu_ns"] = static_cast<double>(process.user_cpu_ns + process.sys_cpu_ns);
    sample.metrics["peak_rss_bytes"] = static_cast<double>(process.peak_rss_bytes);
    // The harness's own cost of watching the process: what the RSS sampler spent, in the harness thread.
    sample.metrics["rss_sampler_ns"] = static_cast<double>(process.rss_sampling_ns);
  }

  Sample RunBatch(size_t i, int repetition) {
    RunContext context = MakeContext(i, repetition);
    ProcessSpec process = MakeProcessSpec(i, context);
    ProcessResult outcome = RunToCompletion(process);
    Sample sample;
    AddProcessMetrics(outcome, sample);
    if (outcome.outcome == ProcessResult::Outcome::kInterrupted) {
      sample.status = RunStatus::kInterrupted;
      sample.error = "interrupted by the user";
      return sample;
    }
    if (!outcome.ok()) {
      sample.status = RunStatus::kFailed;
      sample.error = FailureMessage(outcome, process.stderr_path, options_.memory_limit_bytes);
      return sample;
    }
    std::optional<int64_t> ready = MarkNs(outcome, "ready");
    std::optional<int64_t> done = MarkNs(outcome, "done");
    if (!ready || !done || *done < *ready) {
      sample.status = RunStatus::kInvalid;
      sample.error = "did not write the 'ready' and 'done' marks (docs/implementation_protocol.md)";
      return sample;
    }
    sample.metrics["startup_ns"] = static_cast<double>(*ready);
    sample.metrics["timed_ns"] = static_cast<double>(*done - *ready);
    Verdict verdict = Verdict::Ok();
    try {
      verdict = workload_.Verify(specs_[i], context, sample.metrics);
    } catch (const std::exception& error) {
      // Whatever the implementation left behind, one repetition's check must not end the whole run.
      verdict = Verdict::Invalid(std::string("could not be verified: ") + error.what());
    }
    if (!verdict.ok) {
      sample.status = RunStatus::kInvalid;
      sample.error = "wrong answer: " + verdict.error;
      return sample;
    }
    results_[i].rss_timeline = outcome.rss_timeline;
    return sample;
  }

  // One clean and incremental build (build_case.h). Whatever the harness's own code throws fails this
  // repetition with the message; the other implementations go on.
  Sample RunBuild(size_t i) {
    const Implementation& impl = *impls_[i];
    results_[i].command = impl.build_command;
    if (!impl.cmake_target.empty()) {
      results_[i].command = {"cmake", "--build", "<new build tree>", "--target", impl.cmake_target};
    }
    ArtifactRecord artifact;
    Sample sample;
    try {
      sample = build_case_->Measure(impl, artifact);
    } catch (const std::exception& error) {
      sample.status = RunStatus::kFailed;
      sample.error = std::string("the harness could not measure the build: ") + error.what();
    }
    if (sample.status == RunStatus::kOk) results_[i].artifact = std::move(artifact);
    return sample;
  }

  Sample RunService(size_t i, int repetition) {
    RunContext context = MakeContext(i, repetition);
    context.port = FreeLoopbackPort();
    ProcessSpec process = MakeProcessSpec(i, context);
    Sample sample;
    ChildProcess child = ChildProcess::Spawn(process);
    std::optional<std::chrono::nanoseconds> ready = child.WaitForMark("ready", kReadyTimeout);
    ServiceMeasurement measurement;
    Verdict verdict = Verdict::Ok();
    if (ready) {
      sample.metrics["startup_ns"] = static_cast<double>(ready->count());
      try {
        verdict = workload_.Drive(specs_[i], context, child, measurement);
      } catch (const SetupError& error) {
        // The load generator could not reach the service it was told is ready: the service's failure.
        verdict = Verdict::Invalid(std::string("could not be driven: ") + error.what());
      }
    }
    bool exited_early = !child.Running();
    child.Terminate(kStopGrace);
    ProcessResult outcome = child.Wait();
    AddProcessMetrics(outcome, sample);
    for (const auto& [name, value] : measurement.metrics) sample.metrics[name] = value;
    if (auto completed = measurement.metrics.find("completed_requests");
        completed != measurement.metrics.end() && completed->second > 0) {
      sample.metrics["cpu_ns_per_request"] = sample.metrics["cpu_ns"] / completed->second;
    }
    if (outcome.outcome == ProcessResult::Outcome::kInterrupted || Interrupted()) {
      sample.status = RunStatus::kInterrupted;
      sample.error = "interrupted by the user";
    } else if (!ready) {
      sample.status = RunStatus::kFailed;
      sample.error = exited_early ? (outcome.ok() ? std::string("exited with status 0 before writing the 'ready' mark")
                                                  : FailureMessage(outcome, process.stderr_path, options_.memory_limit_bytes))
                                  : fmt::format("did not write the 'ready' mark within {} s; stopped it",
                                                kReadyTimeout.count());
    } else if (!verdict.ok) {
      sample.status = RunStatus::kInvalid;
      sample.error = verdict.error;
    } else if (!outcome.ok()) {
      sample.status = RunStatus::kFailed;
      sample.error = "after SIGTERM: " + FailureMessage(outcome, process.stderr_path, options_.memory_limit_bytes);
    } else {
      ImplementationResult& result = results_[i];
      result.rss_timeline = outcome.rss_timeline;
      result.latency = std::move(measurement.latency);
      result.timeline = std::move(measurement.timeline);
    }
    return sample;
  }

  const Workload& workload_;
  const CaseSpec& spec_;
  const RunOptions& options_;
  int64_t& sequence_;
  Progress& progress_;
  BuildCase* build_case_;
  fs::path case_dir_;
  Clock::time_point start_;  // the case's start, warm-up included
  double warmup_s_ = 0;
  std::vector<ImplementationResult> results_;
  std::vector<const Implementation*> impls_;
  std::vector<CaseSpec> specs_;  // the case, or for the thread baseline the case at its thread count
  std::vector<bool> active_;
};

std::vector<std::string> TooFewRepetitionWarnings(const RunResult& run) {
  std::vector<std::string> warnings;
  for (const ImplementationResult& result : run.benchmarks) {
    if (result.status != RunStatus::kOk) continue;
    if (result.artifact && result.artifact->build.starts_with("none:")) continue;  // measured once: by design
    int64_t n = 0;
    for (const Sample& s : result.samples) n += CountsInStatistics(s) ? 1 : 0;
    if (n < 5) {
      warnings.push_back(fmt::format("{}: only {} repetitions; intervals are wide and comparisons weak", result.name, n));
    }
  }
  return warnings;
}

}  // namespace

std::vector<MetricDescriptor> BatchMetricDescriptors() {
  return {{"timed_ns", "ns", false},       {"startup_ns", "ns", false},  {"wall_ns", "ns", false},
          {"cpu_ns", "ns", false},         {"user_cpu_ns", "ns", false}, {"sys_cpu_ns", "ns", false},
          {"peak_rss_bytes", "bytes", false}, {"rss_sampler_ns", "ns", false}};
}

std::vector<MetricDescriptor> ServiceProcessMetricDescriptors() {
  return {{"startup_ns", "ns", false},         {"wall_ns", "ns", false},
          {"cpu_ns", "ns", false},             {"user_cpu_ns", "ns", false},
          {"sys_cpu_ns", "ns", false},         {"peak_rss_bytes", "bytes", false},
          {"cpu_ns_per_request", "ns", false}, {"rss_sampler_ns", "ns", false}};
}

std::vector<MetricStatistics> ComputeStatistics(const std::vector<MetricDescriptor>& metrics,
                                                const std::vector<Sample>& samples, uint64_t seed) {
  std::vector<MetricStatistics> out;
  for (const MetricDescriptor& metric : metrics) {
    std::vector<double> values = CountedValues(samples, metric.name);
    if (values.empty()) continue;
    stats::Summary summary = stats::Summarize(values);
    stats::Interval ci = stats::BootstrapMedianCi(values, 0.95, 10000, seed);
    MetricStatistics s;
    s.metric = metric;
    s.n = static_cast<int64_t>(summary.n);
    s.median = summary.median;
    s.mean = summary.mean;
    s.min = summary.min;
    s.max = summary.max;
    s.q1 = summary.q1;
    s.q3 = summary.q3;
    s.iqr = summary.iqr;
    s.stddev = summary.stddev;
    s.cv = summary.cv;
    s.ci95_low = ci.low;
    s.ci95_high = ci.high;
    s.low_outliers = static_cast<int64_t>(summary.low_outliers);
    s.high_outliers = static_cast<int64_t>(summary.high_outliers);
    out.push_back(s);
  }
  return out;
}

// A thread baseline ("cpp@1t") is compared with its own implementation only: its ratio against another
// implementation says nothing that the same-thread-count comparison does not.
bool Comparable(const ImplementationResult& a, const ImplementationResult& b) {
  auto own = [](const ImplementationResult& baseline, const ImplementationResult& other) {
    return baseline.implementation.rfind(other.implementation + "@", 0) == 0;
  };
  if (a.role == "thread_baseline") return own(a, b);
  if (b.role == "thread_baseline") return own(b, a);
  return true;
}

std::vector<Comparison> CompareAllPairs(const std::vector<ImplementationResult>& case_results) {
  // Baselines in order, the reference first, so the summary finds "vs reference" before any other pair.
  std::vector<const ImplementationResult*> ok;
  for (const ImplementationResult& r : case_results) {
    if (r.status == RunStatus::kOk) ok.push_back(&r);
  }
  std::stable_partition(ok.begin(), ok.end(), [](const ImplementationResult* r) { return r->role == "reference"; });
  std::vector<Comparison> out;
  for (const ImplementationResult* baseline : ok) {
    // Pairs are the repetitions both ran in the same round (same repetition index).
    std::map<int, const Sample*> baseline_by_rep;
    for (const Sample& s : baseline->samples) {
      if (CountsInStatistics(s)) baseline_by_rep[s.repetition] = &s;
    }
    for (const ImplementationResult* contender : ok) {
      if (contender == baseline || !Comparable(*contender, *baseline)) continue;
      for (const MetricDescriptor& metric : contender->metrics) {
        std::vector<double> a, b;
        for (const Sample& s : contender->samples) {
          if (!CountsInStatistics(s)) continue;
          auto base = baseline_by_rep.find(s.repetition);
          if (base == baseline_by_rep.end()) continue;
          auto x = s.metrics.find(metric.name);
          auto y = base->second->metrics.find(metric.name);
          if (x == s.metrics.end() || y == base->second->metrics.end() || !(y->second > 0)) continue;
          a.push_back(x->second);
          b.push_back(y->second);
        }
        if (a.empty()) continue;
        stats::Interval ratio = stats::PairedRatioCi(a, b, 0.95, 10000, 7);
        Comparison c;
        c.workload = contender->workload;
        c.case_name = contender->case_name;
        c.metric = metric.name;
        c.baseline = baseline->implementation;
        c.contender = contender->implementation;
        c.ratio = ratio.point;
        c.ci95_low = ratio.low;
        c.ci95_high = ratio.high;
        c.pairs = static_cast<int64_t>(a.size());
        c.mann_whitney_p = stats::MannWhitneyU(a, b).p_value;
        out.push_back(c);
      }
    }
  }
  return out;
}

RunResult RunSuite(const std::vector<std::unique_ptr<Workload>>& workloads, const ProjectPaths& paths,
                   const RunOptions& options) {
  RunResult run;
  run.run_id = options.result_path.stem().string();
  run.started_at = UtcNowIso8601();
  run.profile = options.profile;
  run.variant = options.variant;
  run.seed = options.seed;
  run.command_line = options.command_line;
  run.context = options.context;
  run.warnings = options.warnings;

  // Everything that can be wrong with the request is found before anything is measured.
  struct Plan {
    const Workload* workload;
    std::vector<Implementation> impls;
    std::vector<CaseSpec> cases;
  };
  std::vector<Plan> plans;
  std::set<std::string> params_used;
  std::set<std::string> impls_seen;
  std::set<std::string> cases_seen;
  for (const auto& workload : workloads) {
    Plan plan{workload.get(), LoadImplementations(paths, workload->Name()), workload->Cases(options.profile)};
    // The harness's own build case comes last, after the workload's (standard and full profiles only).
    if (std::optional<CaseSpec> build = BuildCaseSpec(options.profile)) {
      plan.cases.push_back(std::move(*build));
    }
    std::set<std::string> own_cases;
    for (const CaseSpec& spec : plan.cases) {
      if (!own_cases.insert(spec.name).second) {
        throw SetupError(fmt::format("workload {} defines case '{}' twice in profile {}: results are keyed by case "
                                     "name, so this is a bug in the workload's driver; please report it",
                                     workload->Name(), spec.name, options.profile));
      }
      cases_seen.insert(spec.name);
    }
    if (!options.cases.empty()) {
      std::erase_if(plan.cases, [&](const CaseSpec& spec) {
        return std::find(options.cases.begin(), options.cases.end(), spec.name) == options.cases.end();
      });
    }
    ApplyParams(plan.cases, options.params, params_used);
    for (const Implementation& impl : plan.impls) impls_seen.insert(impl.name);
    if (!options.implementations.empty()) {
      std::erase_if(plan.impls, [&](const Implementation& impl) {
        return std::find(options.implementations.begin(), options.implementations.end(), impl.name) ==
               options.implementations.end();
      });
    }
    plans.push_back(std::move(plan));
  }
  for (const std::string& name : options.implementations) {
    if (!impls_seen.contains(name)) {
      throw SetupError(fmt::format("no selected workload has an implementation named '{}'; see ./claimbench list",
                                   name));
    }
  }
  for (const std::string& name : options.cases) {
    if (!cases_seen.contains(name)) {
      const char* where =
          name == kBuildCaseName ? " (the build case is in the standard and full profiles)" : "";
      throw SetupError(fmt::format("no case named '{}' in the selected workloads; cases: {}{}", name,
                                   fmt::join(cases_seen, ", "), where));
    }
  }
  for (const auto& [key, value] : options.params) {
    if (!params_used.contains(key)) {
      throw SetupError(fmt::format("--param {}={}: no case of the selected workloads takes '{}'", key, value, key));
    }
  }
  for (Plan& plan : plans) {
    for (CaseSpec& spec : plan.cases) {
      if (spec.kind == CaseKind::kBuild) {
        ApplyBuildCaseParameters(spec);  // its parameters are the harness's own: how many builds
        continue;
      }
      for (const Implementation& impl : plan.impls) {
        RunContext probe;
        probe.implementation = &impl;
        (void)plan.workload->Arguments(spec, probe);  // validates parameter values now, not mid-run
      }
    }
  }

  Progress progress(options.interactive_progress);
  int64_t sequence = 0;
  size_t case_count = 0, case_index = 0;
  for (const Plan& plan : plans) case_count += plan.cases.size();
  for (Plan& plan : plans) {
    std::vector<const Implementation*> runnable;
    std::map<std::string, std::string> unavailable;
    if (std::string warning = MixedBuildWarning(plan.impls, options.variant); !warning.empty()) {
      run.warnings.push_back(warning);
    }
    for (Implementation& impl : plan.impls) {
      std::string reason = UnavailableReason(impl, &impl.toolchain_version);
      if (reason.empty()) reason = BuildImplementation(impl, options.scratch_dir / "build-logs");
      if (reason.empty()) {
        runnable.push_back(&impl);
      } else {
        unavailable[impl.name] = reason;
        progress.Problem(fmt::format("{}/{}", plan.workload->Name(), impl.name), "unavailable", reason);
      }
    }
    for (const CaseSpec& spec : plan.cases) {
      if (Interrupted()) break;
      std::vector<const Implementation*> in_case;
      std::map<std::string, std::string> not_in_case = unavailable;
      for (const Implementation* impl : runnable) {
        std::string reason = NotInCaseReason(*impl, spec.name);
        if (reason.empty()) {
          in_case.push_back(impl);
        } else {
          not_in_case[impl->name] = reason;
        }
      }
      std::optional<BuildCase> build_case;
      std::vector<ImplementationResult> case_results;
      if (spec.kind == CaseKind::kBuild) {
        // Only what we build takes part in the rounds: a peer has no build of ours, an interpreted port is
        // measured once for its files, runtime and source lines.
        build_case.emplace(paths, options.scratch_dir / plan.workload->Name() / spec.name, options.variant);
        std::map<std::string, std::string> built_by;  // CMake target -> the first implementation building it
        std::erase_if(in_case, [&](const Implementation* impl) {
          if (!impl->cmake_target.empty() && !built_by.emplace(impl->cmake_target, impl->name).second) {
            // Another implementation runs the same program (columnar_scan's cpp_rowstore is cpp with a flag).
            not_in_case[impl->name] =
                fmt::format("no build of its own: it runs {}'s program (the same CMake target {})",
                            built_by[impl->cmake_target], impl->cmake_target);
            return true;
          }
          std::string reason = NoBuildReason(*impl);
          if (reason.empty()) return false;
          if (impl->role == "peer") {
            not_in_case[impl->name] = reason;
            return true;
          }
          ImplementationResult result = NewResult(*plan.workload, spec, *impl);
          result.metrics = spec.extra_metrics;
          ArtifactRecord artifact;
          Sample sample;
          try {
            sample = build_case->MeasureWithoutBuild(*impl, artifact);
            result.artifact = std::move(artifact);
          } catch (const std::exception& error) {
            sample.status = result.status = RunStatus::kFailed;
            sample.error = result.error = std::string("the harness could not measure it: ") + error.what();
          }
          sample.sequence = sequence++;
          result.samples.push_back(std::move(sample));
          result.stop_reason = reason + ": measured once (nothing to time)";
          result.command = impl->command;
          result.statistics = ComputeStatistics(result.metrics, result.samples, options.seed);
          case_results.push_back(std::move(result));
          return true;
        });
      }
      progress.Case(plan.workload->Name(), spec.name, in_case.size(), ++case_index, case_count);
      if (!in_case.empty()) {
        CaseRun case_run(*plan.workload, spec, in_case, options, sequence, progress,
                         build_case ? &*build_case : nullptr);
        std::vector<ImplementationResult> measured = case_run.Run();
        case_results.insert(case_results.begin(), std::make_move_iterator(measured.begin()),
                            std::make_move_iterator(measured.end()));
      }
      for (const Implementation& impl : plan.impls) {
        auto it = not_in_case.find(impl.name);
        if (it == not_in_case.end()) continue;
        ImplementationResult result = NewResult(*plan.workload, spec, impl);
        result.status = RunStatus::kUnavailable;
        result.error = it->second;
        case_results.push_back(std::move(result));
      }
      std::vector<Comparison> comparisons = CompareAllPairs(case_results);
      run.comparisons.insert(run.comparisons.end(), comparisons.begin(), comparisons.end());
      for (ImplementationResult& result : case_results) run.benchmarks.push_back(std::move(result));
    }
    run.finished_at = UtcNowIso8601();
    WriteResultFile(options.result_path, run);
  }
  progress.Finish();
  std::vector<std::string> few = TooFewRepetitionWarnings(run);
  run.warnings.insert(run.warnings.end(), few.begin(), few.end());
  run.finished_at = UtcNowIso8601();
  std::error_code ignored;
  fs::remove_all(options.scratch_dir, ignored);
  return run;
}

}  // namespace claimbench
