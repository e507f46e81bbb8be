#include "claimbench/fingerprint.h"

#include <fcntl.h>
#include <gnu/libc-version.h>
#include <sched.h>
#include <spawn.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/version.hpp>
#include <fmt/format.h>

#include "claimbench/build_info.h"
#include "claimbench/unique_fd.h"
#include "process_limits.h"

extern char** environ;

namespace claimbench {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kUnavailable = "unavailable";
constexpr const char* kUnknown = "unknown";

// ---------------------------------------------------------------------------------------------------
// Small readers. All return nullopt/empty instead of failing: see the header's design note.

std::optional<std::string> ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return std::move(content).str();
}

std::string Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::optional<std::string> ReadLine(const fs::path& path) {
  std::optional<std::string> text = ReadText(path);
  if (!text) return std::nullopt;
  return Trim(std::string_view(*text).substr(0, text->find('\n')));
}

std::optional<int64_t> ReadInteger(const fs::path& path) {
  std::optional<std::string> line = ReadLine(path);
  if (!line || line->empty()) return std::nullopt;
  try {
    size_t used = 0;
    int64_t value = std::stoll(*line, &used);
    if (used != line->size()) return std::nullopt;
    return value;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The value of the first "key<spaces or tabs>: value" line of a /proc file such as cpuinfo or meminfo
// (cpuinfo in its x86 layout: other architectures name their fields differently and yield nullopt).
std::optional<std::string> KeyValueField(const std::string& text, std::string_view key) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos || Trim(std::string_view(line).substr(0, colon)) != key) continue;
    return Trim(std::string_view(line).substr(colon + 1));
  }
  return std::nullopt;
}

