// claimbench-harness: the measuring half of ./claimbench (the script installs and builds, then calls this).
// main() is small: it parses the command line, runs one subcommand, and turns set-up errors into one
// clear line and exit status 2.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "claimbench/build_info.h"
#include "claimbench/compare.h"
#include "claimbench/error.h"
#include "claimbench/fingerprint.h"
#include "claimbench/histogram.h"
#include "claimbench/implementation.h"
#include "claimbench/implementation_tests.h"
#include "claimbench/process.h"
#include "claimbench/result_json.h"
#include "claimbench/suite_runner.h"
#include "claimbench/summary_table.h"
#include "claimbench/workload.h"
#include "timestamps.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

ProjectPaths FindPaths() {
  ProjectPaths paths;
  const char* root = std::getenv("CLAIMBENCH_ROOT");
  paths.root = fs::absolute(root != nullptr && *root != '\0' ? fs::path(root) : fs::path(build_info::kSourceDir));
  paths.build_dir = build_info::kBinaryDir;
  paths.python = paths.root / ".venv" / "bin" / "python";
  if (!fs::exists(paths.root / "workloads")) {
    throw SetupError(fmt::format("{} is not a claimbench checkout (no workloads/); set CLAIMBENCH_ROOT or run ./claimbench",
                                 paths.root.string()));
  }
  // Toolchains that ./claimbench setup installed into the project (setup/install-toolchains.sh) come first
  // on PATH, for version checks, builds, tests and the implementations alike.
  fs::path toolchains = paths.root / ".toolchains" / "bin";
  const char* path = std::getenv("PATH");
  std::string current = path == nullptr ? "/usr/bin:/bin" : path;
  if (fs::is_directory(toolchains) && !current.starts_with(toolchains.string() + ":")) {
    ::setenv("PATH", (toolchains.string() + ":" + current).c_str(), 1);
  }
  return paths;
}

const WorkloadEntry& FindWorkload(const std::string& name) {
  std::vector<std::string> names;
  for (const WorkloadEntry& entry : AllWorkloads()) {
    if (entry.name == name) {
      if (entry.make == nullptr) {
        throw SetupError(fmt::format("workload '{}' is planned but has no implementation yet; see ./claimbench list",
                                     name));
      }
      return entry;
    }
    names.push_back(entry.name);
  }
  throw SetupError(fmt::format("unknown workload '{}'; choose from: {}", name, fmt::join(names, ", ")));
}

nlohmann::json Fingerprint(const ProjectPaths& paths) {
  FingerprintOptions options;
  options.repo_root = paths.root;
  options.variant = build_info::kVariant;
  options.library_versions = {{"oneTBB", build_info::kTbbVersion},
                              {"jemalloc", build_info::kJemallocVersion},
                              {"google-benchmark", build_info::kBenchmarkVersion}};
  return CollectFingerprint(options);
}

// A runaway implementation must not take the machine down with it. Sanitizer builds reserve terabytes of
// shadow address space, which a data-segment limit would refuse, so they run without one.
int64_t DefaultMemoryLimitBytes() {
  std::string_view variant = build_info::kVariant;
  if (variant == "asan" || variant == "tsan") return 0;
  int64_t pages = ::sysconf(_SC_PHYS_PAGES);
  int64_t page_size = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? pages / 4 * 3 * page_size : 0;
}

struct RunArgs {
  std::vector<std::string> workloads;
  std::vector<std::string> impls;
  std::vector<std::string> cases;
  double timeout_s = 0;
  int64_t memory_limit_mib = -1;
  std::string profile = "quick";
  std::string variant = build_info::kVariant;
  std::string out;
  std::vector<std::string> params;
  uint64_t seed = 20261121;
  std::string result_path_file;
};

