#include "claimbench/process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <mutex>
#include <system_error>
#include <thread>

#include <fmt/core.h>

#include "cgroup.h"
#include "claimbench/error.h"
#include "interrupt_internal.h"
#include "proc_tree.h"
#include "claimbench/unique_fd.h"

extern char** environ;

namespace claimbench {

using Clock = std::chrono::steady_clock;
using process_internal::ChildCgroup;
using process_internal::InterruptWakeFd;
using process_internal::ProcessTreeRss;


namespace {

constexpr size_t kMaxMarkLength = 128;
// Without pidfd_open (kernels before 5.3) the monitor polls for the exit at this period, which then bounds
// the resolution of wall_ns.
constexpr auto kNoPidfdTick = std::chrono::milliseconds(1);
// Lowest fd the parent hands to the child: 0-2 (stdio) and 3 (kMarkFd) are rearranged by dup2 in the child,
// which must not clobber a descriptor it still needs.
constexpr int kFirstFreeChildFd = kMarkFd + 1;

// What went wrong in the child between fork and exec; sent over the CLOEXEC error pipe.
enum class ChildStage : int32_t { kSetpgid, kDeathSignal, kChdir, kStdio, kMarkFd, kAffinity, kMemoryLimit, kExec };
struct ChildFailure {
  int32_t stage;
  int32_t err;
};

std::string ErrnoText(int err) {
  const char* text = ::strerrordesc_np(err);
  return text != nullptr ? text : fmt::format("errno {}", err);
}

std::string SignalText(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  const char* description = ::sigdescr_np(sig);
  if (abbrev != nullptr && description != nullptr) return fmt::format("SIG{}: {}", abbrev, description);
  return description != nullptr ? description : "unknown signal";
}

std::string FormatSeconds(std::chrono::nanoseconds duration) {
  double seconds = std::chrono::duration<double>(duration).count();
  return seconds >= 1 ? fmt::format("{:.1f}", seconds) : fmt::format("{:.3g}", seconds);
}

int64_t TimevalNs(const timeval& tv) {
  return int64_t{tv.tv_sec} * 1'000'000'000 + int64_t{tv.tv_usec} * 1000;
}

int64_t Ns(Clock::duration duration) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count();
}

// `timeout` from now, saturating instead of overflowing for "practically forever".
Clock::time_point DeadlineAfter(std::chrono::nanoseconds timeout) {
  Clock::time_point now = Clock::now();
  if (timeout <= std::chrono::nanoseconds::zero()) return now;
  if (timeout >= Clock::time_point::max() - now) return Clock::time_point::max();
  return now + std::chrono::duration_cast<Clock::duration>(timeout);
}

// ppoll with an optional absolute deadline (ns resolution, unlike poll's ms). Returns ppoll's result.
int PollUntil(pollfd* fds, nfds_t count, std::optional<Clock::time_point> deadline) {
  timespec timeout{};
  timespec* timeout_ptr = nullptr;
  if (deadline && *deadline != Clock::time_point::max()) {
    int64_t remaining_ns = std::max<int64_t>(0, Ns(*deadline - Clock::now()));
    timeout.tv_sec = remaining_ns / 1'000'000'000;
    timeout.tv_nsec = remaining_ns % 1'000'000'000;
    timeout_ptr = &timeout;
  }
  return ::ppoll(fds, count, timeout_ptr, nullptr);
}

void Notify(const UniqueFd& event_fd) {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t written = ::write(event_fd.get(), &one, sizeof one);
}

bool IsMarkName(std::string_view line) {
  return !line.empty() && std::all_of(line.begin(), line.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// A mark line is "name" or "name <CLOCK_MONOTONIC ns>". The child's own reading of the shared monotonic
// clock is exact where the arrival time includes pipe and wake-up latency (0.1 ms typically, several ms on
// a loaded machine, enough to merge two marks into one read). The harness owns the clock, so the stamp is
// used only when it lies after the spawn and at most kMarkStampTolerance before the arrival, never after
// it: a child can move a mark back by no more than the latency it could honestly have suffered. Returns
// the record (without its CPU reading), or nullopt for a malformed line.
std::optional<MarkRecord> ParseMark(std::string_view line, Clock::time_point spawn_time,
                                    Clock::time_point arrival) {
  size_t space = line.find(' ');
  std::string_view name = line.substr(0, space);
  if (!IsMarkName(name)) return std::nullopt;
  MarkRecord mark;
  mark.name = std::string(name);
  mark.arrival_ns = mark.t_ns = Ns(arrival - spawn_time);
  if (space != std::string_view::npos) {
    std::string_view digits = line.substr(space + 1);
    int64_t stamp = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), stamp);
    if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) return std::nullopt;
    int64_t claimed_ns = stamp - Ns(spawn_time.time_since_epoch());
    mark.claimed_ns = claimed_ns;
    const int64_t earliest_ns = mark.arrival_ns - Ns(kMarkStampTolerance);
    mark.stamp_accepted = claimed_ns >= 0 && claimed_ns >= earliest_ns && claimed_ns <= mark.arrival_ns;
    if (mark.stamp_accepted) mark.t_ns = claimed_ns;
  }
  return mark;
}

