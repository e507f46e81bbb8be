#include "abstractions_workload.h"

#include <fmt/format.h>

#include <algorithm>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "expected_answers.h"

namespace claimbench::abstractions {
namespace {

using std::chrono::seconds;

// Every kernel runs over 64 Ki elements (256 KiB of values, 512 KiB for dot_product's two arrays): inside
// the L2 cache, so the kernels measure the code the compiler made, not memory bandwidth. Quick runs a
// twentieth of the standard passes (a check that every answer is right, about 10 ms windows); full doubles
// them.
constexpr int64_t kElements = 65536;

struct KernelSize {
  const char* kernel;
  int64_t standard_passes;
};

// Passes for about 200 ms of the reference's CPU time per repetition on the project's 2-vCPU machine (user
// time per pass: sum_even_squares 200 us, dot_product 12.5 us, filter_map_collect 210 us, matvec 11.5 us,
// word_lengths 30 us), and at least about 80 ms of the fastest style's where the styles are far apart
// (sum_even_squares: Rust's vectorised loop takes 20 us a pass against GCC's branchy 200 us, so the C++
// takes about 0.8 s there): no pair compares windows of a few ms.
constexpr KernelSize kSizes[] = {
    {"sum_even_squares", 4000}, {"dot_product", 16000},  {"filter_map_collect", 1500},
    {"matvec", 16000},          {"word_lengths", 6000},
};

struct ProfileSettings {
  double passes_scale;  // of the standard passes
  int min_repetitions;
  int max_repetitions;
  double budget_s;  // per case, all implementations together
};

ProfileSettings SettingsFor(std::string_view profile) {
  if (profile == "quick") return {0.05, 6, 6, 20};
  if (profile == "standard") return {1, 12, 20, 90};
  if (profile == "full") return {2, 20, 30, 300};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

KernelRun RunOf(const CaseSpec& spec, uint64_t seed) {
  CaseParameters params(spec);
  KernelRun run;
  run.kernel = params.Choice("kernel", {"sum_even_squares", "dot_product", "filter_map_collect", "matvec",
                                        "word_lengths"});
  run.elements = params.Int("elements", 1, int64_t{1} << 22);
  run.passes = params.Int("passes", 1, 100'000'000);
  if (run.kernel == "matvec") {
    run.columns = params.Int("columns", 1, run.elements);
    if (run.elements % run.columns != 0) {
      throw SetupError(fmt::format("case {}: elements={} is not a multiple of columns={} (SPEC.md)",
                                   spec.name, run.elements, run.columns));
    }
  }
  run.seed = seed;
  return run;
}

class KernelCase final : public PreparedCase {
 public:
  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    const KernelRun run = RunOf(spec, context.seed);
    std::vector<std::string> args = {run.kernel,  "--elements", std::to_string(run.elements), "--passes",
                                     std::to_string(run.passes), "--seed", std::to_string(run.seed)};
    if (run.kernel == "matvec") args.insert(args.end(), {"--columns", std::to_string(run.columns)});
    return args;
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context,
                 std::map<std::string, double>& metrics) override {
    const KernelRun run = RunOf(spec, context.seed);
    const std::string expected = fmt::format("{} {}\n", run.kernel, ExpectedAnswer(run));
    const std::string output = ReadWholeFile(context.stdout_path);
    if (output != expected) {
      std::string got = output.substr(0, 80);
      if (!got.empty() && got.back() == '\n') got.pop_back();
      return Verdict::Invalid(fmt::format("seed {}: expected '{}', got '{}'", run.seed,
                                          expected.substr(0, expected.size() - 1), got));
    }
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0) {
      metrics["elements_per_s"] = static_cast<double>(run.elements) * static_cast<double>(run.passes) * 1e9 /
                                  timed->second;
    }
    return Verdict::Ok();
  }
};

class AbstractionsWorkload final : public Workload {
 public:
  std::string Name() const override { return "abstractions"; }
  std::string Description() const override {
    return "the same kernels as hand-written loops and as iterators/ranges, in C++ and Rust (claim S2)";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    const ProfileSettings settings = SettingsFor(profile);
    std::vector<CaseSpec> cases;
    for (const KernelSize& size : kSizes) {
      CaseSpec spec;
      spec.name = size.kernel;
      spec.description =
          fmt::format("the {} kernel over {} elements, hand-written against high-level", size.kernel, kElements);
      const auto passes =
          static_cast<int64_t>(static_cast<double>(size.standard_passes) * settings.passes_scale);
      spec.parameters = {{"kernel", size.kernel},
                         {"elements", std::to_string(kElements)},
                         {"passes", std::to_string(std::max<int64_t>(passes, 1))}};
      if (spec.name == "matvec") spec.parameters["columns"] = "256";
      spec.stopping.min_repetitions = settings.min_repetitions;
      spec.stopping.max_repetitions = settings.max_repetitions;
      spec.stopping.time_budget_s = settings.budget_s;
      spec.timeout = seconds(60);
      spec.extra_metrics = {{"elements_per_s", "items_per_s", true}};
      cases.push_back(std::move(spec));
    }
    return cases;
  }

  void Validate(const CaseSpec& spec) const override {
    (void)RunOf(spec, 0);
  }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext&,
                                        const CaseDirs&) const override {
    Validate(spec);
    return std::make_unique<KernelCase>();
  }
};

}  // namespace

std::unique_ptr<Workload> MakeAbstractionsWorkload() { return std::make_unique<AbstractionsWorkload>(); }

}  // namespace claimbench::abstractions
