// What a workload tells the harness: its cases, and for each case a prepared object that owns the case's
// state while it runs.
//
// Design: implementations stay simple programs that follow their workload's SPEC.md; everything about
// measuring (repetitions, interleaving, timeouts, sampling, statistics) lives in the suite runner. A Workload
// is the only workload-specific code the harness runs, and its life per run is explicit:
//   1. Cases(profile) lists the profile's cases; the runner applies `--param` overrides.
//   2. Validate(case) checks every parameter value before anything runs, so a typo fails in a second, not
//      after an hour of measuring.
//   3. Prepare(case) makes the case's inputs and expected answers, runs any calibration (a parameter derived
//      by measuring, e.g. an offered load from a peer's maximum: recorded in the result, the same whichever
//      implementations are selected), and returns a PreparedCase that owns all of that state: file paths,
//      started origins, derived constants. It builds each repetition's arguments, verifies each answer and
//      drives services.
//   4. The runner destroys the PreparedCase when the case ends, on success, failure, exception or Ctrl-C
//      alike: its destructor is the teardown (origins stopped), and the case's scratch directory is removed.
// Nothing is kept between cases but what Prepare caches on disk, so no result depends on which
// implementation or case happened to run first. Batch cases run one process per repetition; service cases
// start the implementation, wait for its `ready` mark, and Drive() it with load.
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
  // Non-empty when the SPEC has the implementation do real work after `done` besides writing its answer
  // (what, in a few words: e.g. sync's statistics line hashes the whole folder). The harness then does not
  // judge the CPU spent after `done` (docs/implementation_protocol.md); it still measures it.
  std::string untimed_work_after_done;
  // True for a conformance case: each implementation answers it once (no warm-up, one repetition) and its
  // answers (ServiceMeasurement::conformance) are shown row by row in the report, never as paired ratios,
  // so it is exempt from the verdict profiles' minimum number of pairs.
  bool conformance_only = false;
};

// What the harness knows about one workload for a whole run, computed once: where the project is, where
// inputs are cached, and every implementation the workload has (selected for this run or not).
struct WorkloadContext {
  ProjectPaths paths;                  // the checkout, the C++ variant's build, the project's Python
  std::filesystem::path dir;           // workloads/<name>/ (its data/ holds committed test data)
  std::filesystem::path cache_dir;     // .cache/<name>/: generated inputs, kept between runs
  std::vector<Implementation> implementations;  // the reference first (LoadImplementations' order)

  // The workload's reference implementation (LoadImplementations guarantees exactly one).
  const Implementation& Reference() const;
  // The implementation named `name`, or nullptr when the workload has none by that name.
  const Implementation* Find(std::string_view name) const;
};

// Where one case keeps its files. Both exist when Prepare is called.
struct CaseDirs {
  std::filesystem::path cache_dir;    // .cache/<workload>/<case>/: kept between runs (inputs, answers)
  std::filesystem::path scratch_dir;  // the case's temporary folder: removed when the case ends
};

// Where one repetition runs. All paths exist when the workload sees them.
struct RunContext {
  const Implementation* implementation = nullptr;
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
  std::vector<ConformanceCheck> conformance;  // a conformance case's checks, in the order they were sent
};

// One case of a workload, prepared: owns the case's state from Prepare to the end of the case. The runner
// calls its methods from one thread. `spec` is the case as this implementation runs it (for a thread
// baseline, with its own `threads`). A method that throws makes that repetition invalid with the message,
// never the run.
class PreparedCase {
 public:
  virtual ~PreparedCase() = default;

  // Parameters derived by measuring during Prepare (an offered load, a bandwidth probe), recorded in every
  // result of the case.
  virtual std::vector<Calibration> Calibrations() const { return {}; }

  // Untimed work before one repetition: a fresh copy of an input, a store to sync into. A verdict that is
  // not ok makes the repetition invalid without running it.
  virtual Verdict BeforeRepetition(const CaseSpec& spec, const RunContext& context);

  // The SPEC arguments that follow the implementation's own command.
  virtual std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) = 0;

  // Batch: checks the output of a repetition that exited 0; may add derived metrics (throughput).
  virtual Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics);

  // Service: called once the implementation is ready; drives it and checks every answer.
  virtual Verdict Drive(const CaseSpec& spec, const RunContext& context, ChildProcess& process,
                        ServiceMeasurement& measurement);
};

class Workload {
 public:
  virtual ~Workload() = default;

  virtual std::string Name() const = 0;
  virtual std::string Description() const = 0;

  // The cases of `profile` ("quick", "standard", "full"). Throws SetupError for an unknown profile.
  virtual std::vector<CaseSpec> Cases(std::string_view profile) const = 0;

  // Checks every parameter of `spec` (after overrides) without touching the disk or starting anything.
  // Throws SetupError naming the case, the parameter and what it accepts.
  virtual void Validate(const CaseSpec& spec) const = 0;

  // Makes the case's inputs and expected answers (cached under dirs.cache_dir when that is worth it) and
  // runs its calibration. Throws SetupError when the case cannot be prepared: the runner then records the
  // case's implementations as failed with that message and goes on with the next case.
  virtual std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                                const CaseDirs& dirs) const = 0;
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