int CommandRun(const RunArgs& args, const std::vector<std::string>& command_line) {
  ProjectPaths paths = FindPaths();
  if (args.variant != build_info::kVariant) {
    throw SetupError(fmt::format("this harness was built as the '{}' variant, not '{}'; use ./claimbench run --variant {}",
                                 build_info::kVariant, args.variant, args.variant));
  }
  std::vector<std::unique_ptr<Workload>> workloads;
  if (args.workloads.empty()) {
    for (const WorkloadEntry& entry : AllWorkloads()) {
      if (entry.make != nullptr) workloads.push_back(entry.make());
    }
  } else {
    std::set<std::string> seen;
    for (const std::string& name : args.workloads) {
      if (seen.insert(name).second) workloads.push_back(FindWorkload(name).make());
    }
  }
  RunOptions options;
  options.implementations = args.impls;
  options.cases = args.cases;
  options.timeout = std::chrono::nanoseconds(static_cast<int64_t>(args.timeout_s * 1e9));
  options.memory_limit_bytes = args.memory_limit_mib >= 0 ? args.memory_limit_mib << 20 : DefaultMemoryLimitBytes();
  options.profile = args.profile;
  options.variant = args.variant;
  options.seed = args.seed;
  options.command_line = command_line;
  for (const std::string& param : args.params) {
    size_t eq = param.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw SetupError(fmt::format("--param expects KEY=VALUE, got '{}'", param));
    }
    options.params[param.substr(0, eq)] = param.substr(eq + 1);
  }
  fs::path out = args.out.empty() ? paths.root : fs::absolute(args.out);
  std::string run_id = NewRunId();
  options.result_path = out / "results" / (run_id + ".json");
  options.cache_dir = paths.root / ".cache";
  options.scratch_dir = fs::temp_directory_path() / ("claimbench-" + run_id);
  options.interactive_progress = ::isatty(STDERR_FILENO) != 0;
  options.context = Fingerprint(paths);
  options.warnings = FingerprintWarnings(options.context);
  for (const std::string& warning : options.warnings) std::cerr << "claimbench: warning: " << warning << "\n";

  InstallInterruptHandler();
  RunResult run = RunSuite(workloads, paths, options);
  WriteResultFile(options.result_path, run);
  if (!args.result_path_file.empty()) std::ofstream(args.result_path_file) << options.result_path.string();
  WriteSummaryTable(std::cout, run);
  std::cout << "\nresult: " << options.result_path.string() << "\n";
  if (Interrupted()) return kExitInterrupted;
  for (const ImplementationResult& r : run.benchmarks) {
    if (r.status == RunStatus::kFailed || r.status == RunStatus::kInvalid) return kExitFailure;
  }
  return kExitOk;
}

int CommandList() {
  ProjectPaths paths = FindPaths();
  for (const WorkloadEntry& entry : AllWorkloads()) {
    std::cout << fmt::format("{:<15} {}\n", entry.name, entry.summary);
    if (entry.make == nullptr) {
      std::cout << fmt::format("{:<15}   (planned: no implementation yet)\n", "");
      continue;
    }
    const std::vector<Implementation> impls = LoadImplementations(paths, entry.name);
    size_t name_width = 10;  // the columns stay aligned past long names (cpp_libcxx_hardened)
    for (const Implementation& impl : impls) name_width = std::max(name_width, impl.name.size());
    for (const Implementation& impl : impls) {
      std::string version;
      std::string reason = UnavailableReason(impl, &version);
      // A "system" toolchain is the peer's own program (nginx 1.22.1): name the peer.
      std::string toolchain =
          version.empty() ? ""
                          : fmt::format(" ({} {})", impl.toolchain.name == "system" ? impl.name : impl.toolchain.name,
                                        version);
      std::cout << fmt::format("{:<15}   {:<{}} {:<8} {:<10} {:<10} {}\n", "", impl.name, name_width, impl.language, impl.role,
                               impl.label, reason.empty() ? "available" + toolchain : "unavailable: " + reason);
    }
  }
  return kExitOk;
}

// Runs every implementation's own tests ([test] in impl.toml) and writes JUnit XML into `reports_dir`.
int CommandTestImplementations(std::vector<std::string> workloads, const std::string& reports_dir) {
  ProjectPaths paths = FindPaths();
  if (workloads.empty()) {
    for (const WorkloadEntry& entry : AllWorkloads()) {
      if (entry.make != nullptr) workloads.push_back(entry.name);
    }
  }
  for (const std::string& workload : workloads) FindWorkload(workload);
  InstallInterruptHandler();
  int failed = 0;
  for (const ImplementationTestSummary& summary : RunImplementationTests(paths, workloads, reports_dir, std::cerr)) {
    failed += summary.failed;
  }
  if (Interrupted()) return kExitInterrupted;
  return failed > 0 ? kExitFailure : kExitOk;
}

