// Implementation manifests: how the harness finds, builds and runs any implementation of a workload.
//
// Design: every implementation (the C++ reference, ports in Rust, Go, Java or Python, peers such as nginx)
// lives in workloads/<workload>/impls/<name>/ with an impl.toml saying its language, role, label, how to
// build it, how to run and test it, which toolchain it needs, and how to tell whether it can run on this
// machine. The harness treats them all alike; an unavailable one is listed with its reason and recorded as
// unavailable, never silently skipped.
//
// impl.toml (strings in command, build, test and availability may use the placeholders {root},
// {build_dir}, {impl_dir}, {out_dir}, {python}):
//   language = "Rust"                  # required
//   role = "port"                      # reference | port | peer (exactly one reference per workload)
//   label = "idiomatic"                # required: idiomatic | tuned | faithful (SPEC.md, "Rules for
//                                      # implementations"): idiomatic is what claims use; variant: another
//                                      # implementation's code built differently (cpp_hardened: the reference
//                                      # hardened); diagnostic: a build for scale only (cpp_asan), never a
//                                      # claim's evidence (docs/implementation_rules.md)
//   tuned = ["-march=native"]          # optional: the parts that go beyond idiomatic, named
//   libraries = ["tokio 1.54.1"]       # optional: the libraries that do the measured work
//   description = "..."
//   command = ["{out_dir}/target/release/null"]   # required: argv before the SPEC arguments
//   memory_limit = false               # optional (default true): run without the harness's memory limit
//                                      # (--memory-limit-mib, an RLIMIT_DATA), for a program whose reserved but
//                                      # unused memory that limit counts: AddressSanitizer's shadow (cpp_asan)
//   quick_cases = ["initial_sync"]     # optional: in the quick profile, only these of its cases (a slow
//                                      # implementation's smoke set, so the quick run stays short); standard
//                                      # and full run it in all of them
//   cases = ["initial_sync"]           # optional: the only cases it takes part in (a peer that has no
//                                      # equivalent of the others); the rest record it as unavailable
//   profiles = ["standard", "full"]    # optional: the profiles whose runs include it when no --impl is
//                                      # given (a peer whose clean build takes minutes stays out of the
//                                      # quick run: neither built nor run there); named with --impl, it
//                                      # runs in every profile
//   [toolchain]                        # optional: what builds or runs it
//   name = "rust"                      # rust | go | java | python | cpp | system
//   minimum = "1.85"                   # optional: the oldest version it builds with (dotted numbers)
//   version_command = ["cargo", "--version"]   # run in {impl_dir}; prints the version (stdout or stderr)
//   hint = "install Rust 1.95.0 with ./claimbench setup"   # what to do when it is missing or too old
//   [build]                            # optional
//   cmake_target = "tokenizer_cpp"     # built by the project's CMake build (toolchain, profile and flags
//                                      # are then the C++ build's own: compiler, variant, CXXFLAGS)
//   command = ["cargo", "build", "--release", "--locked", "--target-dir", "{out_dir}/target"]
//                                      # or a command run in {impl_dir}; outputs go to {out_dir}
//   inputs = ["src", "pom.xml"]        # optional: files or folders (in {impl_dir}) the build reads; the
//                                      # command is skipped when they, the command and the toolchain's
//                                      # version are unchanged since its last success (a stamp in {out_dir};
//                                      # remove that folder to force a rebuild)
//   profile = "release"                # recorded: the build profile (cargo's release, go's default, ...)
//   flags = ["-march=native"]          # recorded: every flag that changes the generated code
//   timeout_s = 600
//   [test]                             # optional: the implementation's own tests, run by ./claimbench test
//   command = ["cargo", "test", "--release", "--locked"]   # run in {impl_dir}; exit 0 = passed
//   reports = "{out_dir}/target/surefire-reports"   # optional: where the command writes JUnit XML itself
//   timeout_s = 900
//   [availability]                     # optional; all must hold
//   files = ["{python}"]               # must exist
//   programs = ["nginx"]               # must be on PATH
//   check = ["{python}", "-c", "import tokenizers"]   # must exit 0 within 60 s
//   hint = "install the peers with ./claimbench setup --peers"   # what to do when unavailable
//
// {out_dir} is build/impls/<workload>/<name>/ under {root}: outside the source tree, and the same whatever
// C++ variant (--variant) is being measured, which selects the C++ build only.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "claimbench/result.h"