// Moves `fd` to kFirstFreeChildFd or above (keeping O_CLOEXEC). Throws SetupError on failure.
UniqueFd AboveChildFixedFds(UniqueFd fd) {
  if (fd.get() >= kFirstFreeChildFd) return fd;
  int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, kFirstFreeChildFd);
  if (moved < 0) {
    throw SetupError(fmt::format("cannot start a process: fcntl(F_DUPFD_CLOEXEC): {}", ErrnoText(errno)));
  }
  return UniqueFd(moved);
}

struct Pipe {
  UniqueFd read_end, write_end;
};

Pipe MakePipe(const char* purpose) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw SetupError(fmt::format("cannot start a process: pipe for {}: {}", purpose, ErrnoText(errno)));
  }
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  return {AboveChildFixedFds(std::move(read_end)), AboveChildFixedFds(std::move(write_end))};
}

UniqueFd OpenForChild(const std::filesystem::path& path, int flags, const char* what) {
  const char* target = path.empty() ? "/dev/null" : path.c_str();
  int fd = ::open(target, flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw SetupError(fmt::format("cannot open the child's {} file '{}': {}", what, target, ErrnoText(errno)));
  }
  return AboveChildFixedFds(UniqueFd(fd));
}

// Like execvp's search, but done before fork (so the child only calls execve) and in the child's PATH.
// Returns the path to execute, or empty with *err set.
std::string FindOnPath(const std::string& name, const std::string& path_var, int* err) {
  *err = ENOENT;
  size_t begin = 0;
  for (;;) {
    size_t end = path_var.find(':', begin);
    std::string dir = path_var.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) return std::filesystem::absolute(candidate).string();
      *err = EACCES;
    }
    if (end == std::string::npos) return "";
    begin = end + 1;
  }
}

// Everything the child needs between fork and exec, prepared by the parent: after fork in a multithreaded
// process the child may only make async-signal-safe calls, so no allocation and no locks.
struct ChildPlan {
  const char* executable;
  char* const* argv;
  char* const* envp;
  const char* working_dir;  // nullptr = stay
  int stdio_fds[3];         // -1 = inherit
  int mark_write_fd;
  int error_write_fd;
  int go_read_fd;  // -1 = do not wait for the parent
  const cpu_set_t* affinity;  // nullptr = inherit
  int64_t memory_limit_bytes;  // 0 = none
  pid_t parent_pid;
};

