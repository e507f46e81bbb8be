#include "cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/core.h>

namespace claimbench::process_internal {
namespace {

std::string ErrnoText(int err) {
  const char* text = ::strerrordesc_np(err);
  return text != nullptr ? text : fmt::format("errno {}", err);
}

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Returns 0 or an errno value. cgroup files take one write per value, at offset 0.
int WriteText(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return errno;
  if (::pwrite(fd.get(), text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) return errno;
  return 0;
}

bool HasWord(const std::string& words, std::string_view word) {
  std::istringstream in(words);
  std::string w;
  while (in >> w) {
    if (w == word) return true;
  }
  return false;
}

// mountinfo escapes spaces and the like as \ooo.
std::string UnescapeMountField(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    bool octal = field[i] == '\\' && i + 3 < field.size();
    for (size_t k = 1; octal && k <= 3; ++k) octal = field[i + k] >= '0' && field[i + k] <= '7';
    if (octal) {
      out += static_cast<char>((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

// Where new cgroups go (parent_dir), or why they cannot (reason); exactly one is set.
struct Placement {
  std::string parent_dir;
  std::string reason;
};

// Can cgroups created in `dir` get the memory controller? Enables it when allowed. Sets *why on failure.
bool EnableMemoryForChildren(const std::string& dir, std::string* why) {
  auto controllers = ReadText(dir + "/cgroup.controllers");
  if (!controllers) {
    *why = fmt::format("{}: cannot read cgroup.controllers", dir);
    return false;
  }
  if (!HasWord(*controllers, "memory")) {
    *why = fmt::format("{}: memory controller not available there", dir);
    return false;
  }
  auto subtree = ReadText(dir + "/cgroup.subtree_control");
  if (subtree && HasWord(*subtree, "memory")) return true;
  int err = WriteText(dir + "/cgroup.subtree_control", "+memory");
  if (err == 0) return true;
  // EBUSY is cgroup v2's "no internal processes" rule: this harness itself lives in `dir`.
  *why = fmt::format("{}: cannot enable +memory in cgroup.subtree_control: {}", dir, ErrnoText(err));
  return false;
}

Placement Probe() {
  // Our cgroup v2 path is the "0::<path>" line of /proc/self/cgroup.
  std::ifstream self_cgroup("/proc/self/cgroup");
  std::string line, own_path;
  while (std::getline(self_cgroup, line)) {
    if (line.rfind("0::", 0) == 0) own_path = line.substr(3);
  }
  // The cgroup2 mount. mountinfo fields: "id parent major:minor root mount-point options ... - fstype ...".
  std::ifstream mountinfo("/proc/self/mountinfo");
  std::string mount_point, mount_root;
  while (std::getline(mountinfo, line)) {
    std::istringstream in(line);
    std::vector<std::string> fields;
    std::string field;
    while (in >> field) fields.push_back(field);
    for (size_t i = 6; i + 1 < fields.size(); ++i) {
      if (fields[i] == "-" && fields[i + 1] == "cgroup2") {
        mount_root = UnescapeMountField(fields[3]);
        mount_point = UnescapeMountField(fields[4]);
        break;
      }
    }
    if (!mount_point.empty()) break;
  }
  if (mount_point.empty()) return {"", "no cgroup: no cgroup2 filesystem is mounted (cgroup v1 only)"};
  if (own_path.empty()) return {"", "no cgroup: this process has no cgroup v2 path in /proc/self/cgroup"};

  auto root_controllers = ReadText(mount_point + "/cgroup.controllers");
  if (!root_controllers || !HasWord(*root_controllers, "memory")) {
    return {"", fmt::format("no cgroup: the cgroup2 hierarchy at {} has no memory controller (hybrid "
                            "machine: memory is managed by cgroup v1)",
                            mount_point)};
  }

  // Our own cgroup first (keeps the child inside whatever limits the harness runs under), then the root.
  std::string relative = own_path;
  if (mount_root != "/" && relative.rfind(mount_root, 0) == 0) relative = relative.substr(mount_root.size());
  std::string own_dir = relative == "/" ? mount_point : mount_point + relative;
  std::string why_own, why_root;
  if (EnableMemoryForChildren(own_dir, &why_own)) return {own_dir, ""};
  if (own_dir != mount_point) {
    if (EnableMemoryForChildren(mount_point, &why_root)) return {mount_point, ""};
    return {"", fmt::format("no cgroup: {}; {}", why_own, why_root)};
  }
  return {"", "no cgroup: " + why_own};
}

}  // namespace

ChildCgroup::ChildCgroup(std::string path) : path_(std::move(path)) {}

ChildCgroup::ChildCgroup(ChildCgroup&& other) noexcept
    : path_(std::exchange(other.path_, std::string())),
      kill_fd_(std::move(other.kill_fd_)),
      has_memory_peak_(other.has_memory_peak_),
      has_cpu_stat_(other.has_cpu_stat_) {}

ChildCgroup& ChildCgroup::operator=(ChildCgroup&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, std::string());
    kill_fd_ = std::move(other.kill_fd_);
    has_memory_peak_ = other.has_memory_peak_;
    has_cpu_stat_ = other.has_cpu_stat_;
  }
  return *this;
}

ChildCgroup::~ChildCgroup() { Remove(); }

std::optional<ChildCgroup> ChildCgroup::Create(std::string* why_not) {
  static std::mutex mutex;
  static std::optional<Placement> placement;
  static std::atomic<int> counter{0};
  {
    std::lock_guard lock(mutex);
    if (!placement) placement = Probe();
    if (placement->parent_dir.empty()) {
      *why_not = placement->reason;
      return std::nullopt;
    }
  }
  std::string path = fmt::format("{}/claimbench-{}-{}", placement->parent_dir, ::getpid(), counter++);
  if (::mkdir(path.c_str(), 0755) != 0) {
    *why_not = fmt::format("no cgroup: cannot create {}: {}", path, ErrnoText(errno));
    return std::nullopt;
  }
  ChildCgroup cgroup(path);
  cgroup.kill_fd_.Reset(::open((path + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC));
  cgroup.has_memory_peak_ = ::access((path + "/memory.peak").c_str(), R_OK) == 0;
  cgroup.has_cpu_stat_ = ::access((path + "/cpu.stat").c_str(), R_OK) == 0;
  return cgroup;
}

int ChildCgroup::AddProcess(pid_t pid) const {
  return WriteText(path_ + "/cgroup.procs", std::to_string(pid));
}

void ChildCgroup::KillAll() const {
  if (path_.empty()) return;
  if (kill_fd_ && ::pwrite(kill_fd_.get(), "1", 1, 0) == 1) return;
  // Before 5.14: kill each member; a process forking right now can escape one round, so the caller's
  // Remove() repeats this until the cgroup is empty.
  auto procs = ReadText(path_ + "/cgroup.procs");
  if (!procs) return;
  std::istringstream in(*procs);
  pid_t pid;
  while (in >> pid) ::kill(pid, SIGKILL);
}

std::optional<int64_t> ChildCgroup::MemoryPeakBytes() const {
  if (path_.empty() || !has_memory_peak_) return std::nullopt;
  auto text = ReadText(path_ + "/memory.peak");
  if (!text) return std::nullopt;
  try {
    return std::stoll(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::optional<int64_t> ChildCgroup::CpuUsageNs() const {
  if (path_.empty() || !has_cpu_stat_) return std::nullopt;
  auto text = ReadText(path_ + "/cpu.stat");
  if (!text) return std::nullopt;
  // "usage_usec 1234\nuser_usec ...": the first line, but found by its key.
  std::istringstream in(*text);
  std::string key;
  int64_t value = 0;
  while (in >> key >> value) {
    if (key == "usage_usec") return value * 1000;
  }
  return std::nullopt;
}

std::string ChildCgroup::Describe() const {
  return fmt::format("cgroup v2 {} (memory.peak: {}; cgroup.kill: {}; cpu.stat: {})", path_,
                     has_memory_peak_ ? "yes" : "no", kill_fd_ ? "yes" : "no", has_cpu_stat_ ? "yes" : "no");
}

std::string ChildCgroup::Remove() {
  if (path_.empty()) return "";
  // Dying processes leave the cgroup asynchronously, so rmdir answers EBUSY for a moment.
  using std::chrono::steady_clock;
  auto give_up = steady_clock::now() + std::chrono::seconds(1);
  int err = 0;
  for (;;) {
    KillAll();
    if (::rmdir(path_.c_str()) == 0) {
      err = 0;
      break;
    }
    err = errno;
    if (err != EBUSY || steady_clock::now() >= give_up) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::string note = err == 0 ? "" : fmt::format("cannot remove {}: {}", path_, ErrnoText(err));
  kill_fd_.Reset();
  path_.clear();
  return note;
}

}  // namespace claimbench::process_internal
