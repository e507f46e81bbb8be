// Implementation manifests: how the harness finds, builds and runs any implementation of a workload.
//
// Design: every implementation (the C++ reference, ports in Rust, Go or Python, peers such as nginx)
// lives in workloads/<workload>/impls/<name>/ with an impl.toml saying its language, role, how to build it, how
// to run it, and how to tell whether it can run on this machine. The harness treats them all alike; an
// unavailable one is listed with its reason and recorded as unavailable, never silently skipped.
//
// impl.toml (all paths may use {root}, {build_dir}, {impl_dir}, {python}):
//   language = "Rust"                  # required
//   role = "port"                      # reference | port | peer (exactly one reference per workload)
//   description = "..."
//   command = ["{impl_dir}/target/release/tok"]   # required: argv before the SPEC arguments
//   cases = ["initial_sync"]           # optional: the only cases it takes part in (a peer that has no
//                                      # equivalent of the others); the rest record it as unavailable
//   [build]                            # optional
//   cmake_target = "tokenizer_cpp"     # built by the project's CMake build
//   command = ["cargo", "build", "--release", "--quiet"]   # or a command run in {impl_dir}
//   timeout_s = 600
//   [availability]                     # optional; all must hold
//   files = ["{python}"]               # must exist
//   programs = ["nginx"]               # must be on PATH
//   check = ["{python}", "-c", "import tokenizers"]   # must exit 0 within 60 s
//   hint = "install the peers with ./claimbench setup --peers"   # what to do when unavailable
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace claimbench {

// The directories that manifest placeholders expand to.
struct ProjectPaths {
  std::filesystem::path root;       // {root}: the repository
  std::filesystem::path build_dir;  // {build_dir}: the CMake build of the variant being measured
  std::filesystem::path python;     // {python}: the project's .venv interpreter
};

struct Implementation {
  std::string workload;
  std::string name;         // the folder name: "cpp", "rust", "python", "nginx"
  std::string language;
  std::string role;         // "reference", "port", "peer"
  std::string description;
  std::filesystem::path dir;
  std::vector<std::string> command;
  std::string cmake_target;
  std::vector<std::string> build_command;
  std::chrono::seconds build_timeout{600};
  std::vector<std::filesystem::path> required_files;
  std::vector<std::string> required_programs;
  std::vector<std::string> check_command;
  std::string hint;
  std::vector<std::string> cases;  // empty: every case of the workload
};

// Empty when `implementation` takes part in case `case_name`, else one line saying which cases it takes.
std::string NotInCaseReason(const Implementation& implementation, const std::string& case_name);

// Reads every workloads/<workload>/impls/*/impl.toml, sorted with the reference first, then by name.
// Throws SetupError naming the file for a malformed manifest, a missing required key, an unknown role,
// a folder in impls/ without an impl.toml, or a workload without exactly one reference.
std::vector<Implementation> LoadImplementations(const ProjectPaths& paths, const std::string& workload);

// Expands {root}, {build_dir}, {impl_dir} and {python} in `text`. Throws SetupError for an unknown
// placeholder.
std::string ExpandPlaceholders(const std::string& text, const ProjectPaths& paths,
                               const std::filesystem::path& impl_dir);

// Runs the build command of an implementation that has one (cmake targets are built by the project
// build). Returns an empty string on success, else one line saying why: how the command ended and the
// last lines of its log (stderr, or stdout when stderr is empty), joined by " | ". The suite runner
// records such an implementation as failed, not unavailable.
std::string BuildImplementation(const Implementation& implementation, const std::filesystem::path& log_dir);

// The environment variables every implementation process gets on top of the harness's own, in the suite
// runner and in `claimbench exec` alike: PATH starts with the project's .venv/bin, so programs installed
// there (tpchgen-cli, the peers' Python) are found by name.
std::vector<std::pair<std::string, std::string>> ImplementationEnvironment(const ProjectPaths& paths);

// Empty when the implementation can run here, else one line: what is missing and the manifest's hint.
std::string UnavailableReason(const Implementation& implementation);

}  // namespace claimbench
