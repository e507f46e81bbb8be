#include "service_trace.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace claimbench::sync_service {
namespace {

constexpr int64_t kSecondNs = 1'000'000'000;
constexpr int64_t kSlowTurnNs = 250'000;
constexpr int64_t kProbePeriodNs = 1'000'000;

void RaiseMax(std::atomic<int64_t>& max, int64_t value) noexcept {
  int64_t seen = max.load(std::memory_order_relaxed);
  while (value > seen && !max.compare_exchange_weak(seen, value, std::memory_order_relaxed)) {
  }
}

// Minor and major faults of this process (fields 10 and 12 of /proc/self/stat).
void Faults(int64_t& minor, int64_t& major) {
  std::ifstream in("/proc/self/stat");
  std::string line;
  std::getline(in, line);
  const size_t paren = line.rfind(')');  // the command name may hold spaces
  minor = major = 0;
  if (paren == std::string::npos) return;
  std::istringstream fields(line.substr(paren + 2));
  std::string field;
  for (int i = 3; fields >> field; ++i) {
    if (i == 10) minor = std::stoll(field);
    if (i == 12) major = std::stoll(field);
    if (i > 12) break;
  }
}

// The machine's CPU time from /proc/stat's "cpu" line, in clock ticks.
struct CpuTimes {
  int64_t busy = 0, total = 0, steal = 0;
};
CpuTimes ReadCpuTimes() {
  std::ifstream in("/proc/stat");
  std::string label;
  int64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  CpuTimes t;
  t.busy = user + nice + system + irq + softirq + steal;
  t.total = t.busy + idle + iowait;
  t.steal = steal;
  return t;
}

}  // namespace

int64_t RunQueueWaitNs(pid_t pid, pid_t tid) {
  if (tid == 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(tid) + "/schedstat");
  int64_t on_cpu = 0, waiting = 0;
  return in >> on_cpu >> waiting ? waiting : 0;
}

int64_t ProcessRunQueueWaitNs(pid_t pid) {
  std::error_code error;
  int64_t total = 0;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    total += RunQueueWaitNs(pid, static_cast<pid_t>(std::stol(task.path().filename().string())));
  }
  return total;
}

ServiceTrace::ServiceTrace(const std::filesystem::path& path, const ReadStatesStore& store) : store_(store) {
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) {
    throw std::runtime_error("cannot write the trace '" + path.string() + "': " + std::strerror(errno) +
                             "; pass --trace FILE in a writable directory");
  }
  std::fprintf(file_,
               "mono_ns\tturns\tmax_turn_us\tmax_turn_cpu_us\tslow_turns\twb_passes\twb_max_pass_us\t"
               "wb_max_slice_us\twb_max_slice_cpu_us\t"
               "wb_records\tevictions\tmisses\tloaded\tprobe_late_us\tio_wait_us\tminflt\tmajflt\t"
               "cpu_busy_pct\tsteal_pct\n");
}

ServiceTrace::~ServiceTrace() {
  Stop();
  if (file_) std::fclose(file_);
}

ServiceTrace::Stamp ServiceTrace::Now() noexcept {
  timespec cpu{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
  return {NowNs(), cpu.tv_sec * kSecondNs + cpu.tv_nsec};
}

int64_t ServiceTrace::NowNs() noexcept {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * kSecondNs + ts.tv_nsec;
}

void ServiceTrace::Start(pid_t io_tid) {
  io_tid_ = io_tid;
  sampler_ = std::thread([this] { SampleLoop(); });
  probe_ = std::thread([this] { ProbeLoop(); });
}

void ServiceTrace::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  probe_stop_ = true;
  wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
  if (probe_.joinable()) probe_.join();
  if (file_) std::fflush(file_);
}

void ServiceTrace::OnTurn(int64_t requests, const Stamp& start) noexcept {
  const Stamp end = Now();
  turns_.fetch_add(requests, std::memory_order_relaxed);
  if (end.wall_ns - start.wall_ns > kSlowTurnNs) slow_turns_.fetch_add(1, std::memory_order_relaxed);
  RaiseMax(max_turn_ns_, end.wall_ns - start.wall_ns);
  RaiseMax(max_turn_cpu_ns_, end.cpu_ns - start.cpu_ns);
}