namespace claimbench {

// The directories that manifest placeholders expand to.
struct ProjectPaths {
  std::filesystem::path root;       // {root}: the repository
  std::filesystem::path build_dir;  // {build_dir}: the CMake build of the variant being measured
  std::filesystem::path python;     // {python}: the project's .venv interpreter
};

// What builds or runs an implementation ([toolchain] in impl.toml).
struct Toolchain {
  std::string name;                          // "rust", "go", "java", "python", "cpp", "system"; empty: none
  std::string minimum;                       // dotted version it needs; empty: any version
  std::vector<std::string> version_command;  // argv printing the version; empty: none is checked
  std::string hint;                          // what to install when it is missing or too old
};

struct Implementation {
  std::string workload;
  std::string name;         // the folder name: "cpp", "rust", "python", "nginx"
  std::string language;
  std::string role;         // "reference", "port", "peer"
  std::string label;        // one of kLabels
  std::vector<std::string> tuned;      // what goes beyond idiomatic, named
  std::vector<std::string> libraries;  // the libraries that do the measured work
  std::string description;
  std::filesystem::path dir;
  std::filesystem::path out_dir;  // {out_dir}: build/impls/<workload>/<name>/
  std::vector<std::string> command;
  bool memory_limit = true;  // false: its processes run without the run's memory limit
  Toolchain toolchain;
  std::string cmake_target;
  std::vector<std::string> build_command;
  std::vector<std::filesystem::path> build_inputs;  // absolute; empty: the build command always runs
  std::string build_profile;
  std::vector<std::string> build_flags;
  std::chrono::seconds build_timeout{600};
  std::vector<std::string> test_command;
  std::filesystem::path test_reports;  // empty: the command writes no JUnit XML of its own
  std::chrono::seconds test_timeout{900};
  std::vector<std::filesystem::path> required_files;
  std::vector<std::string> required_programs;
  std::vector<std::string> check_command;
  std::string hint;
  std::vector<std::string> cases;  // empty: every case of the workload
  std::vector<std::string> quick_cases;  // empty: every case it takes part in, in the quick profile too
  std::vector<std::string> profiles;  // empty: every profile's runs include it
  // The toolchain version found on this machine: set by the caller from UnavailableReason's
  // `toolchain_version` before DescribeBuild; empty until then, or when no version command is declared.
  std::string toolchain_version;
};

inline constexpr std::string_view kLabels[] = {"idiomatic", "tuned", "faithful", "variant", "diagnostic"};

// The version in a version command's output: the first dotted number ("go1.26.8" -> "1.26.8",
// 'openjdk version "17.0.15"' -> "17.0.15"), else the first number ('openjdk version "21"' -> "21");
// nullopt when there is none.
std::optional<std::string> ParseVersion(std::string_view text);

// Compares dotted versions numerically, component by component, missing components counting as 0
// ("1.95" == "1.95.0" < "1.100"). Returns <0, 0 or >0. Non-numeric parts compare as 0.
int CompareVersions(std::string_view a, std::string_view b);

// What running an implementation's [toolchain] version_command found.
struct ToolchainCheck {
  std::string version;  // as ParseVersion read it; empty when the command is missing or failed
  std::string reason;   // empty when usable, else one line: what is missing or too old, and the hint
};

// Runs the version command (in the implementation's folder, so that rust-toolchain.toml and go.mod apply;
// at most 60 s) and compares its version with the minimum. An implementation without a version command
// gives an empty check. Never throws for a missing or failing program: that is the reason. Safe to call
// from several threads (each call has its own scratch folder for the command's output).
ToolchainCheck CheckToolchain(const Implementation& implementation);

// The build as a result records it: for CMake-built implementations the C++ compiler, the variant this
// harness was built as, and its flags (plus [build] flags); otherwise the manifest's toolchain, profile
// and flags with `toolchain_version`.
BuildRecord DescribeBuild(const Implementation& implementation);

// Empty when every implementation's build is of the same kind as the C++ variant being measured, else a
// warning for the result: a non-release C++ build (debug, asan, tsan, hardened) compared with ports that
// are built by their own toolchains' release profiles.
std::string MixedBuildWarning(const std::vector<Implementation>& implementations, const std::string& variant);

// Empty when `implementation` takes part in case `case_name` of `profile`, else one line saying which cases
// it takes (impl.toml `cases`, and `quick_cases` in the quick profile).
std::string NotInCaseReason(const Implementation& implementation, const std::string& case_name,
                            std::string_view profile);

// Whether `implementation` takes part in at least one of `case_names` in `profile` (NotInCaseReason): one
// that takes part in none is not built by that run.
bool TakesPartInAny(const Implementation& implementation, const std::vector<std::string>& case_names,
                    std::string_view profile);

// Empty when a run of `profile` includes `implementation`, else one line saying why not and how to include
// it: the manifest's `profiles` leave it out of this profile and --impl did not name it (`named`).
std::string NotInProfileReason(const Implementation& implementation, std::string_view profile, bool named);

// Reads every workloads/<workload>/impls/*/impl.toml, sorted with the reference first, then by name.
// Throws SetupError naming the file for a malformed manifest, a missing required key, an unknown role,
// a folder in impls/ without an impl.toml, or a workload without exactly one reference.
std::vector<Implementation> LoadImplementations(const ProjectPaths& paths, const std::string& workload);

// Expands {root}, {build_dir}, {impl_dir}, {out_dir} and {python} in `text`. Throws SetupError for an
// unknown placeholder.
std::string ExpandPlaceholders(const std::string& text, const ProjectPaths& paths,
                               const std::filesystem::path& impl_dir, const std::filesystem::path& out_dir);

// {out_dir} of an implementation: <root>/build/impls/<workload>/<name>.
std::filesystem::path ImplementationOutDir(const ProjectPaths& paths, const std::string& workload,
                                           const std::string& name);

// Runs the build command of an implementation that has one (cmake targets are built by the project
// build), creating {out_dir} first; skips it when [build] inputs are declared and current (see above).
// Returns an empty string on success, else one line saying why: how the command ended and the last lines of
// its log (stderr, or stdout when stderr is empty), joined by " | ". The suite runner records such an
// implementation as failed, not unavailable.
std::string BuildImplementation(const Implementation& implementation, const std::filesystem::path& log_dir);

// The environment variables every implementation process gets on top of the harness's own, in the suite
// runner and in `claimbench exec` alike: PATH starts with the project's .venv/bin, so programs installed
// there (tpchgen-cli, the peers' Python) are found by name.
std::vector<std::pair<std::string, std::string>> ImplementationEnvironment(const ProjectPaths& paths);

// Empty when the implementation can run here, else one line: what is missing and the manifest's hint.
// Checks the toolchain (CheckToolchain) first; its version goes to `toolchain_version` when given.
std::string UnavailableReason(const Implementation& implementation, std::string* toolchain_version = nullptr);

}  // namespace claimbench