int CommandExec(const std::string& workload, const std::string& impl_name, const std::vector<std::string>& rest) {
  ProjectPaths paths = FindPaths();
  FindWorkload(workload);
  std::vector<Implementation> impls = LoadImplementations(paths, workload);
  const Implementation* chosen = nullptr;
  std::vector<std::string> names;
  for (const Implementation& impl : impls) {
    names.push_back(impl.name);
    if (impl_name.empty() ? impl.role == "reference" : impl.name == impl_name) chosen = &impl;
  }
  if (chosen == nullptr) {
    throw SetupError(fmt::format("workload '{}' has no implementation '{}'; choose from: {}", workload, impl_name,
                                 fmt::join(names, ", ")));
  }
  if (std::string reason = UnavailableReason(*chosen); !reason.empty()) {
    throw SetupError(fmt::format("{}/{} is unavailable: {}", workload, chosen->name, reason));
  }
  if (std::string failure = BuildImplementation(*chosen, fs::temp_directory_path() / "claimbench-exec-logs");
      !failure.empty()) {
    std::cerr << fmt::format("claimbench: error: {}/{} could not be built: {}\n", workload, chosen->name, failure);
    return kExitFailure;  // the implementation's failure, not a usage error
  }
  ProcessSpec spec;
  spec.argv = chosen->command;
  spec.argv.insert(spec.argv.end(), rest.begin(), rest.end());
  spec.env = ImplementationEnvironment(paths);  // what the suite runner gives it too
  spec.inherit_stdio = true;
  spec.working_dir = fs::current_path();
  spec.rss_sample_interval = std::chrono::nanoseconds(0);
  InstallInterruptHandler();
  ProcessResult result = RunToCompletion(spec);
  if (result.outcome == ProcessResult::Outcome::kExited) return result.exit_code;
  std::cerr << "claimbench: " << chosen->name << ": " << result.error << "\n";
  return result.outcome == ProcessResult::Outcome::kInterrupted ? kExitInterrupted : kExitFailure;
}

int CommandCompare(const std::string& base, const std::string& next, const CompareOptions& options,
                   const std::string& markdown_path) {
  RunResult a = LoadRunOrDirectory(base, options.allow_different);
  RunResult b = LoadRunOrDirectory(next, options.allow_different);
  if (std::vector<std::string> differences = RunDifferences(a, b); !differences.empty() && !options.allow_different) {
    throw SetupError(fmt::format("{} and {} are not comparable ({}); compare runs of the same profile, variant, "
                                 "parameters and machine, or pass --allow-different to compare them anyway",
                                 base, next, fmt::join(differences, "; ")));
  }
  CompareReport report = CompareRuns(a, b, options);
  WriteCompareText(std::cout, report, options);
  if (!markdown_path.empty()) {
    std::ofstream md(markdown_path);
    if (!md) throw SetupError(fmt::format("cannot write {}", markdown_path));
    WriteCompareMarkdown(md, report, options);
  }
  return report.regression ? kExitFailure : kExitOk;
}

// Prints stored latency distributions in HdrHistogram's percentile text (docs/histogram_format.md), so
// they can be re-plotted with HdrHistogram's own tools or any plotting program.
int CommandLatency(const std::string& path, const std::string& benchmark, const std::string& which, double scale) {
  RunResult run = ReadResultFile(path);
  int printed = 0;
  for (const ImplementationResult& result : run.benchmarks) {
    if (!benchmark.empty() && result.name != benchmark) continue;
    for (const LatencyDistribution& d : result.latency) {
      if (!which.empty() && d.name != which) continue;
      Histogram histogram =
          Histogram::FromBuckets(d.lowest_discernible_value, d.highest_trackable_value, d.significant_digits, d.buckets);
      std::cout << fmt::format("# {} {} latency, values in {}\n", result.name, d.name,
                               scale == 1.0 ? "ns" : scale == 1e3 ? "us" : "ms");
      histogram.WritePercentileText(std::cout, 5, scale);
      ++printed;
    }
  }
  if (printed == 0) {
    throw SetupError(fmt::format("{} has no latency distribution{}; services record them (e.g. null/echo_service/cpp)",
                                 path, benchmark.empty() ? "" : " for " + benchmark));
  }
  return kExitOk;
}

