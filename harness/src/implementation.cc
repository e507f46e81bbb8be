#include "claimbench/implementation.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "claimbench/build_info.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/process.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

std::string RequiredString(const toml::table& table, std::string_view key, const fs::path& file) {
  std::optional<std::string> value = table[key].value<std::string>();
  if (!value || value->empty()) {
    throw SetupError(fmt::format("{}: missing required key '{}' (a non-empty string)", file.string(), key));
  }
  return *value;
}

std::vector<std::string> StringList(const toml::node_view<const toml::node>& node, std::string_view key,
                                    const fs::path& file) {
  std::vector<std::string> out;
  if (!node) return out;
  const toml::array* array = node.as_array();
  if (array == nullptr) throw SetupError(fmt::format("{}: '{}' must be an array of strings", file.string(), key));
  for (const toml::node& element : *array) {
    std::optional<std::string> value = element.value<std::string>();
    if (!value) throw SetupError(fmt::format("{}: '{}' must be an array of strings", file.string(), key));
    out.push_back(*value);
  }
  return out;
}

Implementation ReadManifest(const fs::path& file, const ProjectPaths& paths, const std::string& workload) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& error) {
    throw SetupError(fmt::format("{}:{}: {}", file.string(), error.source().begin.line, error.description()));
  }
  Implementation impl;
  impl.workload = workload;
  impl.dir = file.parent_path();
  impl.name = impl.dir.filename().string();
  impl.language = RequiredString(table, "language", file);
  impl.role = RequiredString(table, "role", file);
  if (impl.role != "reference" && impl.role != "port" && impl.role != "peer") {
    throw SetupError(fmt::format("{}: role '{}' is not one of reference, port, peer", file.string(), impl.role));
  }
  impl.label = RequiredString(table, "label", file);
  if (std::find(std::begin(kLabels), std::end(kLabels), impl.label) == std::end(kLabels)) {
    throw SetupError(fmt::format("{}: label '{}' is not one of {} (see the workload's SPEC.md, \"Rules for "
                                 "implementations\", and docs/implementation_rules.md)",
                                 file.string(), impl.label, fmt::join(kLabels, ", ")));
  }
  impl.description = table["description"].value_or(std::string());
  impl.out_dir = ImplementationOutDir(paths, workload, impl.name);
  auto expand_one = [&](const std::string& text) { return ExpandPlaceholders(text, paths, impl.dir, impl.out_dir); };
  auto expand = [&](const std::vector<std::string>& list) {
    std::vector<std::string> out;
    for (const std::string& item : list) out.push_back(expand_one(item));
    return out;
  };
  const toml::node_view<const toml::node> root = toml::node_view<const toml::node>(table);
  impl.tuned = StringList(root["tuned"], "tuned", file);
  impl.libraries = StringList(root["libraries"], "libraries", file);
  impl.command = expand(StringList(root["command"], "command", file));
  if (impl.command.empty()) throw SetupError(fmt::format("{}: 'command' must name the program to run", file.string()));
  if (root["toolchain"]) {
    impl.toolchain.name = RequiredString(*root["toolchain"].as_table(), "name", file);
    impl.toolchain.minimum = root["toolchain"]["minimum"].value_or(std::string());
    if (!impl.toolchain.minimum.empty() && ParseVersion(impl.toolchain.minimum) != impl.toolchain.minimum) {
      throw SetupError(fmt::format("{}: toolchain.minimum '{}' is not a dotted version such as \"1.85\"", file.string(),
                                   impl.toolchain.minimum));
    }
    impl.toolchain.version_command = expand(StringList(root["toolchain"]["version_command"], "toolchain.version_command", file));
    impl.toolchain.hint = root["toolchain"]["hint"].value_or(std::string());
  }
  impl.cmake_target = root["build"]["cmake_target"].value_or(std::string());
  impl.build_command = expand(StringList(root["build"]["command"], "build.command", file));
  for (const std::string& input : StringList(root["build"]["inputs"], "build.inputs", file)) {
    impl.build_inputs.push_back(impl.dir / expand_one(input));
  }
  impl.build_profile = root["build"]["profile"].value_or(std::string());
  impl.build_flags = StringList(root["build"]["flags"], "build.flags", file);
  impl.build_timeout = std::chrono::seconds(root["build"]["timeout_s"].value_or(int64_t{600}));
  impl.test_command = expand(StringList(root["test"]["command"], "test.command", file));
  if (std::optional<std::string> reports = root["test"]["reports"].value<std::string>()) {
    impl.test_reports = expand_one(*reports);
  }
  impl.test_timeout = std::chrono::seconds(root["test"]["timeout_s"].value_or(int64_t{900}));
  for (const std::string& f : expand(StringList(root["availability"]["files"], "availability.files", file))) {
    impl.required_files.emplace_back(f);
  }
  impl.required_programs = StringList(root["availability"]["programs"], "availability.programs", file);
  impl.check_command = expand(StringList(root["availability"]["check"], "availability.check", file));
  impl.hint = root["availability"]["hint"].value_or(std::string());
  impl.cases = StringList(root["cases"], "cases", file);
  if (root["memory_limit"] && !root["memory_limit"].is_boolean()) {
    throw SetupError(fmt::format("{}: 'memory_limit' must be true or false", file.string()));
  }
  impl.memory_limit = root["memory_limit"].value_or(true);
  impl.quick_cases = StringList(root["quick_cases"], "quick_cases", file);
  impl.profiles = StringList(root["profiles"], "profiles", file);
  return impl;
}

