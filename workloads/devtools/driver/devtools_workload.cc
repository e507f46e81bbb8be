#include "devtools_workload.h"

#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/implementation.h"
#include "claimbench/process.h"
#include "install_check.h"
#include "lint_check.h"
#include "page_cache.h"
#include "search_check.h"
#include "source_tree.h"

namespace claimbench::devtools_workload {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

struct ProfileSizes {
  std::string search_tree_bytes;
  std::string lint_tree_bytes;
  std::string install_set;  // data/install-<set>.txt
  int min_repetitions;
  int max_repetitions;
  double budget_s;  // per case, all implementations
  seconds timeout;
};

ProfileSizes SizesFor(std::string_view profile) {
  // Quick: one case per tool family, small inputs, the 6 pairs a comparison needs and no more (its share of
  // the quick run stays well under a minute). Standard runs every case, larger, to at most 15.
  if (profile == "quick") return {"8388608", "65536", "small", 6, 6, 10, seconds(120)};
  // The lint tree stays small: pylint with its default checkers lints a few thousand lines a second.
  if (profile == "standard") return {"67108864", "262144", "web", 6, 15, 60, seconds(600)};
  if (profile == "full") return {"268435456", "1048576", "web", 6, 30, 300, seconds(1800)};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

// Runs argv untimed (set-up: the stdlib path, the template environment, a warm tool cache). Returns its
// stdout; throws SetupError with its last stderr line when it fails.
std::string RunSetUp(std::vector<std::string> argv, const ProjectPaths& paths, const fs::path& dir,
                     const std::string& name, seconds timeout) {
  const ProcessSpec process{.argv = std::move(argv),
                            .env = ImplementationEnvironment(paths),
                            .working_dir = dir,
                            .stdin_path = {},
                            .stdout_path = dir / (name + ".stdout"),
                            .stderr_path = dir / (name + ".stderr"),
                            .timeout = timeout,
                            .rss_sample_interval = std::chrono::nanoseconds(0),
                            .cpu_affinity = {}};
  const ProcessResult result = RunToCompletion(process);
  if (!result.ok()) {
    std::string last;
    std::istringstream err(ReadWholeFile(process.stderr_path));
    for (std::string line; std::getline(err, line);) {
      if (!line.empty()) last = line;
    }
    throw SetupError(fmt::format("{} ({}) {}{}", name, process.argv.front(), result.error,
                                 last.empty() ? "" : "; stderr: " + last.substr(0, 300)));
  }
  return ReadWholeFile(process.stdout_path);
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// ---------------------------------------------------------------------------------------------- search

class SearchCase final : public PreparedCase {
 public:
  SearchCase(fs::path root, std::vector<std::string> expected, bool cold,
             std::vector<Calibration> calibrations, int64_t tree_bytes)
      : root_(std::move(root)),
        expected_(std::move(expected)),
        cold_(cold),
        calibrations_(std::move(calibrations)),
        tree_bytes_(tree_bytes) {}

  std::vector<Calibration> Calibrations() const override { return calibrations_; }

  Verdict BeforeRepetition(const CaseSpec&, const RunContext&) override {
    if (cold_) EvictFromPageCache(root_);
    return Verdict::Ok();
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext&) override {
    CaseParameters params(spec);
    return {"search",
            "--root",
            root_.string(),
            "--mode",
            params.String("mode"),
            "--pattern",
            params.String("pattern")};
  }

  Verdict Verify(const CaseSpec&, const RunContext& context,
                 std::map<std::string, double>& metrics) override {
    const std::string error = CompareMatches(expected_, ParseMatchLines(ReadWholeFile(context.stdout_path)));
    if (!error.empty()) return Verdict::Invalid(error);
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0) {
      metrics["bytes_per_s"] = static_cast<double>(tree_bytes_) * 1e9 / timed->second;
    }
    return Verdict::Ok();
  }

 private:
  fs::path root_;
  std::vector<std::string> expected_;
  bool cold_;
  std::vector<Calibration> calibrations_;
  int64_t tree_bytes_;
};

// ------------------------------------------------------------------------------------------------ lint

class LintCase final : public PreparedCase {
 public:
  LintCase(SourceTree tree, RuleSet rules) : tree_(std::move(tree)), rules_(rules) {}

  std::vector<Calibration> Calibrations() const override {
    return {{"tree_lines", static_cast<double>(tree_.lines), "lines",
             fmt::format("the seeded tree {} ({} files, {} bytes, {} planted findings)", tree_.root.string(),
                         tree_.files, tree_.bytes, tree_.planted.size())}};
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext&) override {
    return {"lint", "--root", tree_.root.string(), "--rules", CaseParameters(spec).String("rules")};
  }

  Verdict Verify(const CaseSpec&, const RunContext& context,
                 std::map<std::string, double>& metrics) override {
    const LintOutput output = ParseLintOutput(ReadWholeFile(context.stdout_path));
    if (std::string error = CheckLintOutput(tree_.planted, output, rules_); !error.empty()) {
      return Verdict::Invalid(error);
    }
    metrics["findings"] = static_cast<double>(output.shared.size() + static_cast<size_t>(output.other));
    if (auto timed = metrics.find("timed_ns"); timed != metrics.end() && timed->second > 0) {
      metrics["lines_per_s"] = static_cast<double>(tree_.lines) * 1e9 / timed->second;
    }
    return Verdict::Ok();
  }

 private:
  SourceTree tree_;
  RuleSet rules_;
};

// --------------------------------------------------------------------------------------------- install

// Where the install cases' inputs are: the wheel folder the set-up filled, the pins, and the template
// environment each repetition starts from a copy of.
struct InstallInputs {
  fs::path wheels;
  fs::path requirements;
  Distributions expected;  // the pins plus the environment's own pip
  fs::path template_venv;
};

class InstallCase final : public PreparedCase {
 public:
  InstallCase(InstallInputs inputs, bool warm, fs::path case_scratch, ProjectPaths paths)
      : inputs_(std::move(inputs)),
        warm_(warm),
        case_scratch_(std::move(case_scratch)),
        paths_(std::move(paths)) {}

  std::vector<Calibration> Calibrations() const override {
    return {{"distributions", static_cast<double>(inputs_.expected.size()), "distributions",
             fmt::format("{} pinned in {} from {}, plus the fresh environment's own pip",
                         inputs_.expected.size() - 1, inputs_.requirements.filename().string(),
                         inputs_.wheels.string())}};
  }

  // Untimed: a fresh copy of the template environment; a cold cache is an empty folder in the repetition's
  // own folder, a warm one the implementation's folder that one untimed install (into another fresh
  // environment) filled before its first repetition.
  Verdict BeforeRepetition(const CaseSpec&, const RunContext& context) override {
    CopyTemplate(context.scratch_dir / "venv");
    if (!warm_) return Verdict::Ok();
    const std::string name = context.implementation->name;
    const fs::path filled = case_scratch_ / ("_cache-" + name + ".filled");  // beside the cache, not in it
    if (fs::exists(filled)) return Verdict::Ok();
    const fs::path warmup = case_scratch_ / ("_warmup-" + name);
    fs::remove_all(warmup);
    fs::create_directories(warmup);
    CopyTemplate(warmup / "venv");
    std::vector<std::string> argv = context.implementation->command;
    for (const std::string& a : InstallArguments(warmup / "venv", WarmCache(name))) argv.push_back(a);
    try {
      RunSetUp(argv, paths_, warmup, "warm-up install", seconds(600));
    } catch (const SetupError& error) {
      return Verdict::Invalid(
          fmt::format("the untimed install that fills the cache failed: {}", error.what()));
    }
    fs::remove_all(warmup);
    std::ofstream(filled) << "filled by one untimed install\n";
    return Verdict::Ok();
  }

  std::vector<std::string> Arguments(const CaseSpec&, const RunContext& context) override {
    return InstallArguments(context.scratch_dir / "venv",
                            warm_ ? WarmCache(context.implementation->name) : context.scratch_dir / "cache");
  }

  Verdict Verify(const CaseSpec&, const RunContext& context, std::map<std::string, double>&) override {
    try {
      const fs::path site = SitePackages(context.scratch_dir / "venv");
      const std::string error = CheckInstalled(inputs_.expected, InstalledDistributions(site), site);
      return error.empty() ? Verdict::Ok() : Verdict::Invalid(error);
    } catch (const SetupError& error) {
      return Verdict::Invalid(error.what());  // an environment the tool left unreadable is its wrong answer
    }
  }

 private:
  std::vector<std::string> InstallArguments(const fs::path& venv, const fs::path& cache) const {
    return {"install",
            "--venv",
            venv.string(),
            "--wheels",
            inputs_.wheels.string(),
            "--requirements",
            inputs_.requirements.string(),
            "--cache",
            cache.string()};
  }

  fs::path WarmCache(const std::string& implementation) const {
    return case_scratch_ / ("_cache-" + implementation);
  }

  void CopyTemplate(const fs::path& to) const {
    fs::copy(inputs_.template_venv, to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }

  InstallInputs inputs_;
  bool warm_;
  fs::path case_scratch_;
  ProjectPaths paths_;
};

// The wheel file of `name`==`version` in `wheels`, or an empty path.
fs::path FindWheel(const fs::path& wheels, const std::string& name, const std::string& version) {
  for (const fs::directory_entry& entry : fs::directory_iterator(wheels)) {
    const std::string file = entry.path().filename().string();
    if (!file.ends_with(".whl")) continue;
    const size_t dash = file.find('-');
    const size_t dash2 = file.find('-', dash + 1);
    if (dash == std::string::npos || dash2 == std::string::npos) continue;
    if (NormaliseName(file.substr(0, dash)) == name && file.substr(dash + 1, dash2 - dash - 1) == version) {
      return entry.path();
    }
  }
  return {};
}

// The template environment: what `python -m venv` makes, with pip at its pin (installed from its wheel, run
// as a zip: no pip of the machine's is involved) instead of the Python's bundled one. Kept in the workload's
// cache (venv-template-pip-<version>/, made in a temporary folder and renamed into place): repetitions only
// ever install into copies of it.
fs::path TemplateVenv(const WorkloadContext& workload, const fs::path& wheels, const std::string& pip_name,
                      const std::string& pip_version) {
  const fs::path dir = workload.cache_dir / fmt::format("venv-template-pip-{}", pip_version);
  const std::string python = fs::weakly_canonical(workload.paths.python).string();
  if (ReadFileIfPresent(dir / ".claimbench-python").value_or("") == python) return dir;
  const fs::path partial = workload.cache_dir / fmt::format(".venv-template.{}.partial", ::getpid());
  fs::remove_all(partial);
  fs::create_directories(partial);
  const fs::path venv = partial / "venv";
  RunSetUp({workload.paths.python.string(), "-m", "venv", "--without-pip", venv.string()}, workload.paths,
           partial, "venv", seconds(120));
  const fs::path pip_wheel = FindWheel(wheels, pip_name, pip_version);
  RunSetUp({(venv / "bin" / "python").string(), (pip_wheel / "pip").string(), "install", "--isolated", "-q",
            "--disable-pip-version-check", "--no-index", "--find-links", wheels.string(),
            fmt::format("pip=={}", pip_version)},
           workload.paths, partial, "pip-into-venv", seconds(300));
  std::ofstream(venv / ".claimbench-python") << python;
  fs::remove_all(dir);
  fs::rename(venv, dir);
  fs::remove_all(partial);
  return dir;
}

InstallInputs PrepareInstall(const CaseSpec& spec, const WorkloadContext& workload) {
  InstallInputs inputs;
  inputs.wheels = workload.cache_dir / "wheels";
  inputs.requirements =
      workload.dir / "data" / fmt::format("install-{}.txt", CaseParameters(spec).String("set"));
  inputs.expected = ReadPinnedRequirements(inputs.requirements);
  const Distributions pip = ReadPinnedRequirements(workload.dir / "data" / "venv-pip.txt");
  if (!fs::is_directory(inputs.wheels)) {
    throw SetupError(
        fmt::format("{} does not exist; fill it with ./claimbench setup (setup/install-devtools.sh)",
                    inputs.wheels.string()));
  }
  for (const Distributions* pins : std::initializer_list<const Distributions*>{&inputs.expected, &pip}) {
    for (const auto& [name, version] : *pins) {
      if (FindWheel(inputs.wheels, name, version).empty()) {
        throw SetupError(
            fmt::format("{} holds no wheel of {}=={}; fill it with ./claimbench setup "
                        "(setup/install-devtools.sh)",
                        inputs.wheels.string(), name, version));
      }
    }
  }
  const auto& [pip_name, pip_version] = *pip.begin();
  inputs.expected[pip_name] = pip_version;
  inputs.template_venv = TemplateVenv(workload, inputs.wheels, pip_name, pip_version);
  return inputs;
}

// ------------------------------------------------------------------------------------------- the cases

class DevtoolsWorkload final : public Workload {
 public:
  std::string Name() const override { return "devtools"; }
  std::string Description() const override {
    return "real developer tools side by side: grep vs ripgrep, flake8 and pylint vs ruff, pip vs uv";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    const ProfileSizes sizes = SizesFor(profile);
    CaseSpec base;
    base.warmup_repetitions = 1;
    base.stopping.min_repetitions = sizes.min_repetitions;
    base.stopping.max_repetitions = sizes.max_repetitions;
    base.stopping.time_budget_s = sizes.budget_s;
    base.timeout = sizes.timeout;
    std::vector<CaseSpec> cases;
    auto add = [&](std::string name, std::string description, std::map<std::string, std::string> parameters,
                   std::vector<MetricDescriptor> metrics) {
      cases.push_back(base);
      cases.back().name = std::move(name);
      cases.back().description = std::move(description);
      cases.back().parameters = std::move(parameters);
      cases.back().extra_metrics = std::move(metrics);
    };
    struct Search {
      const char* suffix;
      const char* mode;
      const char* pattern;
    };
    const Search searches[] = {{"literal", "literal", "return None"},
                               {"literal_i", "literal_i", "deprecated"},
                               {"regex", "regex", "def [a-z_]+\\(self"}};
    const std::vector<MetricDescriptor> search_metrics = {{"bytes_per_s", "bytes_per_s", true}};
    for (const char* tree : {"generated", "stdlib"}) {
      const bool stdlib = std::string_view(tree) == "stdlib";
      for (const char* page_cache : {"warm", "cold"}) {
        const bool cold = std::string_view(page_cache) == "cold";
        for (const Search& s : searches) {
          if (cold && std::string_view(s.mode) != "literal") continue;  // cold: the read, not the matcher
          std::string name =
              fmt::format("search{}_{}{}", stdlib ? "_stdlib" : "", s.suffix, cold ? "_cold" : "");
          if (profile == "quick" && name != "search_literal") continue;
          std::map<std::string, std::string> params = {
              {"tree", tree}, {"mode", s.mode}, {"pattern", s.pattern}, {"page_cache", page_cache}};
          if (!stdlib) params.insert({{"seed", "1"}, {"tree_bytes", sizes.search_tree_bytes}});
          add(std::move(name),
              fmt::format("recursive {} search for '{}' in the *.py files of {}, page cache {}", s.mode,
                          s.pattern,
                          stdlib ? "the project venv's Python standard library" : "a seeded generated tree",
                          page_cache),
              std::move(params), search_metrics);
        }
      }
    }
    const std::vector<MetricDescriptor> lint_metrics = {{"lines_per_s", "items_per_s", true},
                                                        {"findings", "count", false}};
    for (const char* rules : {"shared", "defaults"}) {
      if (profile == "quick" && std::string_view(rules) != "shared") continue;
      add(fmt::format("lint_{}", rules),
          fmt::format("lint a seeded tree of {} bytes with {}; planted findings verified",
                      sizes.lint_tree_bytes,
                      std::string_view(rules) == "shared" ? "the six rules all three linters implement"
                                                          : "each linter's default rules"),
          {{"rules", rules}, {"seed", "1"}, {"tree_bytes", sizes.lint_tree_bytes}}, lint_metrics);
    }
    for (const char* cache : {"cold", "warm"}) {
      if (profile == "quick" && std::string_view(cache) != "cold") continue;
      add(fmt::format("install_{}", cache),
          fmt::format(
              "install the pinned wheels of data/install-{}.txt into a fresh virtual environment, offline, "
              "tool cache {}",
              sizes.install_set, cache),
          {{"set", sizes.install_set}, {"tool_cache", cache}}, {});
    }
    return cases;
  }

  void Validate(const CaseSpec& spec) const override {
    CaseParameters params(spec);
    if (spec.parameters.contains("mode")) {
      const std::string tree = params.Choice("tree", {"generated", "stdlib"});
      params.Choice("page_cache", {"warm", "cold"});
      ValidatePattern(ParseSearchMode(params.String("mode")), params.String("pattern"));
      if (tree == "generated") ValidateTree(spec);
    } else if (spec.parameters.contains("rules")) {
      (void)ParseRuleSet(params.String("rules"));
      ValidateTree(spec);
    } else {
      params.Choice("tool_cache", {"cold", "warm"});
      const std::string set = params.String("set");
      if (set.empty() ||
          set.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") != std::string::npos) {
        throw SetupError(
            fmt::format("case {}: parameter set={} must name a file data/install-SET.txt (lower-case "
                        "letters, digits, '_')",
                        spec.name, set));
      }
    }
  }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                        const CaseDirs& dirs) const override {
    CaseParameters params(spec);
    if (spec.parameters.contains("mode")) return PrepareSearch(spec, workload, dirs);
    if (spec.parameters.contains("rules")) {
      return std::make_unique<LintCase>(LoadOrGenerateSourceTree(TreeSpec(spec), workload.cache_dir),
                                        ParseRuleSet(params.String("rules")));
    }
    return std::make_unique<InstallCase>(PrepareInstall(spec, workload),
                                         params.String("tool_cache") == "warm", dirs.scratch_dir,
                                         workload.paths);
  }

 private:
  static SourceTreeSpec TreeSpec(const CaseSpec& spec) {
    CaseParameters params(spec);
    return {static_cast<uint64_t>(params.Int("seed", 0, INT64_MAX)),
            params.Int("tree_bytes", 1, int64_t{1} << 34)};
  }

  static void ValidateTree(const CaseSpec& spec) { (void)TreeSpec(spec); }

  static std::unique_ptr<PreparedCase> PrepareSearch(const CaseSpec& spec, const WorkloadContext& workload,
                                                     const CaseDirs& dirs) {
    CaseParameters params(spec);
    fs::path root;
    std::string where;
    if (params.String("tree") == "stdlib") {
      // The standard library of the Python the project runs (.venv's interpreter): sysconfig's "stdlib".
      root = Trimmed(RunSetUp(
          {workload.paths.python.string(), "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])"},
          workload.paths, dirs.scratch_dir, "stdlib-path", seconds(60)));
      where = fmt::format("{} (the standard library of {}, sysconfig 'stdlib')", root.string(),
                          workload.paths.python.string());
    } else {
      const SourceTree tree = LoadOrGenerateSourceTree(TreeSpec(spec), workload.cache_dir);
      root = tree.root;
      where = fmt::format("{} (seeded generated tree, {} lines)", root.string(), tree.lines);
    }
    const TreeSize size = MeasurePythonTree(root);
    const SearchMode mode = ParseSearchMode(params.String("mode"));
    std::vector<std::string> expected = ExpectedMatches(root, mode, params.String("pattern"));
    std::vector<Calibration> calibrations = {
        {"tree_files", static_cast<double>(size.files), "files", fmt::format("the *.py files of {}", where)},
        {"tree_bytes", static_cast<double>(size.bytes), "bytes", "their total size"},
        {"matching_lines", static_cast<double>(expected.size()), "lines",
         "found by the harness's own matcher"}};
    return std::make_unique<SearchCase>(root, std::move(expected), params.String("page_cache") == "cold",
                                        std::move(calibrations), size.bytes);
  }
};

}  // namespace

std::unique_ptr<Workload> MakeDevtoolsWorkload() { return std::make_unique<DevtoolsWorkload>(); }

}  // namespace claimbench::devtools_workload