void ServiceTrace::OnWriteBackSlice(uint64_t records, const Stamp& start) noexcept {
  const Stamp end = Now();
  wb_records_.fetch_add(static_cast<int64_t>(records), std::memory_order_relaxed);
  RaiseMax(wb_max_slice_ns_, end.wall_ns - start.wall_ns);
  RaiseMax(wb_max_slice_cpu_ns_, end.cpu_ns - start.cpu_ns);
}

void ServiceTrace::OnWriteBackPass(int64_t ns) noexcept {
  wb_passes_.fetch_add(1, std::memory_order_relaxed);
  RaiseMax(wb_max_pass_ns_, ns);
}

void ServiceTrace::ProbeLoop() {
  pthread_setname_np(pthread_self(), "trace-probe");
  int64_t due = NowNs() + kProbePeriodNs;
  while (!probe_stop_.load(std::memory_order_relaxed)) {
    timespec ts{static_cast<time_t>(due / kSecondNs), static_cast<long>(due % kSecondNs)};
    ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    const int64_t now = NowNs();
    RaiseMax(probe_late_ns_, now - due);
    due += kProbePeriodNs;
    if (due < now) due = now + kProbePeriodNs;  // after a long stall, skip the missed ticks
  }
}

void ServiceTrace::SampleLoop() {
  pthread_setname_np(pthread_self(), "trace-sampler");
  StoreCounters last_counters = store_.counters();
  int64_t last_io_wait = RunQueueWaitNs(getpid(), io_tid_);
  int64_t last_minor = 0, last_major = 0;
  Faults(last_minor, last_major);
  CpuTimes last_cpu = ReadCpuTimes();
  int64_t next = NowNs() + kSecondNs;
  std::unique_lock lock(mutex_);
  // The last line, at Stop(), covers the part of a second since the one before.
  for (bool last = false; !last;) {
    const int64_t wait_ns = next - NowNs();
    last = stop_ ||
           (wait_ns > 0 && wake_.wait_for(lock, std::chrono::nanoseconds(wait_ns), [this] { return stop_; }));
    const int64_t now = NowNs();
    next += kSecondNs;
    if (next < now) next = now + kSecondNs;
    const StoreCounters c = store_.counters();
    const int64_t io_wait = RunQueueWaitNs(getpid(), io_tid_);
    int64_t minor = 0, major = 0;
    Faults(minor, major);
    const CpuTimes cpu = ReadCpuTimes();
    const double ticks = static_cast<double>(cpu.total - last_cpu.total);
    auto pct = [ticks](int64_t part) { return ticks > 0 ? 100.0 * static_cast<double>(part) / ticks : 0.0; };
    auto us = [](int64_t ns) { return static_cast<double>(ns) / 1e3; };
    auto count = [](uint64_t n) { return static_cast<double>(n); };
    // In the header's order; whole numbers print without decimals.
    const double fields[] = {count(turns_.exchange(0)),
                             us(max_turn_ns_.exchange(0)),
                             us(max_turn_cpu_ns_.exchange(0)),
                             count(slow_turns_.exchange(0)),
                             count(wb_passes_.exchange(0)),
                             us(wb_max_pass_ns_.exchange(0)),
                             us(wb_max_slice_ns_.exchange(0)),
                             us(wb_max_slice_cpu_ns_.exchange(0)),
                             count(wb_records_.exchange(0)),
                             count(c.evictions - last_counters.evictions),
                             count(c.misses - last_counters.misses),
                             count(c.loaded_from_table - last_counters.loaded_from_table),
                             us(probe_late_ns_.exchange(0)),
                             us(io_wait - last_io_wait),
                             count(minor - last_minor),
                             count(major - last_major),
                             pct(cpu.busy - last_cpu.busy),
                             pct(cpu.steal - last_cpu.steal)};
    std::fprintf(file_, "%lld", static_cast<long long>(now));
    for (double field : fields)
      std::fprintf(file_, field == static_cast<int64_t>(field) ? "\t%.0f" : "\t%.1f", field);
    std::fputc('\n', file_);
    std::fflush(file_);
    last_counters = c;
    last_io_wait = io_wait;
    last_minor = minor;
    last_major = major;
    last_cpu = cpu;
  }
}

}  // namespace claimbench::sync_service