bool OnPath(const std::string& program) {
  if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// How much of a failed build's log its error keeps.
constexpr size_t kBuildLogLines = 10;
constexpr size_t kBuildLogLineChars = 200;

// The last `count` non-empty lines of a file, each cut at kBuildLogLineChars, joined by " | " so that
// the error stays one line; empty when the file is empty or unreadable.
std::string LastLines(const fs::path& path, size_t count) {
  std::ifstream in(path);
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (line.size() > kBuildLogLineChars) line = line.substr(0, kBuildLogLineChars) + "...";
    lines.push_back(std::move(line));
    if (lines.size() > count) lines.pop_front();
  }
  return fmt::format("{}", fmt::join(lines, " | "));
}

std::string WithHint(std::string reason, const Implementation& impl) {
  if (!impl.hint.empty()) reason += "; " + impl.hint;
  return reason;
}

std::string WithToolchainHint(std::string reason, const Implementation& impl) {
  const std::string& hint = impl.toolchain.hint.empty() ? impl.hint : impl.toolchain.hint;
  if (!hint.empty()) reason += "; " + hint;
  return reason;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > 160) line = line.substr(0, 160) + "...";
  return line;
}

// A scratch directory for one short command's output, removed when it goes out of scope.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() / fmt::format("claimbench-{}-{}", ::getpid(), counter++);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// FNV-1a, 64 bits: a stable hash for build stamps (not for security: a stamp only saves a rebuild).
class StampHash {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 0x100000001b3ULL;
    hash_ = (hash_ ^ 0xff) * 0x100000001b3ULL;  // separator: ("ab","c") differs from ("a","bc")
  }
  std::string Hex() const { return fmt::format("{:016x}", hash_); }

 private:
  uint64_t hash_ = 0xcbf29ce484222325ULL;
};

// The build stamp: the command, the toolchain's version and every input file's path and contents.
// Throws SetupError when an input does not exist (the manifest names a file that is not there).
std::string BuildStamp(const Implementation& impl, const std::string& toolchain_version) {
  StampHash hash;
  for (const std::string& arg : impl.build_command) hash.Add(arg);
  hash.Add(toolchain_version);
  std::vector<fs::path> files;
  for (const fs::path& input : impl.build_inputs) {
    if (fs::is_directory(input)) {
      for (const fs::directory_entry& entry : fs::recursive_directory_iterator(input)) {
        if (entry.is_regular_file()) files.push_back(entry.path());
      }
    } else if (fs::is_regular_file(input)) {
      files.push_back(input);
    } else {
      throw SetupError(fmt::format("{}/impl.toml: build input {} does not exist", impl.dir.string(), input.string()));
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    hash.Add(file.lexically_relative(impl.dir).string());
    hash.Add(ReadWholeFile(file));
  }
  return hash.Hex();
}

fs::path StampPath(const Implementation& impl) { return impl.out_dir / ".claimbench-build-stamp"; }

std::vector<std::string> SplitFlags(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream words{std::string(text)};
  for (std::string word; words >> word;) out.push_back(word);
  return out;
}

}  // namespace