[[noreturn]] void RunChild(const ChildPlan& plan) {
  auto fail = [&plan](ChildStage stage) {
    ChildFailure failure{static_cast<int32_t>(stage), errno};
    [[maybe_unused]] ssize_t written = ::write(plan.error_write_fd, &failure, sizeof failure);
    ::_exit(127);
  };
  if (::setpgid(0, 0) != 0) fail(ChildStage::kSetpgid);
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) fail(ChildStage::kDeathSignal);
  if (::getppid() != plan.parent_pid) ::_exit(127);  // the harness died before the line above
  // Ignored signals (SIGPIPE in a network harness) and the signal mask survive exec; start clean.
  struct sigaction default_action = {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &default_action, nullptr);
  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);
  if (plan.go_read_fd >= 0) {
    // Wait until the parent has moved us into the cgroup, so nothing we allocate or fork escapes it.
    char go = 0;
    ssize_t n;
    do n = ::read(plan.go_read_fd, &go, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) ::_exit(127);  // the parent gave up
  }
  if (plan.working_dir != nullptr && ::chdir(plan.working_dir) != 0) fail(ChildStage::kChdir);
  for (int target = 0; target < 3; ++target) {
    if (plan.stdio_fds[target] >= 0 && ::dup2(plan.stdio_fds[target], target) < 0) fail(ChildStage::kStdio);
  }
  if (::dup2(plan.mark_write_fd, kMarkFd) < 0) fail(ChildStage::kMarkFd);  // dup2 clears O_CLOEXEC
  // Every harness fd is O_CLOEXEC already; this also covers fds some library opened without it. Kernels
  // before 5.11 lack CLOSE_RANGE_CLOEXEC, and then we rely on the former alone.
  ::syscall(SYS_close_range, kFirstFreeChildFd, ~0U, CLOSE_RANGE_CLOEXEC);
  if (plan.affinity != nullptr && ::sched_setaffinity(0, sizeof(cpu_set_t), plan.affinity) != 0) {
    fail(ChildStage::kAffinity);
  }
  if (plan.memory_limit_bytes > 0) {
    // RLIMIT_DATA (heap, anonymous mappings) rather than RLIMIT_AS: runtimes that reserve large virtual
    // ranges up front (Go, the JVM) still start, while memory actually allocated is bounded.
    struct rlimit limit = {static_cast<rlim_t>(plan.memory_limit_bytes), static_cast<rlim_t>(plan.memory_limit_bytes)};
    if (::setrlimit(RLIMIT_DATA, &limit) != 0) fail(ChildStage::kMemoryLimit);
  }
  ::execve(plan.executable, plan.argv, plan.envp);
  fail(ChildStage::kExec);
  ::_exit(127);  // not reached
}

std::string DescribeChildFailure(const ChildFailure& failure, const ProcessSpec& spec) {
  std::string what = ErrnoText(failure.err);
  switch (static_cast<ChildStage>(failure.stage)) {
    case ChildStage::kExec: return what;
    case ChildStage::kChdir:
      return fmt::format("cannot change to working directory '{}': {}", spec.working_dir.string(), what);
    case ChildStage::kAffinity: return "cannot set the CPU affinity: " + what;
    case ChildStage::kStdio: return "cannot redirect stdio: " + what;
    case ChildStage::kMarkFd: return "cannot set up the mark fd: " + what;
    case ChildStage::kSetpgid: return "setpgid: " + what;
    case ChildStage::kDeathSignal: return "prctl(PR_SET_PDEATHSIG): " + what;
    case ChildStage::kMemoryLimit: return "cannot set the memory limit (RLIMIT_DATA): " + what;
  }
  return what;
}

}  // namespace

const char* ToString(ProcessResult::Outcome outcome) {
  switch (outcome) {
    case ProcessResult::Outcome::kExited: return "exited";
    case ProcessResult::Outcome::kSignaled: return "signaled";
    case ProcessResult::Outcome::kTimedOut: return "timed_out";
    case ProcessResult::Outcome::kInterrupted: return "interrupted";
    case ProcessResult::Outcome::kSpawnFailed: return "spawn_failed";
  }
  return "unknown";
}

// Shared by the owner's thread (ChildProcess methods) and the monitor thread. Fields above `mutex` are set
// before the monitor starts and are read-only afterwards, except `cgroup`, which both threads use under
// `mutex` until the child is reaped and only the monitor uses after that.
class ChildProcess::State {
 public:
  enum class KillReason { kNone, kTimeout, kInterrupt };

  ~State();

  // The monitor thread's body: marks, RSS samples, timeout, exit, reaping, the result.
  void Monitor();
  // SIGKILL to the group, to every descendant found in /proc and to the cgroup. Requires `mutex`.
  void KillTreeLocked();
  // Returns when the monitor has reported something (a mark, the exit), `deadline` passes, or, when
  // `watch_interrupt`, the harness has been interrupted.
  void WaitForEvent(std::optional<Clock::time_point> deadline, bool watch_interrupt);
  // Reads what is available on the mark pipe; sets *eof when every writer has closed it. Reads the tree's
  // CPU time once for the marks that came.
  void ReadMarks(Clock::time_point arrival, bool* eof);
  // User + system CPU time of the child's whole tree now, ns (see ProcessResult::cpu_source). Monitor only.
  std::optional<int64_t> TreeCpuNs();

