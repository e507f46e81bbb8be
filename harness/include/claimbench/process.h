// The process runner: starts one implementation as a child process and measures it.
//
// Design: every child gets one monitor thread that owns everything that must happen at a precise moment.
// It timestamps mark lines the moment they arrive (and reads the process tree's CPU time then), samples the
// RSS of the whole process tree on an absolute steady_clock grid, enforces the timeout, and notices the exit
// through a pidfd, so wall time ends when the child ends rather than when the caller next asks. The caller's
// thread only waits. The harness owns the clock: a child's own timestamp on a mark is taken only when it
// lies within kMarkStampTolerance before the line's arrival. The child leads its own
// process group (and gets its own cgroup v2 when one with the memory controller is writable), so a timeout,
// an interrupt or the destructor kills grandchildren too. A child that cannot start, crashes or hangs is an
// outcome in ProcessResult, never an exception; only harness-side failures throw SetupError.
//
// The protocol an implementation follows (exit status, stdout, marks on CLAIMBENCH_MARK_FD) is documented in
// docs/implementation_protocol.md.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "claimbench/result.h"

namespace claimbench {

// The child inherits its mark pipe's write end at this fd number, announced in CLAIMBENCH_MARK_FD.
inline constexpr int kMarkFd = 3;
inline constexpr const char* kMarkFdEnvVar = "CLAIMBENCH_MARK_FD";

// How long before its arrival a mark's own CLOCK_MONOTONIC stamp may lie and still be used: room for the
// pipe and the monitor thread's wake-up. On the shared 2-core VM the suite is developed on (load average
// 4), arrival - stamp was p50 0.12 ms, p99 5.5 ms, max 9.4 ms over 1500 marks; it is also the most a
// dishonest program can move a mark back (docs/implementation_protocol.md has the figures, the command that
// measures them, and what happens under heavier load). A stamp further back, before the spawn or later than
// the arrival is refused, and the arrival is used instead.
inline constexpr std::chrono::milliseconds kMarkStampTolerance{10};

// One mark line as the monitor received it. Times are ns since spawn on steady_clock (CLOCK_MONOTONIC).
struct MarkRecord {
  std::string name;
  int64_t t_ns = 0;        // the time that counts: claimed_ns when the stamp was accepted, else arrival_ns
  int64_t arrival_ns = 0;  // when the monitor read the line
  // The line's own stamp converted to ns since spawn (negative: before the spawn); nullopt for a bare name.
  std::optional<int64_t> claimed_ns;
  // 0 <= claimed_ns and arrival_ns - kMarkStampTolerance <= claimed_ns <= arrival_ns: the stamp was used.
  bool stamp_accepted = false;
  // User + system CPU time of the whole tree, ns, read by the monitor right after the line arrived (marks
  // read together share one reading); nullopt when it could not be read. Source: ProcessResult::cpu_source.
  // A thread running at that moment is counted up to one scheduler tick (1-10 ms) short: the kernel brings
  // its count up to date only at a tick or a switch.
  std::optional<int64_t> tree_cpu_ns;