int CommandEnv(bool json_only) {
  ProjectPaths paths = FindPaths();
  nlohmann::json fingerprint = Fingerprint(paths);
  std::cout << fingerprint.dump(2) << "\n";
  if (!json_only) {
    for (const std::string& warning : FingerprintWarnings(fingerprint)) std::cerr << "warning: " << warning << "\n";
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App app{"claimbench: measure language performance claims on this machine", "claimbench"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "help for every subcommand");

  RunArgs run_args;
  CLI::App* run = app.add_subcommand("run", "run workloads and write a result file");
  run->add_option("--workload", run_args.workloads, "workload to run (repeatable; default: every available one)");
  run->add_option("--impl", run_args.impls, "implementation to run (repeatable; default: all)");
  run->add_option("--case", run_args.cases, "case to run (repeatable; default: every case of the profile)");
  run->add_option("--timeout", run_args.timeout_s, "seconds each repetition may take (default: the case's own)")
      ->check(CLI::PositiveNumber);
  run->add_option("--memory-limit-mib", run_args.memory_limit_mib,
                  "memory limit per implementation process (default: 3/4 of this machine's memory; 0: none)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("--profile", run_args.profile, "input sizes and repetitions")
      ->check(CLI::IsMember({"quick", "standard", "full"}));
  run->add_option("--variant", run_args.variant, "build variant (the script builds it)")
      ->check(CLI::IsMember({"release", "debug", "asan", "tsan", "hardened"}));
  run->add_option("--out", run_args.out, "write results/ and reports/ under DIR (default: the checkout)");
  run->add_option("--param", run_args.params, "override a case parameter, KEY=VALUE (repeatable)");
  run->add_option("--seed", run_args.seed, "seed for schedules and generated inputs");
  run->add_option("--result-path-file", run_args.result_path_file)->group("");

  app.add_subcommand("list", "list workloads and implementations, and why any is unavailable");

  std::vector<std::string> test_workloads;
  std::string test_reports;
  CLI::App* test_impls = app.add_subcommand(
      "test-impls", "run every implementation's own tests ([test] in impl.toml) and write JUnit XML reports");
  test_impls->add_option("--workload", test_workloads, "only this workload's implementations (repeatable)");
  test_impls->add_option("--reports", test_reports, "folder for the JUnit XML reports and logs")->required();

  std::string exec_workload, exec_impl, exec_variant;
  std::vector<std::string> exec_rest;
  CLI::App* exec = app.add_subcommand("exec", "run one implementation's own CLI: exec WORKLOAD [--impl NAME] -- ARGS");
  exec->add_option("workload", exec_workload, "workload name")->required();
  exec->add_option("--impl", exec_impl, "implementation (default: the reference)");
  exec->add_option("--variant", exec_variant, "build variant (the script builds it)");
  exec->add_option("args", exec_rest, "arguments for the implementation, after --");
  exec->prefix_command(false);

  std::string base, next, markdown;
  double threshold_pct = 5;
  CompareOptions compare_options;
  CLI::App* compare = app.add_subcommand("compare", "compare two results; exit 1 on a significant regression");
  compare->add_option("base", base, "baseline result file or directory")->required();
  compare->add_option("new", next, "new result file or directory")->required();
  compare->add_option("--threshold", threshold_pct, "regression threshold in percent")->check(CLI::Range(0.0, 1000.0));
  compare->add_option("--alpha", compare_options.alpha, "significance level")->check(CLI::Range(0.0, 1.0));
  compare->add_flag("--all-metrics", compare_options.all_metrics, "gate on every metric, not only primary ones");
  compare->add_flag("--allow-different", compare_options.allow_different,
                    "compare runs of different profiles, variants, --param overrides or machines (with a warning)");
  compare->add_option("--markdown", markdown, "also write the comparison as a Markdown table to FILE");

  std::string latency_path, latency_benchmark, latency_which, latency_unit = "us";
  CLI::App* latency = app.add_subcommand("latency", "print stored latency distributions as HdrHistogram percentile text");
  latency->add_option("result", latency_path, "result file")->required();
  latency->add_option("--benchmark", latency_benchmark, "only this benchmark, e.g. null/echo_service/cpp");
  latency->add_option("--which", latency_which, "corrected or uncorrected (default: both)")
      ->check(CLI::IsMember({"corrected", "uncorrected"}));
  latency->add_option("--unit", latency_unit, "unit of the printed values")->check(CLI::IsMember({"ns", "us", "ms"}));

  bool env_json = false;
  CLI::App* env = app.add_subcommand("env", "print this machine's fingerprint and its warnings");
  env->add_flag("--json", env_json, "print only the JSON");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "claimbench: error: " << e.what() << "; see --help\n";
    return kExitSetupError;
  }

  std::vector<std::string> command_line(argv, argv + argc);
  if (*run) return CommandRun(run_args, command_line);
  if (app.got_subcommand("list")) return CommandList();
  if (*test_impls) return CommandTestImplementations(test_workloads, test_reports);
  if (*exec) return CommandExec(exec_workload, exec_impl, exec_rest);
  if (*compare) {
    compare_options.threshold = threshold_pct / 100;
    return CommandCompare(base, next, compare_options, markdown);
  }
  if (*env) return CommandEnv(env_json);
  if (*latency) {
    double scale = latency_unit == "ns" ? 1.0 : latency_unit == "us" ? 1e3 : 1e6;
    return CommandLatency(latency_path, latency_benchmark, latency_which, scale);
  }
  return kExitSetupError;
}

}  // namespace
}  // namespace claimbench

int main(int argc, char** argv) {
  try {
    return claimbench::Main(argc, argv);
  } catch (const claimbench::SetupError& error) {
    std::cerr << "claimbench: error: " << error.what() << "\n";
    return claimbench::kExitSetupError;
  } catch (const std::exception& error) {
    // Not a set-up problem the user can fix: a bug or an exhausted resource. One line, not an abort.
    std::cerr << "claimbench: internal error: " << error.what() << "; please report it with the command line\n";
    return claimbench::kExitFailure;
  }
}