fs::path ImplementationOutDir(const ProjectPaths& paths, const std::string& workload, const std::string& name) {
  return paths.root / "build" / "impls" / workload / name;
}

std::optional<std::string> ParseVersion(std::string_view text) {
  std::optional<std::string> first_number;
  size_t i = 0;
  while (i < text.size()) {
    if (!std::isdigit(static_cast<unsigned char>(text[i])) ||
        (i > 0 && (std::isdigit(static_cast<unsigned char>(text[i - 1])) || text[i - 1] == '.'))) {
      ++i;
      continue;
    }
    size_t end = i;
    bool dotted = false;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) {
      ++end;
      if (end + 1 < text.size() && text[end] == '.' && std::isdigit(static_cast<unsigned char>(text[end + 1]))) {
        dotted = true;
        ++end;
      }
    }
    std::string number(text.substr(i, end - i));
    if (dotted) return number;
    if (!first_number) first_number = number;
    i = end;
  }
  return first_number;
}

int CompareVersions(std::string_view a, std::string_view b) {
  auto components = [](std::string_view v) {
    std::vector<long long> out;
    size_t start = 0;
    while (start <= v.size()) {
      size_t dot = v.find('.', start);
      std::string part(v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
      out.push_back(std::all_of(part.begin(), part.end(), [](unsigned char c) { return std::isdigit(c); }) &&
                            !part.empty() && part.size() < 18
                        ? std::stoll(part)
                        : 0);
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
    return out;
  };
  std::vector<long long> x = components(a), y = components(b);
  for (size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
    long long p = i < x.size() ? x[i] : 0, q = i < y.size() ? y[i] : 0;
    if (p != q) return p < q ? -1 : 1;
  }
  return 0;
}

ToolchainCheck CheckToolchain(const Implementation& impl) {
  const Toolchain& toolchain = impl.toolchain;
  if (toolchain.version_command.empty()) return {};
  // `env NAME=VALUE... program args` sets variables for the program (RUSTUP_AUTO_INSTALL=0, GOTOOLCHAIN=local):
  // the program is what must be installed.
  const std::vector<std::string>& argv = toolchain.version_command;
  size_t program = argv[0] == "env" ? 1 : 0;
  while (program > 0 && program < argv.size() && argv[program].find('=') != std::string::npos) ++program;
  program = std::min(program, argv.size() - 1);
  // A "system" toolchain is the program itself (a peer such as nginx): name it.
  std::string what = toolchain.name.empty() || toolchain.name == "system" ? argv[program] : toolchain.name;
  std::string shown = fmt::format("{}", fmt::join(argv, " "));
  if (!OnPath(argv[program])) {
    return {"", WithToolchainHint(fmt::format("{} is not installed: '{}' is not on PATH", what, argv[program]), impl)};
  }
  ScratchDir scratch;
  ProcessSpec spec;
  spec.argv = toolchain.version_command;
  spec.working_dir = impl.dir;
  spec.stdout_path = scratch.path() / "stdout";
  spec.stderr_path = scratch.path() / "stderr";
  spec.timeout = std::chrono::seconds(60);
  spec.rss_sample_interval = std::chrono::nanoseconds(0);
  spec.use_cgroup = false;
  ProcessResult result = RunToCompletion(spec);
  std::string out = ReadFileIfPresent(spec.stdout_path).value_or("") + ReadFileIfPresent(spec.stderr_path).value_or("");
  if (!result.ok()) {
    std::string said = FirstLine(ReadFileIfPresent(spec.stderr_path).value_or(""));
    return {"", WithToolchainHint(fmt::format("{} is not usable here: '{}' {}{}", what, shown, result.error,
                                              said.empty() ? "" : " (" + said + ")"),
                                  impl)};
  }
  std::optional<std::string> version = ParseVersion(out);
  if (!version) {
    return {"", WithToolchainHint(
                    fmt::format("{}: '{}' printed no version number ('{}')", what, shown, FirstLine(out)), impl)};
  }
  if (!toolchain.minimum.empty() && CompareVersions(*version, toolchain.minimum) < 0) {
    return {*version, WithToolchainHint(fmt::format("{} {} is too old: this implementation needs {} {} or newer", what,
                                                    *version, what, toolchain.minimum),
                                        impl)};
  }
  return {*version, ""};
}

BuildRecord DescribeBuild(const Implementation& impl) {
  BuildRecord build;
  build.libraries = impl.libraries;
  if (!impl.cmake_target.empty()) {
    build.toolchain = "cpp";
    build.toolchain_version = fmt::format("{} {}", build_info::kCompilerId, build_info::kCompilerVersion);
    build.profile = build_info::kVariant;
    build.flags = SplitFlags(build_info::kCxxFlags);
  } else {
    build.toolchain = impl.toolchain.name;
    build.toolchain_version = impl.toolchain_version;
    build.profile = impl.build_profile;
  }
  build.flags.insert(build.flags.end(), impl.build_flags.begin(), impl.build_flags.end());
  return build;
}

std::string MixedBuildWarning(const std::vector<Implementation>& impls, const std::string& variant) {
  if (variant == "release") return "";
  std::vector<std::string> own;
  for (const Implementation& impl : impls) {
    if (impl.cmake_target.empty() && !impl.build_command.empty()) own.push_back(impl.name);
  }
  if (own.empty()) return "";
  return fmt::format("the C++ implementations are the '{}' build, but {} are built by their own toolchains' "
                     "profiles (see each benchmark's build.profile): their ratios to the C++ ones compare "
                     "different kinds of build",
                     variant, fmt::join(own, ", "));
}

std::string ExpandPlaceholders(const std::string& text, const ProjectPaths& paths, const fs::path& impl_dir,
                               const fs::path& out_dir) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find('{', pos);
    if (open == std::string::npos) {
      out += text.substr(pos);
      break;
    }
    size_t close = text.find('}', open);
    if (close == std::string::npos) throw SetupError(fmt::format("unterminated placeholder in '{}'", text));
    out += text.substr(pos, open - pos);
    std::string key = text.substr(open + 1, close - open - 1);
    if (key == "root") {
      out += paths.root.string();
    } else if (key == "build_dir") {
      out += paths.build_dir.string();
    } else if (key == "impl_dir") {
      out += impl_dir.string();
    } else if (key == "out_dir") {
      out += out_dir.string();
    } else if (key == "python") {
      out += paths.python.string();
    } else {
      throw SetupError(fmt::format("unknown placeholder '{{{}}}' in '{}'; known: {{root}}, {{build_dir}}, "
                                   "{{impl_dir}}, {{out_dir}}, {{python}}",
                                   key, text));
    }
    pos = close + 1;
  }
  return out;
}

