#include "process_limits.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>
#include <vector>

namespace claimbench::fingerprint_internal {
namespace {

namespace fs = std::filesystem;

// cgroup v1 writes "no limit" as the largest page-aligned counter (0x7FFFFFFFFFFFF000 with 4 KiB pages);
// anything this large is no limit on any real machine.
constexpr int64_t kUnlimitedMemoryBytes = int64_t{1} << 62;

std::optional<std::string> FirstLine(const fs::path& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  std::istringstream in{std::string(text)};
  int64_t value = 0;
  std::string rest;
  if (!(in >> value) || (in >> rest)) return std::nullopt;
  return value;
}

struct CgroupEntry {
  std::vector<std::string> controllers;  // empty for the v2 entry ("0::/path")
  std::string path;                      // as the kernel wrote it, starting with '/'
};

std::vector<CgroupEntry> ParseProcCgroup(std::string_view text) {
  std::vector<CgroupEntry> entries;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? std::string::npos : line.find(':', first + 1);
    if (second == std::string::npos) continue;
    CgroupEntry entry;
    std::istringstream names(line.substr(first + 1, second - first - 1));
    for (std::string name; std::getline(names, name, ',');) {
      if (!name.empty()) entry.controllers.push_back(name);
    }
    entry.path = line.substr(second + 1);
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool IsDirectory(const fs::path& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

// The directories from the process's cgroup up to the mount's root, innermost first. The mount's root alone
// when the process's path is not under this mount (a cgroup namespace, or a v1 container that sees the host's
// paths) or climbs out of it.
std::vector<fs::path> CgroupChain(const fs::path& mount, const std::string& cgroup_path) {
  const fs::path relative = fs::path(cgroup_path).relative_path().lexically_normal();
  fs::path dir = mount;
  const std::string text = relative.string();
  if (!text.empty() && text != "." && text.rfind("..", 0) != 0 && IsDirectory(mount / relative)) {
    dir = mount / relative;
  }
  std::vector<fs::path> chain;
  const std::size_t depth = std::distance(relative.begin(), relative.end());
  chain.push_back(dir);
  for (std::size_t level = 0; dir != mount && level < depth; ++level) {
    dir = dir.parent_path();
    chain.push_back(dir);
  }
  return chain;
}

// Where the v1 hierarchy holding `controller` is mounted: a folder named after its controller list
// ("cpu,cpuacct") or after the controller alone (systemd links both).
std::optional<fs::path> V1Mount(const fs::path& root, const CgroupEntry& entry, std::string_view controller) {
  if (std::find(entry.controllers.begin(), entry.controllers.end(), controller) == entry.controllers.end()) {
    return std::nullopt;
  }
  std::string joined;
  for (const std::string& name : entry.controllers) joined += (joined.empty() ? "" : ",") + name;
  for (const fs::path& candidate : {root / joined, root / std::string(controller)}) {
    if (IsDirectory(candidate)) return candidate;
  }
  return std::nullopt;
}

// The unified (v2) hierarchy: the mount itself on a v2 machine, its unified/ folder on a hybrid one.
std::optional<fs::path> V2Mount(const fs::path& root) {
  std::error_code ec;
  if (fs::exists(root / "cgroup.controllers", ec)) return root;
  if (fs::exists(root / "unified" / "cgroup.controllers", ec)) return root / "unified";
  return std::nullopt;
}

void TakeCpuLimit(CgroupLimits& limits, int64_t quota_us, int64_t period_us) {
  if (quota_us <= 0 || period_us <= 0) return;
  const double cores = static_cast<double>(quota_us) / static_cast<double>(period_us);
  if (!limits.cpu_quota_cores || cores < *limits.cpu_quota_cores) {
    limits.cpu_quota_cores = cores;
    limits.cpu_period_us = period_us;
  }
}

void TakeMemoryLimit(CgroupLimits& limits, int64_t bytes) {
  if (bytes < 0 || bytes >= kUnlimitedMemoryBytes) return;
  if (!limits.memory_limit_bytes || bytes < *limits.memory_limit_bytes) limits.memory_limit_bytes = bytes;
}

void ReadV1(const fs::path& root, const CgroupEntry& entry, CgroupLimits& limits) {
  if (std::optional<fs::path> mount = V1Mount(root, entry, "cpu")) {
    for (const fs::path& dir : CgroupChain(*mount, entry.path)) {
      std::optional<std::string> quota = FirstLine(dir / "cpu.cfs_quota_us");
      std::optional<std::string> period = FirstLine(dir / "cpu.cfs_period_us");
      std::optional<int64_t> quota_us = quota ? ParseInteger(*quota) : std::nullopt;
      std::optional<int64_t> period_us = period ? ParseInteger(*period) : std::nullopt;
      if (quota_us && period_us) TakeCpuLimit(limits, *quota_us, *period_us);
    }
  }
  if (std::optional<fs::path> mount = V1Mount(root, entry, "memory")) {
    for (const fs::path& dir : CgroupChain(*mount, entry.path)) {
      std::optional<std::string> limit = FirstLine(dir / "memory.limit_in_bytes");
      if (std::optional<int64_t> bytes = limit ? ParseInteger(*limit) : std::nullopt) TakeMemoryLimit(limits, *bytes);
    }
  }
}

void ReadV2(const fs::path& mount, const std::string& cgroup_path, CgroupLimits& limits) {
  for (const fs::path& dir : CgroupChain(mount, cgroup_path)) {
    if (std::optional<std::string> cpu_max = FirstLine(dir / "cpu.max")) {  // "max 100000" or "150000 100000"
      std::istringstream fields(*cpu_max);
      std::string quota;
      int64_t period_us = 0;
      if (fields >> quota >> period_us && quota != "max") {
        if (std::optional<int64_t> quota_us = ParseInteger(quota)) TakeCpuLimit(limits, *quota_us, period_us);
      }
    }
    if (std::optional<std::string> memory_max = FirstLine(dir / "memory.max")) {  // "max" or bytes
      if (std::optional<int64_t> bytes = ParseInteger(*memory_max)) TakeMemoryLimit(limits, *bytes);
    }
  }
}

// The value of "Key:\tvalue" in /proc/<pid>/status, trimmed.
std::optional<std::string> StatusField(std::string_view status, std::string_view key) {
  std::istringstream lines{std::string(status)};
  for (std::string line; std::getline(lines, line);) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == ':') {
      const auto start = line.find_first_not_of(" \t", key.size() + 1);
      if (start == std::string::npos) return std::string();
      const auto end = line.find_last_not_of(" \t\r");
      return line.substr(start, end - start + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

CgroupLimits ReadCgroupLimits(const fs::path& cgroup_root, std::string_view proc_cgroup) {
  CgroupLimits limits;
  for (const CgroupEntry& entry : ParseProcCgroup(proc_cgroup)) {
    if (!entry.controllers.empty()) {
      ReadV1(cgroup_root, entry, limits);
    } else if (std::optional<fs::path> mount = V2Mount(cgroup_root)) {
      ReadV2(*mount, entry.path, limits);
    }
  }
  return limits;
}

SeccompState ParseSeccomp(std::string_view proc_status) {
  SeccompState state;
  if (std::optional<std::string> mode = StatusField(proc_status, "Seccomp")) {
    if (*mode == "0") state.mode = "disabled";
    if (*mode == "1") state.mode = "strict";
    if (*mode == "2") state.mode = "filter";
  }
  if (std::optional<std::string> filters = StatusField(proc_status, "Seccomp_filters")) {
    state.filters = ParseInteger(*filters);
  }
  if (std::optional<std::string> ssb = StatusField(proc_status, "Speculation_Store_Bypass")) {
    if (!ssb->empty()) state.speculation_store_bypass = *ssb;
  }
  return state;
}

std::optional<std::string> ContainerEngine(const fs::path& root) {
  std::error_code ec;
  const fs::path containerenv = root / "run" / ".containerenv";
  if (fs::exists(containerenv, ec)) {
    std::ifstream in(containerenv);
    for (std::string line; std::getline(in, line);) {
      constexpr std::string_view kKey = "engine=\"";
      if (line.rfind(kKey, 0) == 0 && line.size() > kKey.size() + 1 && line.back() == '"') {
        return line.substr(kKey.size(), line.size() - kKey.size() - 1);
      }
    }
    return "podman";
  }
  if (fs::exists(root / ".dockerenv", ec)) return "docker";
  return std::nullopt;
}

}  // namespace claimbench::fingerprint_internal