  std::string name;  // argv[0], for messages
  pid_t pid = -1;
  Clock::time_point spawn_time;
  std::chrono::nanoseconds timeout{0};
  std::chrono::nanoseconds sample_interval{0};
  UniqueFd pidfd;     // -1 on kernels without pidfd_open
  UniqueFd mark_fd;   // read end, O_NONBLOCK; the monitor's alone
  UniqueFd event_fd;  // eventfd: the monitor bumps it after each change the owner may wait for
  std::optional<ChildCgroup> cgroup;
  bool cpu_from_cgroup = false;  // tree CPU from the cgroup's cpu.stat rather than /proc
  std::thread monitor;

  std::mutex mutex;
  std::vector<MarkRecord> marks;  // guarded by mutex
  bool exited = false;    // guarded: the monitor saw the exit and drained the marks
  bool reaped = false;    // guarded: the pid (and group id) may be reused from now on
  bool finished = false;  // guarded: `result` is complete
  KillReason kill_reason = KillReason::kNone;  // guarded

  ProcessResult result;  // the monitor's until `finished`; then the owner's
  std::string mark_partial_line;  // the monitor's
  ProcessTreeRss tree_walker;     // the monitor's: RSS samples and, without a cgroup, CPU readings
  bool mark_line_too_long = false;  // the monitor's

  std::optional<ProcessResult> final_result;  // owner only
  std::optional<ProcessTreeRss> owner_rss;    // owner only, for CurrentRssBytes
};

ChildProcess::State::~State() {
  if (monitor.joinable()) {
    {
      std::lock_guard lock(mutex);
      KillTreeLocked();
    }
    monitor.join();
  } else if (pid > 0 && !reaped) {  // Spawn threw after fork
    ::kill(-pid, SIGKILL);
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
}

void ChildProcess::State::KillTreeLocked() {
  if (pid <= 0 || reaped) return;
  // Walk before killing: once the leader dies its children are reparented out of reach. The walk matters
  // only without a cgroup, for descendants that left the process group (setsid, setpgid). A pid read here
  // could in theory be recycled by an unrelated process within these microseconds; pids are not reused that
  // fast in practice.
  ProcessTreeRss walker;
  std::vector<pid_t> tree = walker.CollectTree(pid);
  ::kill(-pid, SIGKILL);
  for (pid_t member : tree) ::kill(member, SIGKILL);
  if (cgroup) cgroup->KillAll();
}

void ChildProcess::State::WaitForEvent(std::optional<Clock::time_point> deadline, bool watch_interrupt) {
  pollfd fds[2] = {{event_fd.get(), POLLIN, 0}, {InterruptWakeFd(), POLLIN, 0}};
  nfds_t count = watch_interrupt && fds[1].fd >= 0 ? 2 : 1;
  PollUntil(fds, count, deadline);
  if (fds[0].revents & POLLIN) {
    uint64_t value;
    [[maybe_unused]] ssize_t n = ::read(event_fd.get(), &value, sizeof value);
  }
}

std::optional<int64_t> ChildProcess::State::TreeCpuNs() {
  if (cpu_from_cgroup) return cgroup->CpuUsageNs();
  return tree_walker.CpuNs(pid);
}

void ChildProcess::State::ReadMarks(Clock::time_point arrival, bool* eof) {
  std::vector<MarkRecord> fresh;
  int64_t ignored = 0;
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(mark_fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0) *eof = true;
    if (n <= 0) break;  // EAGAIN: all read
    for (ssize_t i = 0; i < n; ++i) {
      char c = buffer[i];
      if (c == '\n') {
        std::optional<MarkRecord> mark =
            mark_line_too_long ? std::nullopt : ParseMark(mark_partial_line, spawn_time, arrival);
        if (mark) {
          fresh.push_back(std::move(*mark));
        } else {
          ++ignored;
        }
        mark_partial_line.clear();
        mark_line_too_long = false;
      } else if (!mark_line_too_long) {
        if (mark_partial_line.size() < kMaxMarkLength) {
          mark_partial_line += c;
        } else {
          mark_line_too_long = true;
          mark_partial_line.clear();
        }
      }
    }
  }
  result.ignored_mark_lines += ignored;
  if (!fresh.empty()) {
    // Read once the lines are in: work the child does after writing a mark counts on the mark's far side
    // only for the moment the pipe and this thread's wake-up take.
    std::optional<int64_t> cpu_ns = TreeCpuNs();
    for (MarkRecord& mark : fresh) mark.tree_cpu_ns = cpu_ns;
    // A short program may exit before the first RSS sample: its peak so far is read at each mark.
    result.peak_rss_hwm_bytes = std::max(result.peak_rss_hwm_bytes, tree_walker.PeakBytes(pid));
    {
      std::lock_guard lock(mutex);
      for (auto& mark : fresh) marks.push_back(std::move(mark));
    }
    Notify(event_fd);
  }
}