std::string NotInCaseReason(const Implementation& implementation, const std::string& case_name,
                            std::string_view profile) {
  auto lists = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), case_name) != names.end();
  };
  // summary_table.cc recognises these rows by this opening ("takes part only in ") and leaves them out.
  if (!implementation.cases.empty() && !lists(implementation.cases)) {
    return fmt::format("takes part only in {} (impl.toml 'cases'): it has no equivalent of this case",
                       fmt::join(implementation.cases, ", "));
  }
  if (profile == "quick" && !implementation.quick_cases.empty() && !lists(implementation.quick_cases)) {
    return fmt::format("takes part only in {} in the quick profile (impl.toml 'quick_cases': it is slow); the "
                       "standard and full profiles run it in this case",
                       fmt::join(implementation.quick_cases, ", "));
  }
  return "";
}

bool TakesPartInAny(const Implementation& implementation, const std::vector<std::string>& case_names,
                    std::string_view profile) {
  return std::any_of(case_names.begin(), case_names.end(), [&](const std::string& name) {
    return NotInCaseReason(implementation, name, profile).empty();
  });
}

std::string NotInProfileReason(const Implementation& implementation, std::string_view profile, bool named) {
  const std::vector<std::string>& profiles = implementation.profiles;
  if (named || profiles.empty() || std::find(profiles.begin(), profiles.end(), profile) != profiles.end()) {
    return "";
  }
  // Starts like NotInCaseReason's lines, so that summary_table.cc leaves these rows out too.
  return fmt::format("takes part only in the {} profile runs (impl.toml 'profiles'), or when "
                     "named with --impl {}",
                     fmt::join(profiles, " and "), implementation.name);
}

