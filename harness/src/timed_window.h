// The timed window of one batch run, judged from what the harness itself saw (private to the suite runner).
//
// Design: the harness owns the clock. A batch implementation's timed work is what lies between its `ready`
// and `done` marks, so the marks are checked before their times count: both present, `ready` first, and
// the work inside. The process runner stamps each mark when it arrives (taking the child's own stamp only
// within kMarkStampTolerance of the arrival) and reads the whole tree's CPU time then and at exit; this
// file turns those readings into the sample's metrics and decides whether the work visibly happened
// outside the window. The CPU rule is one-sided and generous: a program may spend CPU after `done` on
// writing its answer and exiting (a Python interpreter's teardown with pandas and DuckDB loaded takes
// 100-150 ms, freeing a large heap takes time in proportion to it), so only CPU beyond an allowance for
// exactly those costs makes a run invalid. Work moved before `ready` cannot be told from start-up and is
// not judged here (start-up is measured and reported on its own). docs/implementation_protocol.md states
// the rule and its limits.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "claimbench/process.h"

namespace claimbench {

// The CPU time, ns, a program may spend after `done`: a fixed allowance for an interpreter's or runtime's
// teardown, plus time in proportion to the peak resident set (freeing it: about 1.07 s per GiB, several
// times what munmap and a Python heap's deallocation take) and to the bytes written to stdout (formatting
// them: 100 ns per byte, several times what Python's str.join of integers takes).
inline constexpr int64_t kAfterDoneCpuBaseNs = 500'000'000;
inline constexpr int64_t kAfterDoneCpuNsPerRssByte = 1;
inline constexpr int64_t kAfterDoneCpuNsPerOutputByte = 100;

// kAfterDoneCpuBaseNs + kAfterDoneCpuNsPerRssByte * peak_rss_bytes + kAfterDoneCpuNsPerOutputByte *
// output_bytes (negative inputs count as 0). Pure; thread-safe.
int64_t AfterDoneCpuAllowanceNs(int64_t peak_rss_bytes, int64_t output_bytes);

struct TimedWindow {
  // Sample metrics, in the units their names say: startup_ns, timed_ns; ready_correction_ns and
  // done_correction_ns (arrival minus the time used: how far the child's stamp moved the mark back, 0 when
  // it had none or it was refused); ready_stamp_refused_ns and done_stamp_refused_ns (arrival minus a
  // refused stamp: above the tolerance for a backdated one, negative for one from the future; 0 when the
  // stamp was accepted or absent); window_opened_before_ready_ns (a refused `ready` stamp after the spawn
  // still opens the window, since it can only lengthen it: how far before `ready`'s time); and where CPU
  // readings exist cpu_before_ready_ns, cpu_timed_ns (between the arrivals of `ready` and `done`) and
  // cpu_after_done_ns (from `done`'s arrival to the end of the tree). Only what could be measured is
  // present; nothing when a mark is missing.
  std::map<std::string, double> metrics;
  // Empty when the window can be used; otherwise one line saying why the run is invalid.
  std::string invalid_reason;

  bool ok() const { return invalid_reason.empty(); }
};

// Judges a finished batch run: the first `ready` and the first `done` are the window; it opens at `ready`'s
// own stamp even when that was refused as too old (never at a stamp before the spawn or after the arrival)
// and closes at `done`'s time. When those times put `done` first although it arrived second, both arrivals
// are used instead (metric marks_reordered_by_stamps = 1). Invalid when either mark is missing, when `done`
// arrived before `ready`, or, when `judge_cpu_after_done`, when the CPU spent after `done` exceeds
// AfterDoneCpuAllowanceNs(process.peak_rss_bytes, output_bytes). Pass judge_cpu_after_done = false for a
// case whose SPEC has the program do more than write its answer after `done`
// (CaseSpec::untimed_work_after_done). Pure; thread-safe.
TimedWindow JudgeTimedWindow(const ProcessResult& process, int64_t output_bytes, bool judge_cpu_after_done);

}  // namespace claimbench