void ChildProcess::State::Monitor() {
  const bool sampling = sample_interval > std::chrono::nanoseconds::zero();
  const auto interval = std::chrono::duration_cast<Clock::duration>(sample_interval);
  Clock::time_point next_sample = spawn_time + interval;
  // A timeout too large to add to the spawn time is as good as none.
  const bool has_deadline = timeout > std::chrono::nanoseconds::zero() &&
                            timeout < Clock::time_point::max() - spawn_time;
  const Clock::time_point deadline = has_deadline
                                         ? spawn_time + std::chrono::duration_cast<Clock::duration>(timeout)
                                         : Clock::time_point::max();
  bool deadline_handled = false;
  bool mark_open = mark_fd.valid();
  if (sampling) result.rss_timeline.reserve(1024);

  Clock::time_point exit_time;
  for (;;) {
    pollfd fds[2];
    nfds_t count = 0;
    int pid_index = -1, mark_index = -1;
    if (pidfd) {
      pid_index = static_cast<int>(count);
      fds[count++] = {pidfd.get(), POLLIN, 0};
    }
    if (mark_open) {
      mark_index = static_cast<int>(count);
      fds[count++] = {mark_fd.get(), POLLIN, 0};
    }
    Clock::time_point wake = Clock::time_point::max();
    if (sampling) wake = std::min(wake, next_sample);
    if (has_deadline && !deadline_handled) wake = std::min(wake, deadline);
    if (!pidfd) wake = std::min(wake, Clock::now() + kNoPidfdTick);
    if (PollUntil(fds, count, wake) < 0 && errno != EINTR) {
      // Cannot happen with valid fds; sleep rather than spin if it does.
      std::this_thread::sleep_for(kNoPidfdTick);
    }
    Clock::time_point now = Clock::now();

    if (mark_index >= 0 && fds[mark_index].revents != 0) {
      bool eof = false;
      ReadMarks(now, &eof);
      if (eof) mark_open = false;  // the child closed it; grandchildren holding it would keep it open
    }
    bool child_exited;
    if (pid_index >= 0) {
      child_exited = (fds[pid_index].revents & POLLIN) != 0;
    } else {
      siginfo_t info{};
      child_exited = ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
    }
    if (child_exited) {
      exit_time = now;
      break;
    }
    if (has_deadline && !deadline_handled && now >= deadline) {
      deadline_handled = true;
      std::lock_guard lock(mutex);
      if (kill_reason == KillReason::kNone) kill_reason = KillReason::kTimeout;
      KillTreeLocked();
    }
    if (sampling && now >= next_sample) {
      Clock::time_point sample_start = Clock::now();
      const ProcessTreeRss::Memory memory = tree_walker.SampleMemory(pid);
      const int64_t rss_bytes = memory.resident_bytes;
      result.peak_rss_hwm_bytes = std::max(result.peak_rss_hwm_bytes, memory.peak_bytes);
      Clock::time_point sample_end = Clock::now();
      result.rss_timeline.push_back({Ns(sample_start - spawn_time), rss_bytes});
      result.peak_rss_sampled_bytes = std::max(result.peak_rss_sampled_bytes, rss_bytes);
      ++result.rss_samples;
      result.rss_sampling_ns += Ns(sample_end - sample_start);
      // Stay on the absolute grid spawn + k * interval: no drift, and no burst after a late wake-up.
      next_sample += interval;
      if (next_sample <= sample_end) next_sample += ((sample_end - next_sample) / interval + 1) * interval;
    }
  }

  if (mark_open) {
    bool eof = false;
    ReadMarks(Clock::now(), &eof);
  }
  if (!mark_partial_line.empty() || mark_line_too_long) ++result.ignored_mark_lines;  // unterminated

  int status = 0;
  rusage usage{};
  KillReason reason;
  {
    std::lock_guard lock(mutex);
    exited = true;
    // The child is a zombie, so its pid and group id cannot have been reused yet: kill what it left behind
    // (nothing may outlive the measurement), then reap it.
    KillTreeLocked();
    while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
    }
    reaped = true;
    reason = kill_reason;
  }
  Notify(event_fd);

  result.wall_ns = Ns(exit_time - spawn_time);
  result.user_cpu_ns = TimevalNs(usage.ru_utime);
  result.sys_cpu_ns = TimevalNs(usage.ru_stime);
  if (!cpu_from_cgroup) result.exit_tree_cpu_ns = result.user_cpu_ns + result.sys_cpu_ns;
  result.max_rss_bytes_rusage = int64_t{usage.ru_maxrss} * 1024;  // ru_maxrss is in KiB on Linux
  result.peak_rss_bytes = std::max(result.peak_rss_sampled_bytes, result.peak_rss_hwm_bytes);
  if (result.peak_rss_bytes == 0) result.peak_rss_bytes = result.max_rss_bytes_rusage;  // never read (above)
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (reason == KillReason::kTimeout) {
    result.outcome = ProcessResult::Outcome::kTimedOut;
    result.error = fmt::format("timed out after {} s; process tree killed", FormatSeconds(timeout));
  } else if (reason == KillReason::kInterrupt) {
    result.outcome = ProcessResult::Outcome::kInterrupted;
    result.error = "interrupted; process tree killed";
  } else if (WIFSIGNALED(status)) {
    result.outcome = ProcessResult::Outcome::kSignaled;
    result.error = fmt::format("killed by signal {} ({}){}", result.signal, SignalText(result.signal),
                               WCOREDUMP(status) ? "; core dumped" : "");
  } else {
    result.outcome = ProcessResult::Outcome::kExited;
    if (result.exit_code != 0) result.error = fmt::format("exited with status {}", result.exit_code);
  }
  if (cgroup) {
    if (cpu_from_cgroup) result.exit_tree_cpu_ns = cgroup->CpuUsageNs();
    result.cgroup_memory_peak_bytes = cgroup->MemoryPeakBytes();
    std::string removal = cgroup->Remove();
    if (!removal.empty()) result.cgroup_note += "; " + removal;
  }
  {
    std::lock_guard lock(mutex);
    result.marks = marks;
    finished = true;
  }
  Notify(event_fd);
}

