#include "proc_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <cstdio>
#include <string_view>
#include <cstring>

namespace claimbench::process_internal {
namespace {

// A walk that finds more processes than this is following a corrupted (pid-reused) chain, not a real tree.
constexpr size_t kMaxTreeSize = 1 << 16;
// Shared-memory detection is quadratic in the tree size; beyond this many earlier members it is skipped.
constexpr size_t kMaxSharedMemoryComparisons = 64;
// getdents64 fills the buffer unless the directory has ended; a return this far short of full means the
// end, which saves the final call that would return 0. (A dirent64 is at most ~280 bytes.)
constexpr size_t kDirentSlackBytes = 512;

// Parses a non-negative decimal number at *p, advancing *p past it; -1 if there is none.
int64_t ParseNumber(const char** p, const char* end) {
  const char* s = *p;
  if (s >= end || *s < '0' || *s > '9') return -1;
  int64_t value = 0;
  while (s < end && *s >= '0' && *s <= '9') value = value * 10 + (*s++ - '0');
  *p = s;
  return value;
}

// The numeric name of a directory entry, or -1 ("." and "..", or anything else).
int64_t EntryNumber(const dirent64* entry) {
  const char* name = entry->d_name;
  const char* name_end = name + std::strlen(name);
  int64_t number = ParseNumber(&name, name_end);
  return name == name_end ? number : -1;
}

bool ChildrenFilesSupported() {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%ld/children", static_cast<long>(::syscall(SYS_gettid)));
  return ::access(path, R_OK) == 0;
}

int OpenProcFile(const char* path, int extra_flags = 0) {
  return ::open(path, O_RDONLY | O_CLOEXEC | extra_flags);
}

}  // namespace

ProcessTreeRss::ProcessTreeRss()
    : children_files_supported_(ChildrenFilesSupported()),
      page_size_bytes_(::sysconf(_SC_PAGESIZE)),
      clock_tick_ns_(1'000'000'000 / std::max<long>(1, ::sysconf(_SC_CLK_TCK))),
      read_buffer_(4096),
      dirent_buffer_(16384) {
  tree_.reserve(64);
  tracked_.reserve(kMaxTrackedProcesses);
}

long ProcessTreeRss::ReadFd(int fd) {
  size_t length = 0;
  for (;;) {
    if (length == read_buffer_.size()) read_buffer_.resize(read_buffer_.size() * 2);
    ssize_t n =
        ::pread(fd, read_buffer_.data() + length, read_buffer_.size() - length, static_cast<off_t>(length));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return static_cast<long>(length);
    length += static_cast<size_t>(n);
    // procfs (seq_file) fills the whole buffer unless it has reached the end, so a short read is the end:
    // this saves the read() that would return 0.
    if (length < read_buffer_.size()) return static_cast<long>(length);
  }
}

long ProcessTreeRss::ReadPath(const char* path) {
  UniqueFd fd(OpenProcFile(path));
  return fd ? ReadFd(fd.get()) : -1;
}

ProcessTreeRss::Tracked* ProcessTreeRss::Find(pid_t pid) {
  for (Tracked& tracked : tracked_) {
    if (tracked.pid == pid) return &tracked;
  }
  return nullptr;
}

ProcessTreeRss::Tracked* ProcessTreeRss::Track(pid_t pid) {
  if (Tracked* tracked = Find(pid)) return tracked;
  if (tracked_.size() == kMaxTrackedProcesses) return nullptr;
  Tracked tracked;
  tracked.pid = pid;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/task", pid);
  tracked.task_dir.Reset(OpenProcFile(path, O_DIRECTORY));
  std::snprintf(path, sizeof path, "/proc/%d/statm", pid);
  tracked.statm.Reset(OpenProcFile(path));
  if (!tracked.task_dir || !tracked.statm) return nullptr;  // already gone
  if (children_files_supported_) {
    std::snprintf(path, sizeof path, "/proc/%d/task/%d/children", pid, pid);
    tracked.main_children.Reset(OpenProcFile(path));
  }
  // Within the reserved capacity: no reallocation, so pointers to entries stay valid.
  tracked_.push_back(std::move(tracked));
  return &tracked_.back();
}

int64_t ProcessTreeRss::ResidentBytes(pid_t pid) {
  long length;
  if (Tracked* tracked = Find(pid)) {
    length = ReadFd(tracked->statm.get());
  } else {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/statm", pid);
    length = ReadPath(path);
  }
  if (length <= 0) return 0;
  // statm: "size resident shared text lib data dt", all in pages.
  const char* p = read_buffer_.data();
  const char* end = p + length;
  if (ParseNumber(&p, end) < 0 || p >= end || *p != ' ') return 0;
  ++p;
  int64_t resident_pages = ParseNumber(&p, end);
  return resident_pages < 0 ? 0 : resident_pages * page_size_bytes_;
}

void ProcessTreeRss::AppendChildrenFromTasks(pid_t pid) {
  Tracked* tracked = Track(pid);
  UniqueFd opened;
  int dir_fd;
  if (tracked != nullptr) {
    tracked->in_tree = true;
    dir_fd = tracked->task_dir.get();
    ::lseek(dir_fd, 0, SEEK_SET);
  } else {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task", pid);
    opened.Reset(OpenProcFile(path, O_DIRECTORY));
    if (!opened) return;
    dir_fd = opened.get();
  }
  char path[64];
  for (;;) {
    ssize_t n = ::getdents64(dir_fd, dirent_buffer_.data(), dirent_buffer_.size());
    if (n < 0 && tracked != nullptr) {
      // The process we opened has died, and this pid now names a newer one: forget the stale files and
      // read the newcomer by path.
      tracked->pid = 0;
      tracked->in_tree = false;
      AppendChildrenFromTasks(pid);  // Track() cannot return the stale entry again
      return;
    }
    if (n <= 0) return;
    for (ssize_t offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(dirent_buffer_.data() + offset);
      offset += entry->d_reclen;
      int64_t tid = EntryNumber(entry);
      if (tid < 0) continue;
      long length;
      if (tracked != nullptr && tid == pid && tracked->main_children) {
        length = ReadFd(tracked->main_children.get());
      } else {
        std::snprintf(path, sizeof path, "/proc/%d/task/%ld/children", pid, static_cast<long>(tid));
        length = ReadPath(path);
      }
      const char* p = read_buffer_.data();
      const char* end = p + (length > 0 ? length : 0);
      while (p < end && tree_.size() < kMaxTreeSize) {
        int64_t child = ParseNumber(&p, end);
        if (child > 0) tree_.push_back(static_cast<pid_t>(child));
        while (p < end && (*p < '0' || *p > '9')) ++p;
      }
    }
    if (static_cast<size_t>(n) + kDirentSlackBytes < dirent_buffer_.size()) return;
  }
}

void ProcessTreeRss::AppendDescendantsByScanning() {
  scan_parents_.clear();
  UniqueFd proc(OpenProcFile("/proc", O_DIRECTORY));
  if (!proc) return;
  char path[64];
  for (;;) {
    ssize_t n = ::getdents64(proc.get(), dirent_buffer_.data(), dirent_buffer_.size());
    if (n <= 0) break;
    for (ssize_t offset = 0; offset < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(dirent_buffer_.data() + offset);
      offset += entry->d_reclen;
      int64_t pid = EntryNumber(entry);
      if (pid <= 0) continue;
      std::snprintf(path, sizeof path, "/proc/%ld/stat", static_cast<long>(pid));
      long length = ReadPath(path);
      if (length <= 0) continue;
      // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so parse from the last ')'.
      const char* begin = read_buffer_.data();
      const char* end = begin + length;
      const char* close = end;
      while (close > begin && close[-1] != ')') --close;
      if (close == begin) continue;
      const char* p = close + 3;  // past ") S "
      if (p >= end) continue;
      int64_t ppid = ParseNumber(&p, end);
      if (ppid > 0) scan_parents_.emplace_back(static_cast<pid_t>(pid), static_cast<pid_t>(ppid));
    }
  }
  // Breadth-first over the (small) tree: for each member, append its children from the table.
  for (size_t i = 0; i < tree_.size() && tree_.size() < kMaxTreeSize; ++i) {
    for (const auto& [pid, ppid] : scan_parents_) {
      if (ppid == tree_[i]) tree_.push_back(pid);
    }
  }
  for (pid_t pid : tree_) {
    if (Tracked* tracked = Track(pid)) tracked->in_tree = true;  // for statm
  }
}

const std::vector<pid_t>& ProcessTreeRss::CollectTree(pid_t root) {
  for (Tracked& tracked : tracked_) tracked.in_tree = false;
  tree_.clear();
  tree_.push_back(root);
  if (children_files_supported_) {
    for (size_t i = 0; i < tree_.size() && tree_.size() < kMaxTreeSize; ++i) {
      AppendChildrenFromTasks(tree_[i]);
    }
  } else {
    AppendDescendantsByScanning();
  }
  // Close the files of processes that have left the tree, making room for newcomers.
  std::erase_if(tracked_, [](const Tracked& tracked) { return !tracked.in_tree; });
  return tree_;
}

bool ProcessTreeRss::SharesMemoryWithEarlierMember(size_t index) {
  if (!kcmp_supported_) return false;
  for (size_t j = 0; j < index && j < kMaxSharedMemoryComparisons; ++j) {
    long same = ::syscall(SYS_kcmp, tree_[index], tree_[j], KCMP_VM, 0, 0);
    if (same == 0) return true;
    if (same < 0 && errno == ENOSYS) {  // kernel without CONFIG_KCMP: count every process
      kcmp_supported_ = false;
      return false;
    }
  }
  return false;
}

std::optional<int64_t> ProcessTreeRss::ProcessCpuNs(pid_t pid) {
  clockid_t clock;
  timespec cpu{};
  if (::clock_getcpuclockid(pid, &clock) != 0 || ::clock_gettime(clock, &cpu) != 0) return std::nullopt;
  int64_t total_ns = int64_t{cpu.tv_sec} * 1'000'000'000 + cpu.tv_nsec;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  long length = ReadPath(path);
  if (length <= 0) return total_ns;
  // "pid (comm) state ppid ... utime stime cutime cstime ...": comm may contain spaces and parentheses,
  // so count fields from the last ')'. cutime is the 16th field, the 14th after ')'.
  const char* begin = read_buffer_.data();
  const char* end = begin + length;
  const char* p = end;
  while (p > begin && p[-1] != ')') --p;
  for (int field = 3; field < 16 && p < end; ++field) {  // skip state .. stime (fields 3 to 15)
    while (p < end && *p == ' ') ++p;
    while (p < end && *p != ' ') ++p;
  }
  int64_t reaped_ticks = 0;
  for (int k = 0; k < 2; ++k) {
    while (p < end && *p == ' ') ++p;
    int64_t ticks = ParseNumber(&p, end);
    if (ticks > 0) reaped_ticks += ticks;
  }
  return total_ns + reaped_ticks * clock_tick_ns_;
}

std::optional<int64_t> ProcessTreeRss::CpuNs(pid_t root) {
  std::optional<int64_t> root_ns = ProcessCpuNs(root);
  if (!root_ns) return std::nullopt;
  // The root is read before the walk: its children exited and reaped in between would count twice if it
  // were read after; read before, they may be missed for this one reading, which errs on the small side.
  const std::vector<pid_t>& members = CollectTree(root);
  int64_t total_ns = *root_ns;
  for (size_t i = 1; i < members.size(); ++i) total_ns += ProcessCpuNs(members[i]).value_or(0);
  return total_ns;
}

int64_t ProcessTreeRss::HighWaterBytes(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", pid);
  const long length = ReadPath(path);
  if (length <= 0) return 0;
  // "VmHWM:\t    1234 kB": absent for a kernel thread or a zombie (no address space).
  const std::string_view status(read_buffer_.data(), static_cast<size_t>(length));
  const size_t at = status.find("\nVmHWM:");
  if (at == std::string_view::npos) return 0;
  const char* p = status.data() + at + 7;
  const char* end = status.data() + status.size();
  while (p < end && (*p == ' ' || *p == '\t')) ++p;
  const int64_t kib = ParseNumber(&p, end);
  return kib < 0 ? 0 : kib * 1024;
}

int64_t ProcessTreeRss::PeakBytes(pid_t root) {
  CollectTree(root);
  int64_t total_bytes = 0;
  for (size_t i = 0; i < tree_.size(); ++i) {
    if (i > 0 && SharesMemoryWithEarlierMember(i)) continue;
    total_bytes += HighWaterBytes(tree_[i]);
  }
  return total_bytes;
}

ProcessTreeRss::Memory ProcessTreeRss::SampleMemory(pid_t root) {
  CollectTree(root);
  Memory memory;
  for (size_t i = 0; i < tree_.size(); ++i) {
    if (i > 0 && SharesMemoryWithEarlierMember(i)) continue;
    memory.resident_bytes += ResidentBytes(tree_[i]);
    memory.peak_bytes += HighWaterBytes(tree_[i]);
  }
  return memory;
}

int64_t ProcessTreeRss::SampleBytes(pid_t root) {
  CollectTree(root);
  int64_t total_bytes = 0;
  for (size_t i = 0; i < tree_.size(); ++i) {
    if (i > 0 && SharesMemoryWithEarlierMember(i)) continue;
    total_bytes += ResidentBytes(tree_[i]);
  }
  return total_bytes;
}

}  // namespace claimbench::process_internal
