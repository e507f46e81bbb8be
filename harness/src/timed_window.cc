#include "timed_window.h"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

namespace claimbench {
namespace {

// Marks this close in CPU (ns) are "no CPU at all" between them: a reading of a running thread lags by up
// to a scheduler tick (up to 10 ms), and a program that works right after writing both marks gets a few ms
// done while the monitor wakes up to read the second.
constexpr int64_t kNoCpuNs = 10'000'000;

const MarkRecord* FirstMark(const ProcessResult& process, std::string_view name, size_t* index) {
  for (size_t i = 0; i < process.marks.size(); ++i) {
    if (process.marks[i].name == name) {
      *index = i;
      return &process.marks[i];
    }
  }
  return nullptr;
}

std::string Ms(int64_t ns) { return fmt::format("{:.1f} ms", static_cast<double>(ns) / 1e6); }

void AddStampMetrics(const MarkRecord& mark, std::map<std::string, double>& metrics) {
  metrics[mark.name + "_correction_ns"] = static_cast<double>(mark.correction_ns());
  double refused = 0;
  if (mark.claimed_ns && !mark.stamp_accepted) {
    refused = static_cast<double>(mark.arrival_ns - *mark.claimed_ns);
  }
  metrics[mark.name + "_stamp_refused_ns"] = refused;
}

// Where the timed window opens: `ready`'s time (its accepted stamp or its arrival), or earlier, at its
// refused stamp when that lies after the spawn and before the arrival. The tolerance guards against a
// program shrinking its window or its start-up; an earlier `ready` only lengthens the window, so a stamp
// refused because the harness's thread woke late still tells where the work began (start-up keeps the
// later time). Without this a starved harness that reads both marks at once measures a window of 0.
int64_t WindowStartNs(const MarkRecord& ready) {
  if (ready.claimed_ns && !ready.stamp_accepted && *ready.claimed_ns >= 0 && *ready.claimed_ns < ready.t_ns) {
    return *ready.claimed_ns;
  }
  return ready.t_ns;
}

}  // namespace

int64_t AfterDoneCpuAllowanceNs(int64_t peak_rss_bytes, int64_t output_bytes) {
  return kAfterDoneCpuBaseNs + kAfterDoneCpuNsPerRssByte * std::max<int64_t>(0, peak_rss_bytes) +
         kAfterDoneCpuNsPerOutputByte * std::max<int64_t>(0, output_bytes);
}

TimedWindow JudgeTimedWindow(const ProcessResult& process, int64_t output_bytes, bool judge_cpu_after_done) {
  TimedWindow window;
  size_t ready_index = 0, done_index = 0;
  const MarkRecord* ready = FirstMark(process, "ready", &ready_index);
  const MarkRecord* done = FirstMark(process, "done", &done_index);
  if (ready == nullptr || done == nullptr) {
    window.invalid_reason = "did not write the 'ready' and 'done' marks (docs/implementation_protocol.md)";
    return window;
  }
  std::map<std::string, double>& metrics = window.metrics;
  AddStampMetrics(*ready, metrics);
  AddStampMetrics(*done, metrics);
  if (done_index < ready_index) {
    window.invalid_reason =
        "wrote 'done' before 'ready': the timed window holds none of the work "
        "(docs/implementation_protocol.md)";
    return window;
  }
  const int64_t ready_ns = ready->t_ns;
  int64_t window_start_ns = WindowStartNs(*ready);
  int64_t done_ns = done->t_ns;
  metrics["marks_reordered_by_stamps"] = 0;
  if (done_ns < window_start_ns) {
    // In order on the pipe, but the times taken put `done` first: one stamp was refused (the harness's
    // thread woke late for `ready`) while the other was taken, or the child's two stamps disagree. The
    // arrivals are one clock and in order: they decide both. A child that stamps to shrink its window gets
    // its real arrivals, and the CPU rule below still sees work it moved after `done`.
    window_start_ns = ready->arrival_ns;
    done_ns = done->arrival_ns;
    metrics["ready_correction_ns"] = 0;
    metrics["done_correction_ns"] = 0;
    metrics["marks_reordered_by_stamps"] = 1;
  }
  const bool reordered = metrics["marks_reordered_by_stamps"] != 0;
  metrics["startup_ns"] = static_cast<double>(reordered ? ready->arrival_ns : ready_ns);
  metrics["timed_ns"] = static_cast<double>(done_ns - window_start_ns);
  metrics["window_opened_before_ready_ns"] =
      static_cast<double>(std::max<int64_t>(0, ready_ns - window_start_ns));

  if (!ready->tree_cpu_ns || !done->tree_cpu_ns || !process.exit_tree_cpu_ns) return window;
  // Readings from one source only grow; a descendant counted live at `done` and gone unreaped by the exit
  // can make a later one smaller, which is clamped rather than believed.
  const int64_t before_ready_ns = *ready->tree_cpu_ns;
  const int64_t timed_ns = std::max<int64_t>(0, *done->tree_cpu_ns - *ready->tree_cpu_ns);
  const int64_t after_done_ns = std::max<int64_t>(0, *process.exit_tree_cpu_ns - *done->tree_cpu_ns);
  metrics["cpu_before_ready_ns"] = static_cast<double>(before_ready_ns);
  metrics["cpu_timed_ns"] = static_cast<double>(timed_ns);
  metrics["cpu_after_done_ns"] = static_cast<double>(after_done_ns);
  if (!judge_cpu_after_done) return window;
  const int64_t allowance_ns = AfterDoneCpuAllowanceNs(process.peak_rss_bytes, output_bytes);
  if (after_done_ns > allowance_ns) {
    std::string when =
        timed_ns < kNoCpuNs
            ? fmt::format("'done' came before any CPU was spent on the work ({} between 'ready' and 'done')",
                          Ms(timed_ns))
            : fmt::format("against {} between 'ready' and 'done'", Ms(timed_ns));
    window.invalid_reason = fmt::format(
        "the work happened outside the timed window: {} of CPU after 'done' (allowed {} for writing {} bytes "
        "of output and exiting with a peak resident set of {} MiB), {} (docs/implementation_protocol.md)",
        Ms(after_done_ns), Ms(allowance_ns), std::max<int64_t>(0, output_bytes), process.peak_rss_bytes >> 20,
        when);
  }
  return window;
}

}  // namespace claimbench