ChildProcess::ChildProcess(std::unique_ptr<State> state) : state_(std::move(state)) {}
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&&) noexcept = default;
ChildProcess::~ChildProcess() = default;

ChildProcess ChildProcess::Spawn(const ProcessSpec& spec) {
  if (spec.argv.empty()) throw SetupError("cannot start a process: empty argv");
  auto state = std::make_unique<State>();
  state->name = spec.argv[0];
  state->timeout = spec.timeout;
  state->sample_interval = spec.rss_sample_interval;

  // The environment: inherited, minus what the spec overrides (the last override of a name wins).
  std::vector<std::string> env_strings;
  auto is_overridden = [&spec](std::string_view name) {
    if (name == kMarkFdEnvVar) return true;
    return std::any_of(spec.env.begin(), spec.env.end(),
                       [&](const auto& entry) { return entry.first == name; });
  };
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!is_overridden(text.substr(0, text.find('=')))) env_strings.emplace_back(text);
  }
  std::string path_var = ::getenv("PATH") != nullptr ? ::getenv("PATH") : "/bin:/usr/bin";
  for (size_t i = 0; i < spec.env.size(); ++i) {
    const auto& [name, value] = spec.env[i];
    bool later_override = std::any_of(spec.env.begin() + i + 1, spec.env.end(),
                                      [&](const auto& entry) { return entry.first == name; });
    if (later_override || name == kMarkFdEnvVar) continue;
    env_strings.push_back(name + "=" + value);
    if (name == "PATH") path_var = value;
  }
  env_strings.push_back(fmt::format("{}={}", kMarkFdEnvVar, kMarkFd));

  auto fail_to_start = [&state](std::string why, Clock::time_point since) {
    ProcessResult result;
    result.outcome = ProcessResult::Outcome::kSpawnFailed;
    result.error = fmt::format("cannot start '{}': {}", state->name, why);
    result.wall_ns = Ns(Clock::now() - since);
    result.cgroup_note = state->result.cgroup_note.empty() ? "no cgroup: the child never started"
                                                            : state->result.cgroup_note;
    state->exited = state->reaped = state->finished = true;
    state->final_result = std::move(result);
    return ChildProcess(std::move(state));
  };

  std::string executable = spec.argv[0];
  if (executable.find('/') == std::string::npos) {
    int err = 0;
    executable = FindOnPath(spec.argv[0], path_var, &err);
    if (executable.empty()) return fail_to_start(ErrnoText(err) + " (searched PATH)", Clock::now());
  }

  std::vector<char*> argv, envp;
  for (const auto& arg : spec.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  for (auto& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  cpu_set_t affinity;
  CPU_ZERO(&affinity);
  for (int cpu : spec.cpu_affinity) {
    if (cpu < 0 || cpu >= CPU_SETSIZE) {
      throw SetupError(fmt::format("cannot start a process: invalid CPU {}", cpu));
    }
    CPU_SET(cpu, &affinity);
  }

  UniqueFd stdio[3];
  if (!spec.inherit_stdio) {
    stdio[0] = OpenForChild(spec.stdin_path, O_RDONLY, "stdin");
    stdio[1] = OpenForChild(spec.stdout_path, O_WRONLY | O_CREAT | O_TRUNC, "stdout");
    if (!spec.stderr_path.empty() && spec.stderr_path == spec.stdout_path) {
      // One open file description, so that both streams append in order instead of overwriting each other.
      stdio[2] = AboveChildFixedFds(UniqueFd(::fcntl(stdio[1].get(), F_DUPFD_CLOEXEC, kFirstFreeChildFd)));
    } else {
      stdio[2] = OpenForChild(spec.stderr_path, O_WRONLY | O_CREAT | O_TRUNC, "stderr");
    }
  }
  Pipe mark_pipe = MakePipe("marks");
  Pipe error_pipe = MakePipe("exec errors");
  if (::fcntl(mark_pipe.read_end.get(), F_SETFL, O_NONBLOCK) != 0) {
    throw SetupError(fmt::format("cannot start a process: fcntl(O_NONBLOCK): {}", ErrnoText(errno)));
  }
  state->event_fd.Reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!state->event_fd) {
    throw SetupError(fmt::format("cannot start a process: eventfd: {}", ErrnoText(errno)));
  }

  Pipe go_pipe;
  if (spec.use_cgroup) {
    state->cgroup = ChildCgroup::Create(&state->result.cgroup_note);
    if (state->cgroup) go_pipe = MakePipe("cgroup hand-over");
  } else {
    state->result.cgroup_note = "no cgroup: ProcessSpec::use_cgroup is false";
  }

  ChildPlan plan{};
  plan.executable = executable.c_str();
  plan.argv = argv.data();
  plan.envp = envp.data();
  plan.working_dir = spec.working_dir.empty() ? nullptr : spec.working_dir.c_str();
  for (int i = 0; i < 3; ++i) plan.stdio_fds[i] = stdio[i].get();
  plan.mark_write_fd = mark_pipe.write_end.get();
  plan.error_write_fd = error_pipe.write_end.get();
  plan.go_read_fd = go_pipe.read_end.get();
  plan.affinity = spec.cpu_affinity.empty() ? nullptr : &affinity;
  plan.memory_limit_bytes = spec.memory_limit_bytes;
  plan.parent_pid = ::getpid();

  state->spawn_time = Clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw SetupError(fmt::format("cannot start a process: fork: {}", ErrnoText(errno)));
  if (pid == 0) RunChild(plan);

  state->pid = pid;
  // Also set the group from this side, so that it exists when Spawn returns whichever process runs first.
  // EACCES here means the child has already exec'd, after doing it itself.
  ::setpgid(pid, pid);
  for (auto& fd : stdio) fd.Reset();
  mark_pipe.write_end.Reset();
  error_pipe.write_end.Reset();
  go_pipe.read_end.Reset();
  state->mark_fd = std::move(mark_pipe.read_end);
  state->pidfd.Reset(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));  // fails before Linux 5.3

  if (state->cgroup) {
    int err = state->cgroup->AddProcess(pid);
    if (err == 0) {
      state->result.cgroup_note = state->cgroup->Describe();
    } else {
      state->result.cgroup_note =
          fmt::format("no cgroup: cannot move the child into {}: {}", state->cgroup->path(), ErrnoText(err));
      state->cgroup.reset();
    }
    [[maybe_unused]] ssize_t written = ::write(go_pipe.write_end.get(), "g", 1);
    go_pipe.write_end.Reset();
  }
  state->cpu_from_cgroup = state->cgroup && state->cgroup->HasCpuStat();
  state->result.cpu_source = state->cpu_from_cgroup ? "cgroup cpu.stat" : "/proc";

  // The error pipe is O_CLOEXEC: end-of-file without a word means execve succeeded.
  ChildFailure failure{};
  ssize_t n;
  do n = ::read(error_pipe.read_end.get(), &failure, sizeof failure);
  while (n < 0 && errno == EINTR);
  if (n == sizeof failure) {
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    state->pid = -1;
    return fail_to_start(DescribeChildFailure(failure, spec), state->spawn_time);
  }

  try {
    state->monitor = std::thread([raw = state.get()] { raw->Monitor(); });
  } catch (const std::system_error& e) {
    throw SetupError(fmt::format("cannot start a process: monitor thread: {}", e.what()));  // ~State kills it
  }
  return ChildProcess(std::move(state));
}

