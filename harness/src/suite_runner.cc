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
#include "timed_window.h"
#include "repetition_rounds.h"
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

// The case as its thread baseline runs it: the same, at `thread_baseline` threads.
CaseSpec ThreadBaselineSpec(const CaseSpec& spec) {
  CaseSpec baseline = spec;
  baseline.parameters["threads"] = std::to_string(spec.thread_baseline);
  return baseline;
}

const char* KindName(CaseKind kind) { return kind == CaseKind::kService ? "service" : "batch"; }

// A result with the identity of one implementation on one case, before anything is measured.
ImplementationResult NewResult(const Workload& workload, const CaseSpec& spec, const Implementation& impl) {
  ImplementationResult result;
  result.kind = KindName(spec.kind);
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
  result.tuned = impl.tuned;
  result.build = DescribeBuild(impl);
  result.parameters = spec.parameters;
  result.primary_metric = spec.primary_metric;
  return result;
}

class CaseRun {
 public:
  // `build_case` is the build case's state when spec.kind is kBuild (it measures each repetition), else null.
  CaseRun(const Workload& workload, const WorkloadContext& context, const CaseSpec& spec,
          const std::vector<const Implementation*>& impls, const RunOptions& options, int64_t& sequence,
          Progress& progress, BuildCase* build_case = nullptr)
      : workload_(workload),
        context_(context),
        spec_(spec),
        options_(options),
        sequence_(sequence),
        progress_(progress),
        build_case_(build_case) {
    for (const Implementation* impl : impls) {
      Add(*impl, spec);
      if (impl->role == "reference" && spec.thread_baseline > 0) {
        Add(*impl, ThreadBaselineSpec(spec));
        ImplementationResult& result = results_.back();
        result.implementation = fmt::format("{}@{}t", impl->name, spec.thread_baseline);
        result.name = fmt::format("{}/{}/{}", workload.Name(), spec.name, result.implementation);
        result.role = "thread_baseline";
      }
    }
  }

  std::vector<ImplementationResult> Run() {
    CaseDirs dirs{context_.cache_dir / spec_.name, options_.scratch_dir / workload_.Name() / spec_.name};
    ResetDir(dirs.scratch_dir);
    scratch_dir_ = dirs.scratch_dir;
    if (spec_.kind != CaseKind::kBuild) {  // the harness's own build case has no workload inputs
      fs::create_directories(dirs.cache_dir);
      try {
        prepared_ = workload_.Prepare(spec_, context_, dirs);
      } catch (const std::exception& error) {
        // The case's inputs or answers could not be made: nothing of it can be measured, the rest can.
        std::string message = std::string("the case could not be prepared: ") + error.what();
        progress_.Problem(fmt::format("{}/{}", workload_.Name(), spec_.name), "failed", message);
        for (ImplementationResult& result : results_) {
          result.status = RunStatus::kFailed;
          result.error = message;
        }
        RemoveScratch();
        return std::move(results_);
      }
      std::vector<Calibration> calibrations = prepared_->Calibrations();
      for (ImplementationResult& result : results_) result.calibration = calibrations;
    }
    start_ = Clock::now();

    for (int w = 0; w < spec_.warmup_repetitions && AnyActive(); ++w) RunRound(w, /*warmup=*/true);
    warmup_s_ = std::chrono::duration<double>(Clock::now() - start_).count();
    std::fill(spent_s_.begin(), spent_s_.end(), 0.0);  // budgets count measured repetitions only
    int round = 0;
    while (AnyActive() && !Interrupted()) {
      RunRound(round, /*warmup=*/false);
      ++round;
      // Who goes on: everyone until it has the pairs comparisons need, then within its share of the
      // budget (repetition_rounds.h), so a slow peer never starves the others.
      std::vector<RoundProgress> progress(results_.size());
      for (size_t i = 0; i < results_.size(); ++i) {
        for (const Sample& sample : results_[i].samples) progress[i].counted += CountsInStatistics(sample) ? 1 : 0;
        progress[i].values = CountedValues(results_[i].samples, spec_.primary_metric);
        progress[i].spent_s = spent_s_[i];
        progress[i].ended = !active_[i];
      }
      const RoundPlan plan = PlanNextRound(spec_.stopping, progress);
      for (size_t i = 0; i < results_.size(); ++i) {
        if (!progress[i].ended) results_[i].stop_reason = plan.reasons[i];
        active_[i] = plan.takes_part[i];
      }
      if (plan.case_over) break;
    }
    for (size_t i = 0; i < results_.size(); ++i) {
      ImplementationResult& result = results_[i];
      if (Interrupted() && result.status == RunStatus::kOk) {
        result.status = RunStatus::kInterrupted;
        result.error = "interrupted by the user";
      }
      result.statistics = ComputeStatistics(result.metrics, result.samples, options_.seed);
    }
    RemoveScratch();
    return std::move(results_);
  }