  int64_t correction_ns() const { return arrival_ns - t_ns; }  // 0..tolerance: what the stamp moved it back
};

// What to run and how to measure it. A plain value; copy it freely.
struct ProcessSpec {
  // argv[0] is looked up on PATH (the child's PATH: `env` may override it) when it contains no slash; a
  // relative path with a slash is resolved in working_dir, as execve after chdir does.
  std::vector<std::string> argv;
  // Added to the inherited environment, overriding variables of the same name. CLAIMBENCH_MARK_FD is always
  // set by the runner and cannot be overridden.
  std::vector<std::pair<std::string, std::string>> env;
  std::filesystem::path working_dir;  // empty = the harness's current directory
  // Empty = /dev/null. stdout_path and stderr_path are created or truncated (mode 0644).
  std::filesystem::path stdin_path, stdout_path, stderr_path;
  // For `claimbench exec`: the child uses the harness's own stdin/stdout/stderr and the paths are ignored.
  // Note that the child is in its own process group, i.e. a background job of the terminal.
  bool inherit_stdio = false;
  std::chrono::nanoseconds timeout{0};  // since spawn; 0 = none
  std::chrono::nanoseconds rss_sample_interval{std::chrono::milliseconds(10)};  // 0 = no sampling
  bool use_cgroup = true;  // a fresh cgroup v2 when possible; ProcessResult::cgroup_note says why not
  std::vector<int> cpu_affinity;  // CPU numbers for sched_setaffinity; empty = inherit the harness's
  // Limit on the data segment (heap and anonymous mappings) of the child and each descendant, in bytes;
  // 0 = none. An implementation that exceeds it fails to allocate (and usually dies saying so).
  int64_t memory_limit_bytes = 0;
};

// Everything measured about one child: a plain value. Times are ns since spawn (just before fork) on
// steady_clock.
struct ProcessResult {
  enum class Outcome {
    kExited,       // exited on its own; exit_code says how
    kSignaled,     // killed by a signal it did not get from the runner's timeout or interrupt handling
    kTimedOut,     // ran past ProcessSpec::timeout; the runner killed the whole tree
    kInterrupted,  // the harness got SIGINT/SIGTERM while waiting; the runner killed the whole tree
    kSpawnFailed,  // never ran: executable not found, exec failed, bad working directory, ...
  };
  Outcome outcome = Outcome::kSpawnFailed;
  int exit_code = -1;  // WEXITSTATUS when the child exited, else -1
  int signal = 0;      // the terminating signal when the child was killed by one, else 0
  // One line, empty when ok(): "exited with status 3", "killed by signal 11 (SIGSEGV: Segmentation fault)",
  // "timed out after 5.0 s; process tree killed", "cannot start 'foo': No such file or directory".
  std::string error;

  int64_t wall_ns = 0;      // spawn to exit as seen by the monitor's pidfd (fork and exec included)
  int64_t user_cpu_ns = 0;  // wait4 rusage of the child: includes the descendants it waited for
  int64_t sys_cpu_ns = 0;

  // The peak resident memory of the whole tree: max(peak_rss_sampled_bytes, peak_rss_hwm_bytes). The
  // sampled tree sum sees concurrent grandchildren (counting copy-on-write pages shared after a fork once
  // per process, but an address space shared through CLONE_VM once); the members' high water marks (VmHWM,
  // read at every sample and when a mark arrives) see a peak that fell between samples. wait4's ru_maxrss is
  // NOT folded in: Linux carries the pre-exec address space's high water mark into it, and before exec the
  // child is a fork of the harness, so it never reads below the harness's own size (tens of MiB under a big
  // workload driver) and would flatter every small program's rival. It is used only when no reading of the
  // tree was made (a child that exited before the first 10 ms sample and before the harness read its first
  // mark: then the figure is at least the harness's size, an upper bound). cgroup memory.peak
  // is not folded in either: it also charges page cache and kernel memory, so it is recorded on its own.
  int64_t peak_rss_bytes = 0;
  int64_t max_rss_bytes_rusage = 0;    // wait4 ru_maxrss: at least the harness's size at fork (above)
  int64_t peak_rss_sampled_bytes = 0;  // max over rss_timeline
  int64_t peak_rss_hwm_bytes = 0;      // max over readings of the tree's summed VmHWM; 0 if none was made
  std::optional<int64_t> cgroup_memory_peak_bytes;  // memory.peak of the child's cgroup, when it had one
  std::string cgroup_note;  // one line: which cgroup was used, or why none was

  std::vector<RssPoint> rss_timeline;  // sum of statm resident pages over the tree, one point per sample
  int64_t rss_samples = 0;             // samples taken (== rss_timeline.size())
  int64_t rss_sampling_ns = 0;         // total monitor-thread time spent taking them: the sampler's overhead

  std::vector<MarkRecord> marks;  // in arrival order (the order of the lines in the pipe)
  int64_t ignored_mark_lines = 0;  // lines on the mark fd that were not [a-z0-9_]+ (or not terminated)

