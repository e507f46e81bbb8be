#include "build_case.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "claimbench/case_parameters.h"
#include "claimbench/elf_dependencies.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/process.h"
#include "claimbench/source_lines.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

// Every occurrence of `from` in `text` replaced by `to`: moves a manifest's expanded command from
// {out_dir} (or the variant's build tree) to a fresh folder. The folders are absolute paths under the
// project's build/, which no other placeholder's expansion contains.
std::string Rebased(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::vector<std::string> Rebased(const std::vector<std::string>& argv, const fs::path& from,
                                 const fs::path& to) {
  std::vector<std::string> out;
  for (const std::string& arg : argv) out.push_back(Rebased(arg, from.string(), to.string()));
  return out;
}

void ResetDir(const fs::path& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir);
}

// The last non-empty line of a log, so that a failed build says why without opening the log.
std::string LastLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  return last.size() > 200 ? last.substr(0, 200) + "..." : last;
}

std::string Shown(const std::vector<std::string>& argv) { return fmt::format("{}", fmt::join(argv, " ")); }

// What tells a rewritten file from an untouched one: a build that rewrites its artifact changes at least
// its modification time, and usually its inode (cargo and the linkers write a new file).
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  timespec modified{};
  bool operator==(const FileIdentity& o) const {
    return device == o.device && inode == o.inode && size == o.size && modified.tv_sec == o.modified.tv_sec &&
           modified.tv_nsec == o.modified.tv_nsec;
  }
};

FileIdentity IdentityOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino, st.st_size, st.st_mtim};
}

// Appends one comment line to a source file and gives the file back its bytes and modification time when it
// goes out of scope, whatever happened in between (a failed build, an exception, Ctrl-C): the next build of
// the real {out_dir} then sees the file as it was. The line says what it is, should a killed harness leave
// it behind.
class SourceEdit {
 public:
  explicit SourceEdit(fs::path file) : file_(std::move(file)), original_(ReadWholeFile(file_)) {
    struct stat st {};
    if (::stat(file_.c_str(), &st) != 0) throw SetupError(fmt::format("cannot stat {}", file_.string()));
    times_[0] = st.st_atim;
    times_[1] = st.st_mtim;
    const std::string marker = file_.extension() == ".py" || file_.extension() == ".sh" ? "#" : "//";
    Write(original_ +
          fmt::format("\n{} claimbench: edit for an incremental build (the harness removes it)\n", marker));
  }
  ~SourceEdit() {
    Write(original_);
    ::utimensat(AT_FDCWD, file_.c_str(), times_, 0);
  }
  SourceEdit(const SourceEdit&) = delete;
  SourceEdit& operator=(const SourceEdit&) = delete;

