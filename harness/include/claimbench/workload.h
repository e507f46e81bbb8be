// What a workload tells the harness: its cases, the SPEC arguments for each, and how to verify answers.
//
// Design: implementations stay simple programs that follow their workload's SPEC.md; everything about
// measuring (repetitions, interleaving, timeouts, sampling, statistics) lives in the suite runner. A
// Workload is the only workload-specific code the harness runs: it prepares inputs, builds the argument
// list, and verifies every output before its time may count. Batch cases run one process per repetition;
// service cases start the implementation, wait for it to be ready, and Drive() it with load.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/implementation.h"
#include "claimbench/result.h"
#include "claimbench/statistics.h"

namespace claimbench {

class ChildProcess;

// kBuild: the harness's own build case (build_case.h), which the standard and full profiles add to every
// workload; a workload's Cases() never returns it.
enum class CaseKind { kBatch, kService, kBuild };

// One measured scenario of a workload, for one profile.
struct CaseSpec {
  std::string name;
  CaseKind kind = CaseKind::kBatch;
  std::string description;
  std::map<std::string, std::string> parameters;  // profile defaults; `run --param K=V` overrides
  int warmup_repetitions = 1;
  stats::StoppingRule stopping;                   // repetitions after warm-up, per implementation
  std::chrono::nanoseconds timeout{std::chrono::seconds(60)};  // per repetition, process start to exit
  std::string primary_metric = "timed_ns";        // what stopping rules and comparisons look at
  std::vector<MetricDescriptor> extra_metrics;    // metrics the workload adds to the standard ones
  // > 0: the reference implementation also runs with parameter threads=N, interleaved with the others in
  // every round, as "<reference>@<N>t" (role "thread_baseline"), so the case reports the reference's
  // speed-up over N threads as a paired ratio. For a case whose own `threads` parameter is larger.
  int thread_baseline = 0;
};

// Where one repetition runs. All paths exist when the workload sees them.
struct RunContext {
  const Implementation* implementation = nullptr;
  std::filesystem::path case_dir;     // inputs shared by every repetition of the case
  std::filesystem::path scratch_dir;  // emptied before each repetition
  std::filesystem::path stdout_path;  // the implementation's captured stdout
  uint16_t port = 0;                  // services: where the implementation must listen
  uint64_t seed = 0;
  int repetition = 0;
};

// The verdict on one repetition's output. `ok == false` makes the repetition invalid: it is recorded,
// never counted in statistics.
struct Verdict {
  bool ok = true;
  std::string error;  // one line saying what was wrong, e.g. "line 3: expected 17 ids, got 16"
  static Verdict Ok() { return {}; }
  static Verdict Invalid(std::string why) { return {false, std::move(why)}; }
};

// What Drive() measured while the service ran.
struct ServiceMeasurement {
  std::map<std::string, double> metrics;        // e.g. latency_p99_ns, achieved_rps
  std::vector<LatencyDistribution> latency;
  std::vector<TimePoint> timeline;
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string Name() const = 0;
  virtual std::string Description() const = 0;

  // The cases of `profile` ("quick", "standard", "full"). Throws SetupError for an unknown profile.
  virtual std::vector<CaseSpec> Cases(std::string_view profile) const = 0;

  // Makes the case's inputs under case_dir (generated data, copies of test files); called once per case
  // before any repetition. Throws SetupError when inputs cannot be made.
  virtual void Prepare(const CaseSpec& spec, const std::filesystem::path& case_dir) const {
    (void)spec;
    (void)case_dir;
  }

  // The SPEC arguments that follow the implementation's own command.
  virtual std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) const = 0;

  // Batch: checks the output of a repetition that exited 0; may add derived metrics (throughput).
  virtual Verdict Verify(const CaseSpec& spec, const RunContext& context,
                         std::map<std::string, double>& metrics) const = 0;

  // Service: called once the implementation is ready; drives it and checks every answer.
  virtual Verdict Drive(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                        ServiceMeasurement& measurement) const {
    (void)spec;
    (void)context;
    (void)process;
    (void)measurement;
    return Verdict::Invalid("this workload has no service cases");
  }
};

// A workload the project knows about. `make` is null for one that is planned but not built yet.
struct WorkloadEntry {
  std::string name;
  std::string summary;
  std::unique_ptr<Workload> (*make)() = nullptr;
};

// Every workload of the suite, in the order `run` measures them.
const std::vector<WorkloadEntry>& AllWorkloads();

}  // namespace claimbench
