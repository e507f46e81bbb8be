// The environment fingerprint: what machine, build and state a result was measured on.
//
// Design: a timing means little without the machine it came from, so every result file carries this
// fingerprint as its `context`. Collection never fails: anything that cannot be read (no cpufreq in a
// container, no git, no DMI) is recorded as "unavailable"/"unknown"/null, because a missing detail must
// never cost the user a measurement. The fingerprint is a JSON object rather than a struct because its
// contents vary by machine and grow over time; docs/result_format.md lists its keys and
// FingerprintWarnings() turns the risky ones into warnings.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace claimbench {

struct FingerprintOptions {
  // Root of the claimbench checkout, for the git commit and dirty flag. Empty: git is not asked and both
  // are recorded as unknown.
  std::filesystem::path repo_root;
  // Build variant of the binaries being measured ("release", "asan", ...). Empty: this binary's own
  // variant (build_info::kVariant).
  std::string variant;
  // Versions of libraries only the caller knows (e.g. {"tbb", "2021.8.0"}, {"jemalloc", "5.3.0"},
  // {"benchmark", "1.7.1"}), recorded beside the ones compiled into the harness (boost, nlohmann_json,
  // fmt). A caller's entry replaces a built-in one of the same name.
  std::map<std::string, std::string> library_versions;
};

// Collects the fingerprint (keys in docs/result_format.md): Google Benchmark's context keys (date,
// host_name, executable, num_cpus, mhz_per_cpu, cpu_scaling_enabled, caches, load_avg,
// library_build_type) plus claimbench's own (timestamp, cpu, memory, kernel, virtualization, build,
// libraries, git, clock). Takes milliseconds (it runs git twice and times 130,000 clock reads; more where
// git or the clock is slow), so call it once per run, before measuring, never inside a timed region.
// Never throws except std::bad_alloc. Thread-safe (reads only process-wide state; spawns git).
nlohmann::json CollectFingerprint(const FingerprintOptions& options);

// Warnings implied by a fingerprint, one line each, in a fixed order: debug build, sanitizer build,
// high load average at start (1-minute load > 0.5 * num_cpus), frequency governors other than
// "performance", a container, a cgroup CPU quota below the usable cpus, a cgroup memory limit below the
// machine's memory, a seccomp filter (each saying what it does to the numbers), dirty git tree. Accepts any JSON (a crafted, partial or older fingerprint): a missing or
// mistyped key simply produces no warning. Never throws except std::bad_alloc. Thread-safe.
std::vector<std::string> FingerprintWarnings(const nlohmann::json& fingerprint);

}  // namespace claimbench