 private:
  // The case's teardown: the prepared case first (it may stop processes that use the scratch folder).
  void RemoveScratch() {
    prepared_.reset();
    std::error_code ignored;
    fs::remove_all(scratch_dir_, ignored);
  }

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
    spent_s_.push_back(0);
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
      const Clock::time_point repetition_start = Clock::now();
      Sample sample = RunContained(i, repetition);
      spent_s_[i] += std::chrono::duration<double>(Clock::now() - repetition_start).count();
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

  // One repetition. Whatever the harness's own code throws (a workload's driver, a file it cannot write)
  // fails this implementation's repetition with the message, and the other implementations go on.
  Sample RunContained(size_t i, int repetition) {
    try {
      switch (spec_.kind) {
        case CaseKind::kBatch: return RunBatch(i, repetition);
        case CaseKind::kService: return RunService(i, repetition);
        case CaseKind::kBuild: return RunBuild(i);
      }
      throw std::logic_error("unknown case kind");
    } catch (const std::exception& error) {
      Sample sample;
      sample.status = RunStatus::kFailed;
      sample.error = std::string("the harness could not run it: ") + error.what();
      return sample;
    }
  }

  RunContext MakeContext(size_t i, int repetition) {
    RunContext context;
    context.implementation = impls_[i];
    context.scratch_dir = scratch_dir_ / results_[i].implementation;
    ResetDir(context.scratch_dir);
    context.stdout_path = context.scratch_dir / "stdout";
    context.seed = options_.seed + static_cast<uint64_t>(repetition);
    context.repetition = repetition;
    return context;
  }