pid_t ChildProcess::pid() const { return state_ ? state_->pid : -1; }

std::chrono::nanoseconds ChildProcess::SinceSpawn() const {
  if (!state_ || state_->pid < 0) return std::chrono::nanoseconds(0);
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - state_->spawn_time);
}

std::optional<std::chrono::nanoseconds> ChildProcess::WaitForMark(std::string_view name,
                                                                    std::chrono::nanoseconds timeout) {
  State& s = *state_;
  Clock::time_point deadline = DeadlineAfter(timeout);
  for (;;) {
    {
      std::lock_guard lock(s.mutex);
      for (const MarkRecord& mark : s.marks) {
        if (mark.name == name) return std::chrono::nanoseconds(mark.t_ns);
      }
      if (s.exited) return std::nullopt;  // the monitor drains the pipe before it sets `exited`
    }
    if (Interrupted() || Clock::now() >= deadline) return std::nullopt;
    s.WaitForEvent(deadline, /*watch_interrupt=*/true);
  }
}

bool ChildProcess::Running() const {
  std::lock_guard lock(state_->mutex);
  return state_->pid > 0 && !state_->exited;
}

void ChildProcess::Signal(int sig) {
  std::lock_guard lock(state_->mutex);
  if (state_->pid > 0 && !state_->reaped) ::kill(-state_->pid, sig);
}

