// The build case: what it costs to build each implementation, and what the build gives.
//
// Design: building is measured like everything else: one repetition per implementation per round, the
// rounds interleaved by the suite runner, so build ratios are paired like run-time ratios. A repetition is
//   1. a clean build: a fresh, empty output folder (cargo's target, Maven's target, a new CMake build tree
//      of the variant being measured, configured and built for the one target; Go's build cache holding
//      only the standard library, compiled once per case, as Rust's and the JDK's come compiled), with
//      every dependency already downloaded by ./claimbench setup and the network switched off
//      (CARGO_NET_OFFLINE, GOPROXY=off, mvn -o), compiler caches off (ccache, RUSTC_WRAPPER);
//   2. verification: every file the implementation's command needs from the build exists, is not empty,
//      and is what the command makes of it (an ELF executable for this machine or a #! script when it is
//      run directly, a zip archive for `java -jar`); a build that exits 0 without them is invalid;
//   3. an incremental build: one of its source files gets a comment line appended (a real edit: Go and
//      CMake's compilers key on content, cargo and Maven on modification times), the same command builds
//      again in the same folder, the artifact must have been rewritten, and the file gets its bytes and
//      modification time back, whatever happens;
//   4. what the build gave: the artifact's files and bytes, the shared libraries and loader its ELF
//      headers name (elf_dependencies.h), the interpreter or runtime its command needs (java, python, a
//      #! line), what of that lies beyond the C library, and the implementation's own source lines.
// Implementations without a build of ours are no part of the rounds: an interpreted port (Python) is
// measured once for its files, runtime and source lines; a peer shipped as a package (nginx, DuckDB)
// is recorded as unavailable for the case with that reason, and so is an implementation that runs another's
// CMake target (the runner builds that target once). Clean builds of large ports take minutes, so
// only the standard and full profiles have the case.
//
// Thread-safety: one BuildCase per case, used from the runner's thread.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/implementation.h"
#include "claimbench/result.h"
#include "claimbench/workload.h"

namespace claimbench {

inline constexpr std::string_view kBuildCaseName = "build";

// The build case of `profile`: standard and full have it (6 measured repetitions after one warm-up; full
// goes on to 10 when the interval is wide), quick does not (nullopt). Its parameters `repetitions` and
// `warmup_repetitions` say how many; `run --param` may lower them for a quick look (the run is then
// indicative, as every run with overrides), and ApplyBuildCaseParameters puts them into the stopping rule.
std::optional<CaseSpec> BuildCaseSpec(std::string_view profile);

// Sets `spec`'s warm-up count and stopping rule from its parameters (after --param overrides): at least
// `repetitions` measured repetitions, and as many more as the profile allows beyond its minimum (standard:
// none; full: 4 more while the interval is wide). Throws
// SetupError naming the parameter for a value that is not an integer in range (repetitions 1-100,
// warmup_repetitions 0-10).
void ApplyBuildCaseParameters(CaseSpec& spec);

// clean_build_ns, clean_build_cpu_ns, configure_ns (CMake), incremental_build_ns, incremental_build_cpu_ns,
// artifact_bytes, artifact_files, runtime_libraries, runtime_dependencies_beyond_libc, source_lines,
// source_files, test_lines.
std::vector<MetricDescriptor> BuildMetricDescriptors();

// Empty when `implementation` has a build of ours (a CMake target or a [build] command), else one line
// saying why it has none.
std::string NoBuildReason(const Implementation& implementation);

// The state of one build case: where its repetitions build, and the Go standard-library caches it has
// primed. Removes its scratch folder when destroyed.
class BuildCase {
 public:
  // `scratch_dir` is the case's own (created, and removed at the end); `variant` is the CMake preset the
  // C++ references are built with (RunOptions::variant).
  BuildCase(ProjectPaths paths, std::filesystem::path scratch_dir, std::string variant);
  ~BuildCase();
  BuildCase(const BuildCase&) = delete;
  BuildCase& operator=(const BuildCase&) = delete;

  // One repetition for an implementation with a build (see the design above). The sample's status is
  // kFailed for a build that fails or times out, kInvalid for one whose artifact is missing or wrong (or an
  // incremental build that rebuilt nothing), kInterrupted on Ctrl-C; its error says which build and why.
  // `artifact` is filled when the sample is ok. Never throws for the implementation's failures; throws
  // SetupError for the harness's own (a folder it cannot make).
  Sample Measure(const Implementation& implementation, ArtifactRecord& artifact);

  // An implementation without a build of ours that runs from its sources (an interpreted port): its
  // files, runtime and source lines, once.
  Sample MeasureWithoutBuild(const Implementation& implementation, ArtifactRecord& artifact);

 private:
  struct Plan;
  Plan MakePlan(const Implementation& implementation, const std::filesystem::path& out) const;
  // The Go build cache with the standard library compiled for `implementation` (built on first use).
  std::string PrimedGoCache(const Implementation& implementation);

  ProjectPaths paths_;
  std::filesystem::path scratch_dir_;
  std::string variant_;
  std::map<std::string, std::filesystem::path> go_caches_;
};

}  // namespace claimbench