  ProcessSpec MakeProcessSpec(size_t i, const RunContext& context) {
    ProcessSpec process;
    process.argv = impls_[i]->command;
    std::vector<std::string> args = prepared_->Arguments(specs_[i], context);
    process.argv.insert(process.argv.end(), args.begin(), args.end());
    process.env = ImplementationEnvironment(context_.paths);
    process.working_dir = context.scratch_dir;
    process.stdout_path = context.stdout_path;
    process.stderr_path = context.scratch_dir / "stderr";
    process.timeout = options_.timeout.count() > 0 ? options_.timeout : spec_.timeout;
    process.memory_limit_bytes = impls_[i]->memory_limit ? options_.memory_limit_bytes : 0;
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

  // The untimed set-up and the command line of one repetition. Returns the sample of a repetition that never
  // ran when either fails: invalid when the set-up says the implementation's own part of it went wrong (the
  // first sync of an incremental case), failed when the harness's code threw.
  std::optional<Sample> SetUpRepetition(size_t i, const RunContext& context, ProcessSpec& process) {
    Sample sample;
    try {
      if (Verdict ready = prepared_->BeforeRepetition(specs_[i], context); !ready.ok) {
        sample.status = RunStatus::kInvalid;
        sample.error = "the untimed set-up before the repetition failed: " + ready.error;
        return sample;
      }
      process = MakeProcessSpec(i, context);
      return std::nullopt;
    } catch (const std::exception& error) {
      sample.status = RunStatus::kFailed;
      sample.error = std::string("the harness could not set it up: ") + error.what();
      return sample;
    }
  }

  Sample RunBatch(size_t i, int repetition) {
    RunContext context = MakeContext(i, repetition);
    ProcessSpec process;
    if (std::optional<Sample> not_run = SetUpRepetition(i, context, process)) return *not_run;
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
      sample.error = FailureMessage(outcome, process.stderr_path, process.memory_limit_bytes);
      return sample;
    }
    // The marks are judged before the answer: a window without the work makes the time meaningless.
    std::error_code no_size;
    const uintmax_t output_bytes = fs::file_size(context.stdout_path, no_size);
    TimedWindow window = JudgeTimedWindow(outcome, no_size ? 0 : static_cast<int64_t>(output_bytes),
                                          specs_[i].untimed_work_after_done.empty());
    for (const auto& [name, value] : window.metrics) sample.metrics[name] = value;
    if (!window.ok()) {
      sample.status = RunStatus::kInvalid;
      sample.error = window.invalid_reason;
      return sample;
    }
    Verdict verdict = Verdict::Ok();
    try {
      verdict = prepared_->Verify(specs_[i], context, sample.metrics);
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
    ProcessSpec process;
    if (std::optional<Sample> not_run = SetUpRepetition(i, context, process)) return *not_run;
    Sample sample;
    ChildProcess child = ChildProcess::Spawn(process);
    std::optional<std::chrono::nanoseconds> ready = child.WaitForMark("ready", kReadyTimeout);
    ServiceMeasurement measurement;
    Verdict verdict = Verdict::Ok();
    if (ready) {
      sample.metrics["startup_ns"] = static_cast<double>(ready->count());
      try {
        verdict = prepared_->Drive(specs_[i], context, child, measurement);
      } catch (const std::exception& error) {
        // The load generator could not reach the service it was told is ready: the service's failure.
        verdict = Verdict::Invalid(std::string("could not be driven: ") + error.what());
      }
    }
    bool exited_early = !child.Running();
    child.Terminate(kStopGrace);
    ProcessResult outcome = child.Wait();
    KeepServiceLog(i, repetition, process.stderr_path);
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
                                                  : FailureMessage(outcome, process.stderr_path, process.memory_limit_bytes))
                                  : fmt::format("did not write the 'ready' mark within {} s; stopped it",
                                                kReadyTimeout.count());
    } else if (!verdict.ok) {
      sample.status = RunStatus::kInvalid;
      sample.error = verdict.error;
    } else if (!outcome.ok()) {
      sample.status = RunStatus::kFailed;
      sample.error = "after SIGTERM: " + FailureMessage(outcome, process.stderr_path, process.memory_limit_bytes);
    } else {
      ImplementationResult& result = results_[i];
      result.rss_timeline = outcome.rss_timeline;
      result.latency = std::move(measurement.latency);
      result.timeline = std::move(measurement.timeline);
      result.conformance = std::move(measurement.conformance);
    }
    return sample;
  }

  // Copies a service repetition's stderr beside the result file (ServiceLog), before the scratch folder
  // goes: a log that cannot be kept is a warning, never a failed repetition.
  void KeepServiceLog(size_t i, int repetition, const fs::path& stderr_path) {
    std::error_code error;
    const uintmax_t size = fs::file_size(stderr_path, error);
    if (error || size == 0) return;
    ServiceLog log;
    log.repetition = repetition;
    log.path = (fs::path("logs") / options_.result_path.stem() / workload_.Name() / spec_.name /
                fmt::format("{}.{}.stderr", results_[i].implementation, repetition))
                   .string();
    log.truncated = size > static_cast<uintmax_t>(kMaxServiceLogBytes);
    std::string content(std::min<uintmax_t>(size, kMaxServiceLogBytes), '\0');
    std::ifstream in(stderr_path, std::ios::binary);
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    content.resize(static_cast<size_t>(in.gcount()));
    try {
      WriteFileAtomically(options_.result_path.parent_path() / log.path, content);
    } catch (const SetupError& failure) {
      std::cerr << "warning: the service's log was not kept: " << failure.what() << "\n";
      return;
    }
    log.bytes = static_cast<int64_t>(content.size());
    results_[i].service_logs.push_back(std::move(log));
  }

  const Workload& workload_;
  const WorkloadContext& context_;
  const CaseSpec& spec_;
  const RunOptions& options_;
  int64_t& sequence_;
  Progress& progress_;
  std::unique_ptr<PreparedCase> prepared_;  // from Prepare to the end of Run; null for the build case
  BuildCase* build_case_;                   // the build case's state; null for the workload's cases
  fs::path scratch_dir_;                    // the case's; each implementation's repetitions in a folder of it
  Clock::time_point start_;  // the case's start, warm-up included
  double warmup_s_ = 0;
  std::vector<ImplementationResult> results_;
  std::vector<const Implementation*> impls_;
  std::vector<CaseSpec> specs_;  // the case, or for the thread baseline the case at its thread count
  std::vector<bool> active_;   // takes part in the next round
  std::vector<double> spent_s_;  // time of its measured repetitions, s: its share of the budget is counted on it
};