std::vector<Implementation> LoadImplementations(const ProjectPaths& paths, const std::string& workload) {
  // impls/ holds implementations only; a folder there without an impl.toml is a mistake worth a clear error.
  fs::path impls_dir = paths.root / "workloads" / workload / "impls";
  std::vector<Implementation> impls;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(impls_dir, error)) {
    if (!entry.is_directory()) continue;
    fs::path manifest = entry.path() / "impl.toml";
    if (!fs::exists(manifest)) {
      throw SetupError(fmt::format("{} has no impl.toml: every folder in {} is an implementation (README.md, How to "
                                   "add an implementation)",
                                   entry.path().string(), impls_dir.string()));
    }
    impls.push_back(ReadManifest(manifest, paths, workload));
  }
  if (error) throw SetupError(fmt::format("cannot read {}: {}", impls_dir.string(), error.message()));
  size_t references = std::count_if(impls.begin(), impls.end(), [](const auto& i) { return i.role == "reference"; });
  if (references != 1) {
    throw SetupError(fmt::format("workload '{}' has {} implementations with role = \"reference\" in {}; it needs "
                                 "exactly one",
                                 workload, references, impls_dir.string()));
  }
  std::sort(impls.begin(), impls.end(), [](const Implementation& a, const Implementation& b) {
    return std::make_pair(a.role != "reference", a.name) < std::make_pair(b.role != "reference", b.name);
  });
  return impls;
}

std::vector<std::pair<std::string, std::string>> ImplementationEnvironment(const ProjectPaths& paths) {
  std::string path = (paths.root / ".venv" / "bin").string();
  if (const char* inherited = std::getenv("PATH"); inherited != nullptr && *inherited != '\0') {
    path += std::string(":") + inherited;
  }
  return {{"PATH", path}};
}

std::string BuildImplementation(const Implementation& impl, const fs::path& log_dir) {
  if (impl.build_command.empty()) return {};
  fs::create_directories(impl.out_dir);
  std::string stamp;
  if (!impl.build_inputs.empty()) {
    stamp = BuildStamp(impl, CheckToolchain(impl).version);
    if (ReadFileIfPresent(StampPath(impl)) == stamp) return {};
    fs::remove(StampPath(impl));
  }
  fs::create_directories(log_dir);
  ProcessSpec spec;
  spec.argv = impl.build_command;
  spec.working_dir = impl.dir;
  spec.stdout_path = log_dir / fmt::format("build-{}-{}.log", impl.workload, impl.name);
  spec.stderr_path = spec.stdout_path.string() + ".err";
  spec.timeout = impl.build_timeout;
  spec.rss_sample_interval = std::chrono::nanoseconds(0);
  ProcessResult result = RunToCompletion(spec);
  if (result.ok()) {
    if (!stamp.empty()) std::ofstream(StampPath(impl)) << stamp;
    return {};
  }
  // The logs live in the run's scratch directory, which is removed at the end: the error carries the tail.
  std::string tail = LastLines(spec.stderr_path, kBuildLogLines);
  if (tail.empty()) tail = LastLines(spec.stdout_path, kBuildLogLines);
  return fmt::format("build failed: {}{}", result.error, tail.empty() ? "" : "; last lines of the build log: " + tail);
}

std::string UnavailableReason(const Implementation& impl, std::string* toolchain_version) {
  ToolchainCheck toolchain = CheckToolchain(impl);
  if (toolchain_version != nullptr) *toolchain_version = toolchain.version;
  if (!toolchain.reason.empty()) return toolchain.reason;
  for (const fs::path& file : impl.required_files) {
    if (!fs::exists(file)) return WithHint(fmt::format("{} does not exist", file.string()), impl);
  }
  for (const std::string& program : impl.required_programs) {
    if (!OnPath(program)) return WithHint(fmt::format("{} is not installed (not on PATH)", program), impl);
  }
  if (!impl.check_command.empty()) {
    ProcessSpec spec;
    spec.argv = impl.check_command;
    spec.working_dir = impl.dir;
    spec.timeout = std::chrono::seconds(60);
    spec.rss_sample_interval = std::chrono::nanoseconds(0);
    ProcessResult result = RunToCompletion(spec);
    if (!result.ok()) return WithHint(fmt::format("availability check failed: {}", result.error), impl);
  }
  return {};
}

}  // namespace claimbench