// The numbers of the CPUs with a /sys/devices/system/cpu/cpuN directory, ascending.
std::vector<int> SysfsCpus() {
  std::vector<int> cpus;
  std::error_code ec;
  for (fs::directory_iterator it("/sys/devices/system/cpu", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string_view digits = std::string_view(name).substr(std::min<size_t>(3, name.size()));
    if (name.rfind("cpu", 0) != 0 || digits.empty() || digits.size() > 6 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;  // cpufreq, cpuidle, ...
    }
    cpus.push_back(std::stoi(std::string(digits)));
  }
  std::sort(cpus.begin(), cpus.end());
  return cpus;
}

fs::path CpuDir(int cpu) { return fs::path("/sys/devices/system/cpu") / fmt::format("cpu{}", cpu); }

// Counts the CPUs in a kernel cpu list such as "0-3,8,10-11"; nullopt if malformed.
std::optional<int> CountCpuList(std::string_view list) {
  int count = 0;
  std::istringstream parts{std::string(list)};
  for (std::string part; std::getline(parts, part, ',');) {
    part = Trim(part);
    if (part.empty()) continue;
    int low = 0, high = 0;
    char dash = 0;
    std::istringstream range(part);
    if (!(range >> low)) return std::nullopt;
    if (range >> dash) {
      if (dash != '-' || !(range >> high) || high < low) return std::nullopt;
    } else {
      high = low;
    }
    count += high - low + 1;
  }
  return count;
}

// "48K" -> 49152. Sysfs cache sizes use K; M and G are accepted for safety.
std::optional<int64_t> ParseSize(std::string_view text) {
  if (text.empty()) return std::nullopt;
  int64_t multiplier = 1;
  switch (text.back()) {
    case 'K': multiplier = int64_t{1} << 10; break;
    case 'M': multiplier = int64_t{1} << 20; break;
    case 'G': multiplier = int64_t{1} << 30; break;
    default: break;
  }
  if (multiplier != 1) text.remove_suffix(1);
  try {
    size_t used = 0;
    int64_t value = std::stoll(std::string(text), &used);
    if (used != text.size()) return std::nullopt;
    return value * multiplier;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// ---------------------------------------------------------------------------------------------------
// Running git

// Runs `argv` (searched in PATH) with stdin and stderr on /dev/null and returns its stdout if it exits
// with status 0; nullopt if it cannot be started, fails or is killed.
std::optional<std::string> RunAndCapture(const std::vector<std::string>& argv) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return std::nullopt;
  UniqueFd read_end(pipe_fds[0]);
  UniqueFd write_end(pipe_fds[1]);

  posix_spawn_file_actions_t actions;
  if (posix_spawn_file_actions_init(&actions) != 0) return std::nullopt;
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int spawn_error = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  write_end.Close();  // so that read() sees EOF when the child exits
  if (spawn_error != 0) return std::nullopt;

  std::string output;
  std::array<char, 4096> buffer;
  for (;;) {
    ssize_t n = ::read(read_end.get(), buffer.data(), buffer.size());
    if (n > 0) {
      output.append(buffer.data(), static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  read_end.Close();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return std::nullopt;  // e.g. ECHILD when the caller ignores SIGCHLD
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  return output;
}

json GitInfo(const fs::path& repo_root) {
  json git = {{"commit", kUnknown}, {"dirty", nullptr}};
  if (repo_root.empty()) return git;
  const std::string root = repo_root.string();
  std::optional<std::string> commit = RunAndCapture({"git", "-C", root, "rev-parse", "HEAD"});
  if (!commit || Trim(*commit).empty()) return git;
  git["commit"] = Trim(*commit);
  // --no-optional-locks: do not refresh the index, so a concurrent git command is never disturbed.
  std::optional<std::string> status =
      RunAndCapture({"git", "--no-optional-locks", "-C", root, "status", "--porcelain"});
  if (status) git["dirty"] = !Trim(*status).empty();
  return git;
}

// ---------------------------------------------------------------------------------------------------
// Sections of the fingerprint

struct CpuFacts {
  json cpu;
  json caches = json::array();
  int num_cpus = 1;
  json mhz_per_cpu;  // integer MHz or null
  bool scaling_enabled = false;
};

json ScalingGovernors(const std::vector<int>& cpus, bool* any_not_performance) {
  json governors = json::object();
  for (int cpu : cpus) {
    std::optional<std::string> governor = ReadLine(CpuDir(cpu) / "cpufreq" / "scaling_governor");
    const std::string value = governor && !governor->empty() ? *governor : kUnavailable;
    if (value != kUnavailable && value != "performance") *any_not_performance = true;
    governors[fmt::format("cpu{}", cpu)] = value;
  }
  return governors;
}

// "enabled", "disabled" or "unavailable": acpi-cpufreq/amd-pstate expose cpufreq/boost, intel_pstate
// exposes the inverse, no_turbo.
std::string BoostState() {
  if (std::optional<int64_t> boost = ReadInteger("/sys/devices/system/cpu/cpufreq/boost")) {
    return *boost != 0 ? "enabled" : "disabled";
  }
  if (std::optional<int64_t> no_turbo = ReadInteger("/sys/devices/system/cpu/intel_pstate/no_turbo")) {
    return *no_turbo != 0 ? "disabled" : "enabled";
  }
  return kUnavailable;
}

// Distinct (package, core) pairs over the CPUs whose topology is readable; null if none is.
json PhysicalCores(const std::vector<int>& cpus) {
  std::set<std::pair<int64_t, int64_t>> cores;
  for (int cpu : cpus) {
    std::optional<int64_t> package = ReadInteger(CpuDir(cpu) / "topology" / "physical_package_id");
    std::optional<int64_t> core = ReadInteger(CpuDir(cpu) / "topology" / "core_id");
    if (package && core) cores.emplace(*package, *core);
  }
  return cores.empty() ? json(nullptr) : json(cores.size());
}

// Google Benchmark's cache list, from cpu0's view: [{type, level, size (bytes), num_sharing}].
json Caches() {
  json caches = json::array();
  std::error_code ec;
  std::vector<fs::path> indexes;
  for (fs::directory_iterator it(CpuDir(0) / "cache", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().filename().string().rfind("index", 0) == 0) indexes.push_back(it->path());
  }
  std::sort(indexes.begin(), indexes.end());
  for (const fs::path& index : indexes) {
    std::optional<int64_t> level = ReadInteger(index / "level");
    std::optional<std::string> type = ReadLine(index / "type");
    std::optional<std::string> size_text = ReadLine(index / "size");
    std::optional<int64_t> size = size_text ? ParseSize(*size_text) : std::nullopt;
    if (!level || !type || !size) continue;
    std::optional<std::string> shared = ReadLine(index / "shared_cpu_list");
    std::optional<int> sharing = shared ? CountCpuList(*shared) : std::nullopt;
    caches.push_back(
        {{"type", *type}, {"level", *level}, {"size", *size}, {"num_sharing", sharing.value_or(0)}});
  }
  return caches;
}

CpuFacts CollectCpu() {
  CpuFacts facts;
  const std::string cpuinfo = ReadText("/proc/cpuinfo").value_or("");
  const std::vector<int> cpus = SysfsCpus();

  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  facts.num_cpus = online > 0 ? static_cast<int>(online) : 1;
  cpu_set_t affinity;
  CPU_ZERO(&affinity);
  json affinity_cores = nullptr;
  if (::sched_getaffinity(0, sizeof(affinity), &affinity) == 0) affinity_cores = CPU_COUNT(&affinity);

  // Current MHz of the first CPU as the kernel reports it; cpufreq's maximum (kHz) where cpuinfo has none.
  double mhz = NAN;
  if (std::optional<std::string> text = KeyValueField(cpuinfo, "cpu MHz")) {
    try {
      mhz = std::stod(*text);
    } catch (const std::exception&) {
    }
  }
  if (std::isnan(mhz)) {
    if (std::optional<int64_t> khz = ReadInteger(CpuDir(0) / "cpufreq" / "cpuinfo_max_freq")) {
      mhz = static_cast<double>(*khz) / 1000.0;
    }
  }
  facts.mhz_per_cpu = std::isnan(mhz) ? json(nullptr) : json(std::llround(mhz));

  const std::string flags = KeyValueField(cpuinfo, "flags").value_or("");
  facts.cpu = {
      {"model", KeyValueField(cpuinfo, "model name").value_or(kUnknown)},
      {"logical_cores", facts.num_cpus},
      {"physical_cores", PhysicalCores(cpus)},
      {"affinity_cores", affinity_cores},
      {"mhz", std::isnan(mhz) ? json(nullptr) : json(mhz)},
      {"scaling_governors", ScalingGovernors(cpus, &facts.scaling_enabled)},
      {"boost", BoostState()},
      {"hypervisor_flag", (" " + flags + " ").find(" hypervisor ") != std::string::npos},
  };
  facts.caches = Caches();
  return facts;
}

json Memory(const fingerprint_internal::CgroupLimits& limits) {
  json memory = {{"total_bytes", nullptr}, {"available_bytes", nullptr}, {"cgroup_limit_bytes", nullptr}};
  const std::string meminfo = ReadText("/proc/meminfo").value_or("");
  for (const auto& [key, field] :
       {std::pair{"MemTotal", "total_bytes"}, std::pair{"MemAvailable", "available_bytes"}}) {
    if (std::optional<std::string> text = KeyValueField(meminfo, key)) {  // "16318412 kB"
      try {
        memory[field] = std::stoll(*text) * 1024;
      } catch (const std::exception&) {
      }
    }
  }
  // The tightest cgroup (v1 or v2) memory limit on this process; no limit stays null.
  if (limits.memory_limit_bytes) memory["cgroup_limit_bytes"] = *limits.memory_limit_bytes;
  return memory;
}

json Kernel() {
  struct utsname names;
  if (::uname(&names) != 0) {
    return {{"sysname", kUnknown}, {"release", kUnknown}, {"version", kUnknown}, {"machine", kUnknown}};
  }
  return {{"sysname", names.sysname}, {"release", names.release}, {"version", names.version},
          {"machine", names.machine}};
}

json Virtualization(bool hypervisor_flag) {
  const std::optional<std::string> engine = fingerprint_internal::ContainerEngine("/");
  std::optional<std::string> product = ReadLine("/sys/class/dmi/id/product_name");
  const fingerprint_internal::SeccompState seccomp =
      fingerprint_internal::ParseSeccomp(ReadText("/proc/self/status").value_or(""));
  return {{"hypervisor_flag", hypervisor_flag},
          {"product_name", product && !product->empty() ? *product : kUnavailable},
          {"container", engine.has_value()},
          {"container_engine", engine ? json(*engine) : json(nullptr)},
          {"seccomp", seccomp.mode},
          {"seccomp_filters", seccomp.filters ? json(*seccomp.filters) : json(nullptr)},
          {"speculation_store_bypass", seccomp.speculation_store_bypass}};
}

// The cgroup CPU quota, recorded beside the CPUs (cpu.cgroup_quota_cores, cpu.cgroup_quota_period_us).
void AddCpuQuota(const fingerprint_internal::CgroupLimits& limits, json& cpu) {
  cpu["cgroup_quota_cores"] = limits.cpu_quota_cores ? json(*limits.cpu_quota_cores) : json(nullptr);
  cpu["cgroup_quota_period_us"] = limits.cpu_period_us ? json(*limits.cpu_period_us) : json(nullptr);
}

json Build(const FingerprintOptions& options) {
  return {{"variant", options.variant.empty() ? build_info::kVariant : options.variant},
          {"harness_variant", build_info::kVariant},
          {"build_type", build_info::kBuildType},
          {"compiler_id", build_info::kCompilerId},
          {"compiler_version", build_info::kCompilerVersion},
          {"cxx_flags", build_info::kCxxFlags},
          {"linker_flags", build_info::kLinkerFlags},
          {"claimbench_version", build_info::kProjectVersion}};
}

json Libraries(const FingerprintOptions& options) {
  json libraries = {
      {"boost",
       fmt::format("{}.{}.{}", BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100)},
      {"nlohmann_json", fmt::format("{}.{}.{}", NLOHMANN_JSON_VERSION_MAJOR, NLOHMANN_JSON_VERSION_MINOR,
                                    NLOHMANN_JSON_VERSION_PATCH)},
      {"fmt", fmt::format("{}.{}.{}", FMT_VERSION / 10000, FMT_VERSION / 100 % 100, FMT_VERSION % 100)},
      {"glibc", gnu_get_libc_version()},
  };
  for (const auto& [name, version] : options.library_versions) libraries[name] = version;
  return libraries;
}

// How costly and how fine a steady_clock read is: a timed region shorter than a few reads is noise.
json ClockInfo() {
  struct timespec resolution {};
  json resolution_ns = nullptr;
  if (::clock_getres(CLOCK_MONOTONIC, &resolution) == 0) {
    resolution_ns = int64_t{resolution.tv_sec} * 1'000'000'000 + resolution.tv_nsec;
  }
  // The median over batches discards batches hit by an interrupt or a preemption.
  constexpr int kBatches = 2000;
  constexpr int kReadsPerBatch = 64;
  std::vector<double> per_read_ns;
  per_read_ns.reserve(kBatches);
  int64_t sink = 0;  // consumes every read so none can be elided
  for (int batch = 0; batch < kBatches; ++batch) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kReadsPerBatch; ++i) {
      sink += std::chrono::steady_clock::now().time_since_epoch().count();
    }
    const auto stop = std::chrono::steady_clock::now();
    // The interval spans the kReadsPerBatch reads plus about one more (the ends of `start` and `stop`).
    const double batch_ns = std::chrono::duration<double, std::nano>(stop - start).count();
    per_read_ns.push_back(batch_ns / (kReadsPerBatch + 1));
  }
  std::nth_element(per_read_ns.begin(), per_read_ns.begin() + kBatches / 2, per_read_ns.end());
  const double read_cost_ns = per_read_ns[kBatches / 2];
  // Publishing the sink through a volatile keeps the loop observable without printing it.
  volatile int64_t keep = sink;
  (void)keep;
  return {{"source", "std::chrono::steady_clock (CLOCK_MONOTONIC)"},
          {"resolution_ns", resolution_ns},
          {"read_cost_ns", read_cost_ns}};
}

std::string FormatTime(std::time_t time, bool utc) {
  std::tm parts{};
  if (utc ? ::gmtime_r(&time, &parts) == nullptr : ::localtime_r(&time, &parts) == nullptr) return kUnknown;
  char text[64];
  if (std::strftime(text, sizeof(text), utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S%z", &parts) == 0) {
    return kUnknown;
  }
  std::string out = text;
  // Google Benchmark writes the offset as +hh:mm; strftime's %z gives +hhmm.
  if (!utc && out.size() >= 5 && (out[out.size() - 5] == '+' || out[out.size() - 5] == '-')) {
    out = out.substr(0, out.size() - 2) + ":" + out.substr(out.size() - 2);  // not insert(): GCC 12 -Wrestrict false positive
  }
  return out;
}

std::string HostName() {
  char name[HOST_NAME_MAX + 1] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return kUnknown;
  return name;
}

std::string Executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(kUnknown) : exe.string();
}

json LoadAverage() {
  double loads[3];
  json out = json::array();
  const int count = ::getloadavg(loads, 3);
  for (int i = 0; i < count; ++i) out.push_back(loads[i]);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Looking things up in a fingerprint of unknown provenance.

const json* Find(const json& root, std::initializer_list<std::string_view> keys) {
  const json* node = &root;
  for (std::string_view key : keys) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::string FindString(const json& root, std::initializer_list<std::string_view> keys) {
  const json* node = Find(root, keys);
  return node != nullptr && node->is_string() ? node->get<std::string>() : "";
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

double FindNumber(const json& root, std::initializer_list<std::string_view> keys) {
  const json* node = Find(root, keys);
  return node != nullptr && node->is_number() ? node->get<double>() : std::nan("");
}

std::string GiB(double bytes) { return fmt::format("{:.1f} GiB", bytes / (1024.0 * 1024.0 * 1024.0)); }

// A container, and the limits that containers (or a systemd slice on a bare host) put on a run: what each
// does to the numbers. Each limit warns only when it can bind: a CPU quota below the CPUs the process may
// use, a memory limit below the machine's memory.
void AddConfinementWarnings(const json& fingerprint, std::vector<std::string>& warnings) {
  const json* container = Find(fingerprint, {"virtualization", "container"});
  if (container != nullptr && container->is_boolean() && container->get<bool>()) {
    const std::string engine = FindString(fingerprint, {"virtualization", "container_engine"});
    warnings.push_back(fmt::format(
        "ran inside a container{}: take figures for claims on the host (docker/README.md); the container's "
        "CPU and memory limits, seccomp filter, overlay filesystem and network namespace can all change timings",
        engine.empty() ? "" : " (" + engine + ")"));
  }

  const double quota_cores = FindNumber(fingerprint, {"cpu", "cgroup_quota_cores"});
  double usable_cpus = FindNumber(fingerprint, {"cpu", "affinity_cores"});
  if (std::isnan(usable_cpus)) usable_cpus = FindNumber(fingerprint, {"num_cpus"});
  if (quota_cores > 0 && (std::isnan(usable_cpus) || quota_cores < usable_cpus)) {
    const double period_us = FindNumber(fingerprint, {"cpu", "cgroup_quota_period_us"});
    const double period_ms = std::isnan(period_us) ? 100.0 : period_us / 1000.0;
    warnings.push_back(fmt::format(
        "cgroup CPU quota of {:.2f} cores{}: once the run's threads have used {:.0f} ms of CPU in a {:g} ms "
        "period the kernel stops them until the next one, so parallel timings stretch and latency tails jump by "
        "up to {:g} ms",
        quota_cores, std::isnan(usable_cpus) ? "" : fmt::format(" on {:g} cpus", usable_cpus),
        quota_cores * period_ms, period_ms, period_ms));
  }

  const double limit_bytes = FindNumber(fingerprint, {"memory", "cgroup_limit_bytes"});
  const double total_bytes = FindNumber(fingerprint, {"memory", "total_bytes"});
  if (limit_bytes > 0 && (std::isnan(total_bytes) || limit_bytes < total_bytes)) {
    warnings.push_back(fmt::format(
        "cgroup memory limit of {}{}: near the limit the kernel reclaims the page cache (inputs are read from "
        "disk again) and then kills the biggest process, so memory-hungry implementations slow down or fail",
        GiB(limit_bytes), std::isnan(total_bytes) ? "" : " of " + GiB(total_bytes) + " installed"));
  }

  if (FindString(fingerprint, {"virtualization", "seccomp"}) == "filter") {
    const double filters = FindNumber(fingerprint, {"virtualization", "seccomp_filters"});
    const std::string ssb = FindString(fingerprint, {"virtualization", "speculation_store_bypass"});
    // "thread force mitigated": seccomp turned the mitigation on for this process (kernels before 5.16 did
    // so by default), which slows loads that follow stores in ordinary code, not only system calls.
    const bool ssb_forced = ssb.find("force mitigated") != std::string::npos;
    warnings.push_back(fmt::format(
        "seccomp filter active{}: every system call first runs the filter, which adds to I/O-, network- and "
        "syscall-heavy timings{}",
        std::isnan(filters) ? "" : fmt::format(" ({:g} filter{})", filters, filters == 1 ? "" : "s"),
        ssb_forced ? "; and the kernel forced the Speculative Store Bypass mitigation on this process, "
                     "which slows ordinary code too"
                   : ""));
  }
}

}  // namespace

json CollectFingerprint(const FingerprintOptions& options) {
  // Load and time first, before this function's own work (git, clock timing) disturbs them.
  const json load_avg = LoadAverage();
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  CpuFacts cpu = CollectCpu();
  const bool hypervisor_flag = cpu.cpu.value("hypervisor_flag", false);

  json fingerprint;
  // Google Benchmark's context keys.
  fingerprint["date"] = FormatTime(now, /*utc=*/false);
  fingerprint["host_name"] = HostName();
  fingerprint["executable"] = Executable();
  fingerprint["num_cpus"] = cpu.num_cpus;
  fingerprint["mhz_per_cpu"] = cpu.mhz_per_cpu;
  fingerprint["cpu_scaling_enabled"] = cpu.scaling_enabled;
  fingerprint["caches"] = std::move(cpu.caches);
  fingerprint["load_avg"] = load_avg;
  fingerprint["library_build_type"] = Lower(build_info::kBuildType) == "debug" ? "debug" : "release";
  // claimbench's own.
  fingerprint["timestamp"] = FormatTime(now, /*utc=*/true);
  const fingerprint_internal::CgroupLimits limits = fingerprint_internal::ReadCgroupLimits(
      "/sys/fs/cgroup", ReadText("/proc/self/cgroup").value_or(""));
  AddCpuQuota(limits, cpu.cpu);
  fingerprint["cpu"] = std::move(cpu.cpu);
  fingerprint["memory"] = Memory(limits);
  fingerprint["kernel"] = Kernel();
  fingerprint["virtualization"] = Virtualization(hypervisor_flag);
  fingerprint["build"] = Build(options);
  fingerprint["libraries"] = Libraries(options);
  fingerprint["git"] = GitInfo(options.repo_root);
  fingerprint["clock"] = ClockInfo();
  return fingerprint;
}

std::vector<std::string> FingerprintWarnings(const json& fingerprint) {
  std::vector<std::string> warnings;
  const std::string variant = FindString(fingerprint, {"build", "variant"});
  const std::string build_type = Lower(FindString(fingerprint, {"build", "build_type"}));

  const bool debug_library = FindString(fingerprint, {"library_build_type"}) == "debug";
  if (variant == "debug" || build_type == "debug" || debug_library) {
    warnings.push_back("debug build: timings are not representative");
  }

  static const std::set<std::string> kSanitizerVariants = {"asan", "tsan", "ubsan", "msan", "lsan"};
  if (kSanitizerVariants.count(variant) != 0 ||
      FindString(fingerprint, {"build", "cxx_flags"}).find("-fsanitize=") != std::string::npos) {
    warnings.push_back(fmt::format("sanitizer build ({}): timings include sanitizer overhead",
                                   variant.empty() ? kUnknown : variant));
  }

  const json* load = Find(fingerprint, {"load_avg"});
  const json* cores = Find(fingerprint, {"num_cpus"});
  if (load != nullptr && load->is_array() && !load->empty() && (*load)[0].is_number() && cores != nullptr &&
      cores->is_number() && cores->get<double>() > 0) {
    const double load1 = (*load)[0].get<double>();
    const double num_cpus = cores->get<double>();
    if (load1 > 0.5 * num_cpus) {
      warnings.push_back(fmt::format(
          "load average {:.2f} at start on {} cores: other work may disturb timings", load1, num_cpus));
    }
  }

  if (const json* governors = Find(fingerprint, {"cpu", "scaling_governors"});
      governors != nullptr && governors->is_object()) {
    std::set<std::string> unstable;  // sorted, so the message is stable
    int unstable_cpus = 0;
    for (const auto& [cpu, governor] : governors->items()) {
      if (!governor.is_string()) continue;
      const std::string name = governor.get<std::string>();
      if (name == "performance" || name == kUnavailable) continue;
      unstable.insert("'" + name + "'");
      ++unstable_cpus;
    }
    if (!unstable.empty()) {
      warnings.push_back(fmt::format(
          "frequency scaling governor is {} on {} of {} cpus: pin to 'performance' for stable timings "
          "(e.g. sudo cpupower frequency-set -g performance)",
          fmt::join(unstable, "/"), unstable_cpus, governors->size()));
    }
  }

  AddConfinementWarnings(fingerprint, warnings);

  const json* dirty = Find(fingerprint, {"git", "dirty"});
  if (dirty != nullptr && dirty->is_boolean() && dirty->get<bool>()) {
    warnings.push_back("git tree is dirty: results may not match the commit");
  }
  return warnings;
}

}  // namespace claimbench