 private:
  void Write(const std::string& bytes) const {
    std::ofstream out(file_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  fs::path file_;
  std::string original_;
  timespec times_[2]{};
};

// The source file the incremental build edits: the first, by path, of the implementation's own source
// files that a compiler reads (no headers: an edited header rebuilds whatever includes it, which says more
// about the include graph than about the toolchain; no tests).
std::optional<fs::path> IncrementalSource(const Implementation& impl) {
  static const std::set<std::string> kUnits = {".c", ".cc", ".cpp", ".cxx", ".rs", ".go", ".java", ".py"};
  std::vector<fs::path> found;
  std::error_code error;
  for (auto it = fs::recursive_directory_iterator(impl.dir, error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (it->path().filename().string().starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && kUnits.contains(it->path().extension().string()) &&
        !IsTestSourcePath(it->path().lexically_relative(impl.dir))) {
      found.push_back(it->path());
    }
  }
  if (found.empty()) return std::nullopt;
  return *std::min_element(found.begin(), found.end());
}

// The files of `command` that lie in `out` (arguments, or parts of a ':'-separated class path), with every
// regular file of a named folder.
std::vector<fs::path> ArtifactFiles(const std::vector<std::string>& command, const fs::path& out) {
  std::vector<fs::path> files;
  const std::string prefix = out.string() + "/";
  for (const std::string& arg : command) {
    size_t start = 0;
    while (start <= arg.size()) {
      size_t end = std::min(arg.find(':', start), arg.size());
      std::string part = arg.substr(start, end - start);
      if (part.starts_with(prefix)) {
        std::error_code error;
        if (fs::is_directory(part, error)) {
          for (const fs::directory_entry& entry : fs::recursive_directory_iterator(part, error)) {
            if (entry.is_regular_file()) files.push_back(entry.path());
          }
        } else {
          files.emplace_back(part);
        }
      }
      start = end + 1;
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

// Empty when every artifact file is there and is what the command makes of it, else why not.
std::string VerifyArtifacts(const std::vector<std::string>& command, const std::vector<fs::path>& files,
                            const fs::path& out) {
  if (files.empty()) {
    return fmt::format("its command ({}) names no file of the build's output folder, so nothing it built "
                       "can be checked",
                       Shown(command));
  }
  for (const fs::path& file : files) {
    std::error_code error;
    if (!fs::is_regular_file(file, error)) {
      return fmt::format("the build exited 0 but left no {} (the command needs it)",
                         file.lexically_relative(out).string());
    }
    if (fs::file_size(file, error) == 0) {
      return fmt::format("the build left {} empty", file.lexically_relative(out).string());
    }
  }
  if (fs::path program = command[0]; std::find(files.begin(), files.end(), program) != files.end()) {
    ProgramDependencies deps = ReadProgramDependencies(program);
    const bool runs = deps.kind == ProgramDependencies::Kind::kScript ||
                      (deps.kind == ProgramDependencies::Kind::kElf && deps.executable_for_this_machine);
    if (!runs || ::access(program.c_str(), X_OK) != 0) {
      return fmt::format("{} is run as a program but is not an executable for this machine (an ELF "
                         "executable or a #! script with execute permission)",
                         program.lexically_relative(out).string());
    }
  }
  for (size_t i = 0; i + 1 < command.size(); ++i) {
    if (command[i] != "-jar") continue;
    if (!ReadWholeFile(command[i + 1]).starts_with(std::string_view("PK\x03\x04", 4))) {
      return fmt::format("{} is run with java -jar but is not a jar (zip) archive",
                         fs::path(command[i + 1]).lexically_relative(out).string());
    }
  }
  return "";
}

// `program` as the PATH finds it, with symbolic links resolved ("/usr/lib/jvm/.../bin/java"); itself when
// it is not found.
std::string Resolved(const std::string& program) {
  fs::path found = program;
  if (program.find('/') == std::string::npos) {
    const char* path = std::getenv("PATH");
    std::string dirs = path == nullptr ? "/usr/bin:/bin" : path;
    size_t start = 0;
    while (start <= dirs.size()) {
      size_t end = std::min(dirs.find(':', start), dirs.size());
      fs::path candidate = fs::path(dirs.substr(start, end - start)) / program;
      if (end > start && ::access(candidate.c_str(), X_OK) == 0) {
        found = candidate;
        break;
      }
      start = end + 1;
    }
  }
  std::error_code error;
  fs::path real = fs::canonical(found, error);
  return error ? found.string() : real.string();
}

// What the program of `command` needs at run time, into `artifact`; `files` are the build's files.
void DescribeRuntime(const Implementation& impl, const std::vector<std::string>& command,
                     const std::vector<fs::path>& files, ArtifactRecord& artifact) {
  const std::string& program = command[0];
  const bool built = std::find(files.begin(), files.end(), fs::path(program)) != files.end();
  const bool own_script = !built && fs::path(program).is_absolute() &&
                          fs::path(program).lexically_relative(impl.dir).string().find("..") != 0;
  if (built || own_script) {
    ProgramDependencies deps = ReadProgramDependencies(program);
    artifact.elf_interpreter = deps.interpreter;
    if (deps.kind == ProgramDependencies::Kind::kElf) {
      artifact.libraries = deps.needed;
    } else {
      artifact.elf_interpreter.clear();
      if (deps.kind == ProgramDependencies::Kind::kScript) {
        artifact.runtimes.push_back(deps.interpreter + " (#! line)");
      }
    }
  } else {
    std::string version = impl.toolchain.name.empty() ? "" : " " + impl.toolchain_version;
    artifact.runtimes.push_back(fmt::format("{}{} ({})", fs::path(program).filename().string(),
                                            version == " " ? "" : version, Resolved(program)));
  }
  for (const std::string& library : artifact.libraries) {
    if (!IsCRuntimeLibrary(library)) artifact.beyond_libc.push_back(library);
  }
  if (!artifact.elf_interpreter.empty() && !IsCRuntimeLibrary(artifact.elf_interpreter)) {
    artifact.beyond_libc.push_back(artifact.elf_interpreter);
  }
  for (const std::string& runtime : artifact.runtimes) artifact.beyond_libc.push_back(runtime);
}

void AddArtifactMetrics(const Implementation& impl, const std::vector<fs::path>& files,
                        const ArtifactRecord& artifact, Sample& sample) {
  uintmax_t bytes = 0;
  for (const fs::path& file : files) {
    std::error_code error;
    uintmax_t size = fs::file_size(file, error);
    bytes += error ? 0 : size;
  }
  sample.metrics["artifact_bytes"] = static_cast<double>(bytes);
  sample.metrics["artifact_files"] = static_cast<double>(files.size());
  sample.metrics["runtime_libraries"] = static_cast<double>(artifact.libraries.size());
  sample.metrics["runtime_dependencies_beyond_libc"] = static_cast<double>(artifact.beyond_libc.size());
  SourceCount source = CountSourceLines(impl.dir);
  sample.metrics["source_lines"] = static_cast<double>(source.lines);
  sample.metrics["source_files"] = static_cast<double>(source.files);
  sample.metrics["test_lines"] = static_cast<double>(source.test_lines);
}

// The index of `go` (or a path ending in /go) in a build command: what comes before it sets its environment.
std::optional<size_t> GoProgram(const std::vector<std::string>& argv) {
  for (size_t i = 0; i < argv.size(); ++i) {
    if (argv[i] == "go" || argv[i].ends_with("/go")) return i;
  }
  return std::nullopt;
}

}  // namespace

struct BuildCase::Plan {
  std::vector<std::vector<std::string>> clean_steps;  // in order; their times add up to the clean build
  std::vector<std::string> incremental_step;          // the build again, in the same folder
  fs::path working_dir;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> command;  // the implementation's command, its outputs in the fresh folder
  std::string described;             // ArtifactRecord::build
};

std::optional<CaseSpec> BuildCaseSpec(std::string_view profile) {
  if (profile != "standard" && profile != "full") return std::nullopt;
  CaseSpec spec;
  spec.name = std::string(kBuildCaseName);
  spec.kind = CaseKind::kBuild;
  spec.description =
      "clean build (fresh output folder, dependencies downloaded) and incremental build (one source edited) "
      "of every implementation we build, the artifact's size and runtime dependencies, and source lines";
  // Six pairs give every build ratio its interval; builds are slow, so standard stops there.
  spec.parameters = {{"repetitions", "6"}, {"warmup_repetitions", "1"}};
  spec.stopping = profile == "standard" ? stats::StoppingRule{6, 6, 0.05, 3600}
                                        : stats::StoppingRule{6, 10, 0.03, 7200};
  spec.primary_metric = "clean_build_ns";
  spec.extra_metrics = BuildMetricDescriptors();
  ApplyBuildCaseParameters(spec);
  return spec;
}

void ApplyBuildCaseParameters(CaseSpec& spec) {
  CaseParameters parameters(spec);
  const int repetitions = static_cast<int>(parameters.Int("repetitions", 1, 100));
  spec.warmup_repetitions = static_cast<int>(parameters.Int("warmup_repetitions", 0, 10));
  const int more = std::max(spec.stopping.max_repetitions - spec.stopping.min_repetitions, 0);
  spec.stopping.max_repetitions = repetitions + more;
  spec.stopping.min_repetitions = repetitions;
}

std::vector<MetricDescriptor> BuildMetricDescriptors() {
  return {{"clean_build_ns", "ns", false},
          {"clean_build_cpu_ns", "ns", false},
          {"configure_ns", "ns", false},
          {"clean_build_peak_rss_bytes", "bytes", false},
          {"incremental_build_ns", "ns", false},
          {"incremental_build_cpu_ns", "ns", false},
          {"artifact_bytes", "bytes", false},
          {"artifact_files", "count", false},
          {"runtime_libraries", "count", false},
          {"runtime_dependencies_beyond_libc", "count", false},
          {"source_lines", "count", false},
          {"source_files", "count", false},
          {"test_lines", "count", false}};
}

std::string NoBuildReason(const Implementation& impl) {
  if (!impl.cmake_target.empty() || !impl.build_command.empty()) return "";
  if (impl.role == "peer") {
    return fmt::format("no build of ours: {} is a peer shipped as a package, built by its distribution",
                       impl.name);
  }
  return fmt::format("no build of ours: {} runs from its sources (its impl.toml has no [build])", impl.name);
}

BuildCase::BuildCase(ProjectPaths paths, fs::path scratch_dir, std::string variant)
    : paths_(std::move(paths)), scratch_dir_(std::move(scratch_dir)), variant_(std::move(variant)) {
  ResetDir(scratch_dir_);
}

BuildCase::~BuildCase() {
  std::error_code ignored;
  fs::remove_all(scratch_dir_, ignored);
}

BuildCase::Plan BuildCase::MakePlan(const Implementation& impl, const fs::path& out) const {
  Plan plan;
  // No compiler cache may turn a clean build into a cache lookup, and no download may land in a timing.
  plan.env = {{"CCACHE_DISABLE", "1"}, {"RUSTC_WRAPPER", ""}, {"CARGO_BUILD_RUSTC_WRAPPER", ""},
              {"CARGO_NET_OFFLINE", "true"}, {"GOPROXY", "off"}};
  if (!impl.cmake_target.empty()) {
    // A new build tree of the variant's preset, configured for this target alone (no tests, no benchmarks).
    plan.clean_steps.push_back({"cmake", "--preset", variant_, "-B", out.string(),
                                "-DCLAIMBENCH_BUILD_TESTS=OFF", "-DCLAIMBENCH_BUILD_BENCHMARKS=OFF",
                                "-DCMAKE_C_COMPILER_LAUNCHER=", "-DCMAKE_CXX_COMPILER_LAUNCHER="});
    plan.incremental_step = {"cmake", "--build", out.string(), "--target", impl.cmake_target};
    plan.clean_steps.push_back(plan.incremental_step);
    plan.working_dir = paths_.root;
    plan.command = Rebased(impl.command, paths_.build_dir, out);
    plan.described =
        fmt::format("CMake target {} of the '{}' preset, in a new build tree", impl.cmake_target, variant_);
  } else {
    plan.incremental_step = Rebased(impl.build_command, impl.out_dir, out);
    plan.clean_steps.push_back(plan.incremental_step);
    plan.working_dir = impl.dir;
    plan.command = Rebased(impl.command, impl.out_dir, out);
    plan.described = Rebased(Shown(impl.build_command), impl.out_dir.string(), "{out_dir}");
  }
  return plan;
}

std::string BuildCase::PrimedGoCache(const Implementation& impl) {
  if (auto it = go_caches_.find(impl.name); it != go_caches_.end()) return "";
  std::optional<size_t> go = GoProgram(impl.build_command);
  if (!go) return "";
  const fs::path cache = scratch_dir_ / fmt::format("go-std-{}", impl.name);
  ResetDir(cache);
  ProcessSpec spec;
  spec.argv.assign(impl.build_command.begin(), impl.build_command.begin() + static_cast<long>(*go) + 1);
  spec.argv.insert(spec.argv.end(), {"build", "std"});
  spec.env = {{"GOCACHE", cache.string()}, {"GOPROXY", "off"}};
  spec.working_dir = impl.dir;
  spec.stdout_path = scratch_dir_ / fmt::format("go-std-{}.log", impl.name);
  spec.stderr_path = spec.stdout_path;
  spec.timeout = impl.build_timeout;
  spec.rss_sample_interval = std::chrono::nanoseconds(0);
  ProcessResult result = RunToCompletion(spec);
  if (!result.ok()) {
    return fmt::format("could not compile Go's standard library for the clean builds ('{}'): {}; {}",
                       Shown(spec.argv), result.error, LastLine(spec.stderr_path));
  }
  go_caches_[impl.name] = cache;
  return "";
}

Sample BuildCase::Measure(const Implementation& impl, ArtifactRecord& artifact) {
  Sample sample;
  const fs::path rep = scratch_dir_ / impl.name;
  ResetDir(rep);
  const fs::path out = rep / "out";
  fs::create_directories(out);
  Plan plan = MakePlan(impl, out);
  if (impl.toolchain.name == "go") {
    if (std::string error = PrimedGoCache(impl); !error.empty()) {
      sample.status = RunStatus::kFailed;
      sample.error = error;
      return sample;
    }
    const fs::path cache = rep / "go-build";
    if (go_caches_.contains(impl.name)) fs::copy(go_caches_[impl.name], cache, fs::copy_options::recursive);
    plan.env.emplace_back("GOCACHE", cache.string());
  }

  // One build step; false (with the sample's status and error set) when it did not succeed.
  auto run = [&](const std::vector<std::string>& argv, std::string_view which, ProcessResult& result) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.env = plan.env;
    spec.working_dir = plan.working_dir;
    spec.stdout_path = rep / fmt::format("{}.log", which);
    spec.stderr_path = rep / fmt::format("{}.err", which);
    spec.timeout = impl.build_timeout;
    spec.rss_sample_interval = std::chrono::nanoseconds(0);  // the harness stays quiet while the build runs
    result = RunToCompletion(spec);
    if (result.ok()) return true;
    const bool interrupted = result.outcome == ProcessResult::Outcome::kInterrupted;
    sample.status = interrupted ? RunStatus::kInterrupted : RunStatus::kFailed;
    std::string said = LastLine(spec.stderr_path);
    if (said.empty()) said = LastLine(spec.stdout_path);
    sample.error = fmt::format("{} build ('{}') {}{}", which, Shown(argv), result.error,
                               said.empty() ? "" : ": " + said);
    return false;
  };

  double clean_ns = 0, clean_cpu_ns = 0, peak_rss = 0;
  for (size_t i = 0; i < plan.clean_steps.size(); ++i) {
    ProcessResult result;
    if (!run(plan.clean_steps[i], "clean", result)) return sample;
    clean_ns += static_cast<double>(result.wall_ns);
    clean_cpu_ns += static_cast<double>(result.user_cpu_ns + result.sys_cpu_ns);
    peak_rss = std::max(peak_rss, static_cast<double>(result.max_rss_bytes_rusage));
    if (i == 0 && plan.clean_steps.size() > 1) {
      sample.metrics["configure_ns"] = static_cast<double>(result.wall_ns);
    }
  }
  sample.metrics["clean_build_ns"] = clean_ns;
  sample.metrics["clean_build_cpu_ns"] = clean_cpu_ns;
  sample.metrics["clean_build_peak_rss_bytes"] = peak_rss;
  std::vector<fs::path> files = ArtifactFiles(plan.command, out);
  if (std::string wrong = VerifyArtifacts(plan.command, files, out); !wrong.empty()) {
    sample.status = RunStatus::kInvalid;
    sample.error = "clean build: " + wrong;
    return sample;
  }

  // What the build gives is read from the clean build, before the incremental one adds the edit to it.
  ArtifactRecord record;
  record.build = plan.described;
  for (const fs::path& file : files) record.files.push_back(file.lexically_relative(out).string());
  DescribeRuntime(impl, plan.command, files, record);
  AddArtifactMetrics(impl, files, record, sample);

  std::optional<fs::path> source = IncrementalSource(impl);
  if (!source) {
    sample.status = RunStatus::kInvalid;
    sample.error =
        fmt::format("no source file of its own in {} to edit for the incremental build", impl.dir.string());
    return sample;
  }
  std::vector<FileIdentity> before;
  for (const fs::path& file : files) before.push_back(IdentityOf(file));
  {
    SourceEdit edit(*source);
    ProcessResult result;
    if (!run(plan.incremental_step, "incremental", result)) return sample;
    sample.metrics["incremental_build_ns"] = static_cast<double>(result.wall_ns);
    sample.metrics["incremental_build_cpu_ns"] = static_cast<double>(result.user_cpu_ns + result.sys_cpu_ns);
  }
  if (std::string wrong = VerifyArtifacts(plan.command, files, out); !wrong.empty()) {
    sample.status = RunStatus::kInvalid;
    sample.error = "incremental build: " + wrong;
    return sample;
  }
  bool rewritten = false;
  for (size_t i = 0; i < files.size(); ++i) rewritten = rewritten || !(IdentityOf(files[i]) == before[i]);
  if (!rewritten) {
    sample.status = RunStatus::kInvalid;
    sample.error = fmt::format("incremental build: after {} was edited the build exited 0 but rewrote none "
                               "of its artifact's files: it rebuilt nothing",
                               source->lexically_relative(paths_.root).string());
    return sample;
  }

  record.incremental_edit = source->lexically_relative(paths_.root).string();
  artifact = std::move(record);
  return sample;
}

Sample BuildCase::MeasureWithoutBuild(const Implementation& impl, ArtifactRecord& artifact) {
  Sample sample;
  std::vector<fs::path> files;
  for (size_t i = 1; i < impl.command.size(); ++i) {
    std::error_code error;
    if (fs::path(impl.command[i]).is_absolute() && fs::is_regular_file(impl.command[i], error)) {
      files.emplace_back(impl.command[i]);
    }
  }
  artifact = ArtifactRecord{};
  artifact.build = "none: " + NoBuildReason(impl).substr(std::string_view("no build of ours: ").size());
  for (const fs::path& file : files) artifact.files.push_back(file.lexically_relative(paths_.root).string());
  DescribeRuntime(impl, impl.command, {}, artifact);
  AddArtifactMetrics(impl, files, artifact, sample);
  return sample;
}

}  // namespace claimbench
