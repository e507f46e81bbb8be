#include "claimbench/implementation.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "claimbench/error.h"
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
  impl.description = table["description"].value_or(std::string());
  auto expand = [&](const std::vector<std::string>& list) {
    std::vector<std::string> out;
    for (const std::string& item : list) out.push_back(ExpandPlaceholders(item, paths, impl.dir));
    return out;
  };
  const toml::node_view<const toml::node> root = toml::node_view<const toml::node>(table);
  impl.command = expand(StringList(root["command"], "command", file));
  if (impl.command.empty()) throw SetupError(fmt::format("{}: 'command' must name the program to run", file.string()));
  impl.cmake_target = root["build"]["cmake_target"].value_or(std::string());
  impl.build_command = expand(StringList(root["build"]["command"], "build.command", file));
  impl.build_timeout = std::chrono::seconds(root["build"]["timeout_s"].value_or(int64_t{600}));
  for (const std::string& f : expand(StringList(root["availability"]["files"], "availability.files", file))) {
    impl.required_files.emplace_back(f);
  }
  impl.required_programs = StringList(root["availability"]["programs"], "availability.programs", file);
  impl.check_command = expand(StringList(root["availability"]["check"], "availability.check", file));
  impl.hint = root["availability"]["hint"].value_or(std::string());
  impl.cases = StringList(root["cases"], "cases", file);
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

}  // namespace

std::string ExpandPlaceholders(const std::string& text, const ProjectPaths& paths, const fs::path& impl_dir) {
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
    } else if (key == "python") {
      out += paths.python.string();
    } else {
      throw SetupError(fmt::format("unknown placeholder '{{{}}}' in '{}'; known: {{root}}, {{build_dir}}, "
                                   "{{impl_dir}}, {{python}}",
                                   key, text));
    }
    pos = close + 1;
  }
  return out;
}

std::string NotInCaseReason(const Implementation& implementation, const std::string& case_name) {
  if (implementation.cases.empty() ||
      std::find(implementation.cases.begin(), implementation.cases.end(), case_name) != implementation.cases.end()) {
    return "";
  }
  // summary_table.cc recognises these rows by this opening ("takes part only in ") and leaves them out.
  return fmt::format("takes part only in {} (impl.toml 'cases'): it has no equivalent of this case",
                     fmt::join(implementation.cases, ", "));
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
  fs::create_directories(log_dir);
  ProcessSpec spec;
  spec.argv = impl.build_command;
  spec.working_dir = impl.dir;
  spec.stdout_path = log_dir / fmt::format("build-{}-{}.log", impl.workload, impl.name);
  spec.stderr_path = spec.stdout_path.string() + ".err";
  spec.timeout = impl.build_timeout;
  spec.rss_sample_interval = std::chrono::nanoseconds(0);
  ProcessResult result = RunToCompletion(spec);
  if (result.ok()) return {};
  // The logs live in the run's scratch directory, which is removed at the end: the error carries the tail.
  std::string tail = LastLines(spec.stderr_path, kBuildLogLines);
  if (tail.empty()) tail = LastLines(spec.stdout_path, kBuildLogLines);
  return fmt::format("build failed: {}{}", result.error, tail.empty() ? "" : "; last lines of the build log: " + tail);
}

std::string UnavailableReason(const Implementation& impl) {
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