void ChildProcess::Terminate(std::chrono::nanoseconds grace) {
  State& s = *state_;
  Signal(SIGTERM);
  Clock::time_point deadline = DeadlineAfter(grace);
  for (;;) {
    {
      std::lock_guard lock(s.mutex);
      if (s.exited) return;
      if (Clock::now() >= deadline) {
        s.KillTreeLocked();
        return;
      }
    }
    s.WaitForEvent(deadline, /*watch_interrupt=*/false);
  }
}

ProcessResult ChildProcess::Wait() {
  State& s = *state_;
  if (s.final_result) return *s.final_result;
  bool interrupt_handled = false;
  for (;;) {
    {
      std::lock_guard lock(s.mutex);
      if (s.finished) break;
      if (!interrupt_handled && Interrupted()) {
        interrupt_handled = true;
        if (!s.exited && s.kill_reason == State::KillReason::kNone) {
          s.kill_reason = State::KillReason::kInterrupt;
        }
        s.KillTreeLocked();
        continue;
      }
    }
    // After the interrupt the wake fd stays readable; stop watching it, or this loop would spin.
    s.WaitForEvent(std::nullopt, /*watch_interrupt=*/!interrupt_handled);
  }
  s.monitor.join();
  s.final_result = std::move(s.result);
  return *s.final_result;
}

int64_t ChildProcess::CurrentRssBytes() {
  State& s = *state_;
  // Under the mutex so that the monitor cannot reap the child (freeing its pid for reuse) mid-walk.
  std::lock_guard lock(s.mutex);
  if (s.pid <= 0 || s.exited) return 0;
  if (!s.owner_rss) s.owner_rss.emplace();
  return s.owner_rss->SampleBytes(s.pid);
}

ProcessResult RunToCompletion(const ProcessSpec& spec) { return ChildProcess::Spawn(spec).Wait(); }

}  // namespace claimbench