  // User + system CPU time of the whole tree when it was over, ns, from the same source as the marks':
  // the cgroup's cpu.stat after everything in it died, or without a cgroup the wait4 rusage (the child and
  // the descendants it waited for). nullopt when the child never started or cpu.stat could not be read.
  std::optional<int64_t> exit_tree_cpu_ns;
  // Where tree CPU times come from: "cgroup cpu.stat" (every process that ever ran in the child's cgroup,
  // µs resolution) or "/proc" (each live member's CPU clock, ns, plus the children it reaped, in clock
  // ticks; descendants that died unreaped are missed).
  std::string cpu_source;

  bool ok() const { return outcome == Outcome::kExited && exit_code == 0; }
};

const char* ToString(ProcessResult::Outcome outcome);  // "exited", "signaled", "timed_out", ...

// A running (or finished, or never started) child and its process tree. Move-only; the destructor kills the
// whole tree with SIGKILL and reaps the child if it is still running. Methods are not thread-safe: call them
// from one thread at a time (the monitor thread's work is synchronised internally). Do not reap the child
// elsewhere (waitpid(-1, ...)): the monitor reaps it. A moved-from ChildProcess may only be destroyed or
// assigned to.
class ChildProcess {
 public:
  // Starts the child and its monitor thread. Returns normally for a child that cannot start: then pid() is
  // -1 and Wait() returns Outcome::kSpawnFailed with the reason. Throws SetupError only for harness-side
  // failures: an empty argv, a capture file that cannot be opened, pipe/fork/thread creation failing.
  // Call it from a thread that outlives the child (the main thread, say): the child's PR_SET_PDEATHSIG
  // fires when the *thread* that forked it exits, not only when the harness process does.
  static ChildProcess Spawn(const ProcessSpec& spec);

  ChildProcess(ChildProcess&&) noexcept;
  ChildProcess& operator=(ChildProcess&&) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  // The child's pid, which is also its process group id; -1 if it never started. Stays valid (as a number)
  // after the child is reaped; do not signal it yourself, use Signal().
  pid_t pid() const;

  // Nanoseconds of steady_clock since the child was spawned (the origin of every time in ProcessResult);
  // 0 for a child that never started. Thread-safe (spawn_time is fixed before Spawn returns).
  std::chrono::nanoseconds SinceSpawn() const;

  // Blocks until the mark `name` has arrived and returns its time (MarkRecord::t_ns) in ns since spawn (at
  // once if it arrived earlier: the first arrival of that name counts). Returns nullopt if the child exits
  // without it, if `timeout` passes first, or if the harness is interrupted (check Interrupted()).
  std::optional<std::chrono::nanoseconds> WaitForMark(std::string_view name,
                                                      std::chrono::nanoseconds timeout);

  // True until the child has exited (it may still be a zombie awaiting the monitor) or never started.
  bool Running() const;

  // Sends `sig` to the child's process group (and nothing once the child has been reaped).
  void Signal(int sig);

  // SIGTERM to the group; if the child has not exited after `grace`, SIGKILL to the whole tree. Blocks for
  // at most `grace`; does not mark the result as timed out or interrupted.
  void Terminate(std::chrono::nanoseconds grace);

  // Blocks until the child exits, or its timeout since spawn expires (the tree is killed; kTimedOut), or
  // the harness is interrupted (the tree is killed; kInterrupted). Processes the child left behind in its
  // group or cgroup are killed too, so nothing outlives the measurement. Idempotent: later calls return the
  // same result. Does not throw for anything the child does.
  ProcessResult Wait();

  // Resident memory of the whole tree right now, in bytes; 0 once the child has exited.
  int64_t CurrentRssBytes();

 private:
  class State;  // shared with the monitor thread; defined in process.cc
  explicit ChildProcess(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// Spawn(spec).Wait(). Throws SetupError as Spawn does.
ProcessResult RunToCompletion(const ProcessSpec& spec);

// Installs SIGINT and SIGTERM handlers that set a process-wide flag and wake every waiting ChildProcess
// (through an eventfd), which then kills its tree and returns kInterrupted. A second signal restores the
// default action and re-raises, so a stuck harness can still be stopped. Idempotent and thread-safe; throws
// SetupError if the eventfd or sigaction fails.
void InstallInterruptHandler();

// True once SIGINT or SIGTERM arrived after InstallInterruptHandler(). Async-signal-safe and thread-safe.
bool Interrupted();

}  // namespace claimbench