std::vector<std::string> TooFewRepetitionWarnings(const RunResult& run) {
  std::vector<std::string> warnings;
  for (const ImplementationResult& result : run.benchmarks) {
    if (result.status != RunStatus::kOk) continue;
    if (result.artifact && result.artifact->build.starts_with("none:")) continue;  // measured once: by design
    if (!result.conformance.empty()) continue;  // a conformance case's answers: sent once, by design
    int64_t n = 0;
    for (const Sample& s : result.samples) n += CountsInStatistics(s) ? 1 : 0;
    if (n < stats::kMinPairs) {
      warnings.push_back(fmt::format("{}: only {} repetitions, fewer than the {} pairs a comparison needs: its "
                                     "ratios have no interval (inconclusive)",
                                     result.name, n, stats::kMinPairs));
    }
  }
  return warnings;
}

// The build case's implementations that take no part in its rounds, taken out of `in_case`: one that runs
// another's CMake target (columnar_scan's cpp_rowstore is cpp with a flag) and a peer shipped as a package go
// into `not_in_case` with the reason; an interpreted port has no build of ours and is measured once for its
// files, runtime and source lines: its result is returned.
std::vector<ImplementationResult> MeasureWithoutRounds(
    const Workload& workload, const CaseSpec& spec, BuildCase& build_case, const RunOptions& options,
    int64_t& sequence, std::vector<const Implementation*>& in_case,
    std::map<std::string, std::pair<RunStatus, std::string>>& not_in_case) {
  std::vector<ImplementationResult> measured;
  std::map<std::string, std::string> built_by;  // CMake target -> the first implementation building it
  std::erase_if(in_case, [&](const Implementation* impl) {
    if (!impl->cmake_target.empty() && !built_by.emplace(impl->cmake_target, impl->name).second) {
      not_in_case[impl->name] = {RunStatus::kUnavailable,
                                 fmt::format("no build of its own: it runs {}'s program (the same CMake target {})",
                                             built_by[impl->cmake_target], impl->cmake_target)};
      return true;
    }
    const std::string reason = NoBuildReason(*impl);
    if (reason.empty()) return false;
    if (impl->role == "peer") {
      not_in_case[impl->name] = {RunStatus::kUnavailable, reason};
      return true;
    }
    ImplementationResult result = NewResult(workload, spec, *impl);
    result.metrics = spec.extra_metrics;
    ArtifactRecord artifact;
    Sample sample;
    try {
      sample = build_case.MeasureWithoutBuild(*impl, artifact);
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
    measured.push_back(std::move(result));
    return true;
  });
  return measured;
}

// Every implementation of a case that the harness itself failed on (e.g. Prepare threw), with the message.
std::vector<ImplementationResult> FailedCase(const Workload& workload, const CaseSpec& spec,
                                             const std::vector<const Implementation*>& impls,
                                             const std::string& error) {
  std::vector<ImplementationResult> results;
  for (const Implementation* impl : impls) {
    ImplementationResult result = NewResult(workload, spec, *impl);
    result.status = Interrupted() ? RunStatus::kInterrupted : RunStatus::kFailed;
    result.error = error;
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace

std::vector<MetricDescriptor> BatchMetricDescriptors() {
  return {{"timed_ns", "ns", false},       {"startup_ns", "ns", false},  {"wall_ns", "ns", false},
          {"cpu_ns", "ns", false},         {"user_cpu_ns", "ns", false}, {"sys_cpu_ns", "ns", false},
          {"peak_rss_bytes", "bytes", false}, {"rss_sampler_ns", "ns", false},
          // The timed window's evidence (timed_window.h): where the CPU went, and how the marks were timed.
          {"cpu_before_ready_ns", "ns", false},  {"cpu_timed_ns", "ns", false},
          {"cpu_after_done_ns", "ns", false},
          {"ready_correction_ns", "ns", false}, {"done_correction_ns", "ns", false},
          {"ready_stamp_refused_ns", "ns", false}, {"done_stamp_refused_ns", "ns", false},
          {"window_opened_before_ready_ns", "ns", false}};
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
  // A conformance case's answers are compared row by row in the report, not as ratios: its one repetition
  // would only give every claim that names the case's workload an inconclusive ratio (L4's startup_ns).
  std::vector<const ImplementationResult*> ok;
  for (const ImplementationResult& r : case_results) {
    if (r.status == RunStatus::kOk && r.conformance.empty()) ok.push_back(&r);
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
        // Below stats::kMinPairs the ratio is kept but its interval and p-value are NaN (null): inconclusive.
        const stats::PairedRatio ratio = stats::ComparePairs(a, b);
        Comparison c;
        c.workload = contender->workload;
        c.case_name = contender->case_name;
        c.metric = metric.name;
        c.higher_is_better = metric.higher_is_better;
        c.baseline = baseline->implementation;
        c.contender = contender->implementation;
        c.ratio = ratio.ratio;
        c.ci95_low = ratio.ci95_low;
        c.ci95_high = ratio.ci95_high;
        c.pairs = static_cast<int64_t>(ratio.pairs);
        c.min_pairs = static_cast<int64_t>(stats::kMinPairs);
        c.wilcoxon_p = ratio.wilcoxon_p;
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
  run.parameter_overrides = options.params;
  run.context = options.context;
  run.warnings = options.warnings;

  // Everything that can be wrong with the request is found before anything is measured.
  struct Plan {
    const Workload* workload;
    WorkloadContext context;           // every implementation of the workload, selected or not
    std::vector<Implementation> impls;  // the selected ones
    std::vector<CaseSpec> cases;
  };
  std::vector<Plan> plans;
  std::set<std::string> params_used;
  std::set<std::string> impls_seen;
  std::set<std::string> cases_seen;
  for (const auto& workload : workloads) {
    WorkloadContext context{paths, paths.root / "workloads" / workload->Name(), options.cache_dir / workload->Name(),
                            LoadImplementations(paths, workload->Name())};
    Plan plan{workload.get(), context, context.implementations, workload->Cases(options.profile)};
    // The harness's own build case comes last, after the workload's (standard and full profiles only).
    if (std::optional<CaseSpec> build = BuildCaseSpec(options.profile)) plan.cases.push_back(std::move(*build));
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
    for (CaseSpec& spec : plan.cases) {  // every value now, not mid-run
      if (spec.kind == CaseKind::kBuild) {
        ApplyBuildCaseParameters(spec);  // its parameters are the harness's own: how many builds
        continue;
      }
      plan.workload->Validate(spec);
      if (spec.thread_baseline > 0) plan.workload->Validate(ThreadBaselineSpec(spec));
    }
  }

  Progress progress(options.interactive_progress);
  int64_t sequence = 0;
  size_t case_count = 0, case_index = 0;
  for (const Plan& plan : plans) case_count += plan.cases.size();
  for (Plan& plan : plans) {
    const Workload& workload = *plan.workload;
    std::set<std::string> cases_done;
    if (std::string warning = MixedBuildWarning(plan.impls, options.variant); !warning.empty()) {
      run.warnings.push_back(warning);
    }
    try {
      // Implementations that cannot run here are unavailable; one whose build fails is failed. One that
      // takes part in none of the run's cases is not built (a peer that builds for minutes, in a quick run).
      std::map<std::string, std::pair<RunStatus, std::string>> not_running;
      std::vector<std::string> case_names;
      for (const CaseSpec& spec : plan.cases) case_names.push_back(spec.name);
      for (Implementation& impl : plan.impls) {
        const std::string name = fmt::format("{}/{}", workload.Name(), impl.name);
        std::pair<RunStatus, std::string> problem{RunStatus::kUnavailable, ""};
        try {
          // Left out of this profile: neither checked nor built (a slow build would dominate a quick run).
          problem.second = NotInProfileReason(impl, options.profile, !options.implementations.empty());
          if (problem.second.empty()) problem.second = UnavailableReason(impl, &impl.toolchain_version);
          if (problem.second.empty() && TakesPartInAny(impl, case_names, options.profile)) {
            problem = {RunStatus::kFailed, BuildImplementation(impl, options.scratch_dir / "build-logs")};
          }
        } catch (const std::exception& error) {
          problem = {RunStatus::kFailed, std::string("the harness could not prepare it: ") + error.what()};
        }
        if (!problem.second.empty()) {
          not_running[impl.name] = problem;
          progress.Problem(name, ToString(problem.first), problem.second);
        }
      }
      for (const CaseSpec& spec : plan.cases) {
        if (Interrupted()) break;
        // An implementation without an equivalent of the case says so, whether or not it could run here.
        std::vector<const Implementation*> in_case;
        std::map<std::string, std::pair<RunStatus, std::string>> not_in_case;
        for (const Implementation& impl : plan.impls) {
          if (std::string reason = NotInCaseReason(impl, spec.name, options.profile); !reason.empty()) {
            not_in_case[impl.name] = {RunStatus::kUnavailable, reason};
          } else if (auto problem = not_running.find(impl.name); problem != not_running.end()) {
            not_in_case[impl.name] = problem->second;
          } else {
            in_case.push_back(&impl);
          }
        }
        std::vector<ImplementationResult> case_results;
        std::optional<BuildCase> build_case;
        if (spec.kind == CaseKind::kBuild) {
          build_case.emplace(paths, options.scratch_dir / workload.Name() / "build-case", options.variant);
          case_results = MeasureWithoutRounds(workload, spec, *build_case, options, sequence, in_case, not_in_case);
        }
        progress.Case(workload.Name(), spec.name, in_case.size(), ++case_index, case_count);
        if (!in_case.empty()) {
          try {
            CaseRun case_run(workload, plan.context, spec, in_case, options, sequence, progress,
                             build_case ? &*build_case : nullptr);
            std::vector<ImplementationResult> measured = case_run.Run();
            case_results.insert(case_results.begin(), std::make_move_iterator(measured.begin()),
                                std::make_move_iterator(measured.end()));
          } catch (const std::exception& error) {
            // E.g. its inputs could not be made: this case fails, the next one and other workloads go on.
            const std::string message = std::string("the harness could not run this case: ") + error.what();
            progress.Problem(fmt::format("{}/{}", workload.Name(), spec.name), "failed", message);
            std::vector<ImplementationResult> failed = FailedCase(workload, spec, in_case, message);
            case_results.insert(case_results.begin(), std::make_move_iterator(failed.begin()),
                                std::make_move_iterator(failed.end()));
          }
        }
        for (const Implementation& impl : plan.impls) {
          auto it = not_in_case.find(impl.name);
          if (it == not_in_case.end()) continue;
          ImplementationResult result = NewResult(workload, spec, impl);
          result.status = it->second.first;
          result.error = it->second.second;
          case_results.push_back(std::move(result));
        }
        std::vector<Comparison> comparisons = CompareAllPairs(case_results);
        run.comparisons.insert(run.comparisons.end(), comparisons.begin(), comparisons.end());
        for (ImplementationResult& result : case_results) run.benchmarks.push_back(std::move(result));
        cases_done.insert(spec.name);
      }
    } catch (const std::exception& error) {
      // Whatever else went wrong in this workload fails its remaining cases; the other workloads still run.
      const std::string message = fmt::format("the harness failed on workload {}: {}", workload.Name(), error.what());
      progress.Problem(workload.Name(), "failed", message);
      for (const CaseSpec& spec : plan.cases) {
        if (cases_done.contains(spec.name)) continue;
        std::vector<const Implementation*> in_case;
        for (const Implementation& impl : plan.impls) {
          if (std::string reason = NotInCaseReason(impl, spec.name, options.profile); reason.empty()) {
            in_case.push_back(&impl);
          } else {
            ImplementationResult result = NewResult(workload, spec, impl);
            result.status = RunStatus::kUnavailable;
            result.error = reason;
            run.benchmarks.push_back(std::move(result));
          }
        }
        for (ImplementationResult& result : FailedCase(workload, spec, in_case, message)) {
          run.benchmarks.push_back(std::move(result));
        }
      }
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
