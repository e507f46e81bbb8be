// Tests of the timed-window rule: first on hand-made ProcessResults (every branch, exact numbers), then on
// test_child playing an honest implementation and each way a dishonest port could lie about its window,
// several times each, since a check that catches a lie only sometimes is no check.
#include "timed_window.h"

#include <chrono>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace claimbench {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kMiB = 1 << 20;
constexpr int kTries = 3;

MarkRecord Mark(std::string name, int64_t arrival_ns, std::optional<int64_t> cpu_ns,
                std::optional<int64_t> claimed_ns = std::nullopt, bool accepted = false) {
  MarkRecord mark;
  mark.name = std::move(name);
  mark.arrival_ns = arrival_ns;
  mark.claimed_ns = claimed_ns;
  mark.stamp_accepted = accepted;
  mark.t_ns = accepted ? *claimed_ns : arrival_ns;
  mark.tree_cpu_ns = cpu_ns;
  return mark;
}

// A finished run: `ready` at 10 ms with 8 ms of CPU, `done` at 310 ms with 300 ms more, `after_done_cpu`
// until the exit; 20 MiB peak.
ProcessResult FinishedRun(int64_t after_done_cpu_ns) {
  ProcessResult result;
  result.outcome = ProcessResult::Outcome::kExited;
  result.exit_code = 0;
  result.peak_rss_bytes = 20 * kMiB;
  result.marks = {Mark("ready", 10 * kMs, 8 * kMs), Mark("done", 310 * kMs, 308 * kMs)};
  result.exit_tree_cpu_ns = 308 * kMs + after_done_cpu_ns;
  result.cpu_source = "/proc";
  return result;
}

TEST(TimedWindowTest, AnHonestRunGivesItsWindowAndWhereTheCpuWent) {
  TimedWindow window = JudgeTimedWindow(FinishedRun(30 * kMs), 27, true);
  EXPECT_TRUE(window.ok()) << window.invalid_reason;
  EXPECT_EQ(window.metrics.at("startup_ns"), 10 * kMs);
  EXPECT_EQ(window.metrics.at("timed_ns"), 300 * kMs);
  EXPECT_EQ(window.metrics.at("cpu_before_ready_ns"), 8 * kMs);
  EXPECT_EQ(window.metrics.at("cpu_timed_ns"), 300 * kMs);
  EXPECT_EQ(window.metrics.at("cpu_after_done_ns"), 30 * kMs);
  for (const char* name : {"ready_correction_ns", "done_correction_ns", "ready_stamp_refused_ns",
                           "done_stamp_refused_ns"}) {
    EXPECT_EQ(window.metrics.at(name), 0) << name;
  }
}

TEST(TimedWindowTest, StampCorrectionsAndRefusalsAreRecordedPerMark) {
  ProcessResult run = FinishedRun(0);
  run.marks[0] = Mark("ready", 10 * kMs, 8 * kMs, 10 * kMs - 40'000, true);  // accepted, 40 µs back
  run.marks[1] = Mark("done", 310 * kMs, 308 * kMs, 210 * kMs, false);       // refused, 100 ms back
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_TRUE(window.ok()) << window.invalid_reason;
  EXPECT_EQ(window.metrics.at("ready_correction_ns"), 40'000);
  EXPECT_EQ(window.metrics.at("ready_stamp_refused_ns"), 0);
  EXPECT_EQ(window.metrics.at("done_correction_ns"), 0);
  EXPECT_EQ(window.metrics.at("done_stamp_refused_ns"), 100 * kMs);
  EXPECT_EQ(window.metrics.at("timed_ns"), 310 * kMs - (10 * kMs - 40'000))
      << "the refused stamp is not used";
}

TEST(TimedWindowTest, MissingMarksMakeTheRunInvalid) {
  ProcessResult run = FinishedRun(0);
  run.marks.pop_back();
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_THAT(window.invalid_reason, HasSubstr("did not write the 'ready' and 'done' marks"));
  EXPECT_TRUE(window.metrics.empty());
}

TEST(TimedWindowTest, DoneWrittenBeforeReadyIsInvalidWhateverTheTimes) {
  ProcessResult run = FinishedRun(0);
  // Read in one go, both at the same arrival: only their order in the pipe tells.
  run.marks = {Mark("done", 10 * kMs, 8 * kMs), Mark("ready", 10 * kMs, 8 * kMs)};
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_THAT(window.invalid_reason, HasSubstr("wrote 'done' before 'ready'"));
}

// Seen on a loaded machine with DuckDB: the harness thread woke 14 ms after `ready` was written, so its
// stamp was refused as a time for `ready` and the late arrival used for start-up, while `done`, written
// 4 ms after `ready`, arrived in the same read and its stamp was taken. The refused `ready` stamp still
// opens the window: a program gains nothing by an earlier `ready`, so the window is the program's own 4 ms,
// where the arrivals would have given 0.5 ms.
TEST(TimedWindowTest, ARefusedReadyStampStillOpensTheWindow) {
  ProcessResult run = FinishedRun(0);
  run.marks = {Mark("ready", 22 * kMs, 8 * kMs, 8 * kMs, false),
               Mark("done", 22 * kMs + 500'000, 9 * kMs, 12 * kMs, true)};
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_TRUE(window.ok()) << window.invalid_reason;
  EXPECT_EQ(window.metrics.at("startup_ns"), 22 * kMs) << "start-up is never shortened by a refused stamp";
  EXPECT_EQ(window.metrics.at("timed_ns"), 4 * kMs);
  EXPECT_EQ(window.metrics.at("window_opened_before_ready_ns"), 14 * kMs);
  EXPECT_EQ(window.metrics.at("ready_stamp_refused_ns"), 14 * kMs);
  EXPECT_EQ(window.metrics.at("marks_reordered_by_stamps"), 0);
}

// The harness's thread starved for 400 ms, then read both marks at once with both stamps refused: the
// arrivals alone would make a 50 ms window 0. The refused `done` stamp is never used (it would shorten the
// window); its arrival closes the window, so the time can only come out longer than the program's.
TEST(TimedWindowTest, BothStampsRefusedNeverGiveAnEmptyWindow) {
  ProcessResult run = FinishedRun(0);
  run.marks = {Mark("ready", 460 * kMs, 8 * kMs, 10 * kMs, false),
               Mark("done", 460 * kMs, 58 * kMs, 60 * kMs, false)};
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_TRUE(window.ok()) << window.invalid_reason;
  EXPECT_EQ(window.metrics.at("startup_ns"), 460 * kMs);
  EXPECT_EQ(window.metrics.at("timed_ns"), 450 * kMs);
}

// Only a stamp before the arrival and after the spawn can open the window early.
TEST(TimedWindowTest, AReadyStampFromBeforeTheSpawnOrTheFutureIsIgnored) {
  for (int64_t claimed : {-5 * kMs, 30 * kMs}) {
    ProcessResult run = FinishedRun(0);
    run.marks[0] = Mark("ready", 10 * kMs, 8 * kMs, claimed, false);
    TimedWindow window = JudgeTimedWindow(run, 27, true);
    EXPECT_TRUE(window.ok()) << window.invalid_reason;
    EXPECT_EQ(window.metrics.at("timed_ns"), 300 * kMs) << claimed;
    EXPECT_EQ(window.metrics.at("window_opened_before_ready_ns"), 0) << claimed;
  }
}

// The program's own two stamps disagree (both within the tolerance, `done`'s before `ready`'s): the
// arrivals, one clock and in order, decide.
TEST(TimedWindowTest, StampsThatPutDoneFirstAreReplacedByTheArrivals) {
  ProcessResult run = FinishedRun(0);
  run.marks = {Mark("ready", 21 * kMs, 8 * kMs, 20 * kMs, true),
               Mark("done", 22 * kMs, 9 * kMs, 15 * kMs, true)};
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_TRUE(window.ok()) << window.invalid_reason;
  EXPECT_EQ(window.metrics.at("startup_ns"), 21 * kMs);
  EXPECT_EQ(window.metrics.at("timed_ns"), 1 * kMs);
  EXPECT_EQ(window.metrics.at("done_correction_ns"), 0) << "the stamp was not used after all";
  EXPECT_EQ(window.metrics.at("marks_reordered_by_stamps"), 1);
}

TEST(TimedWindowTest, CpuAfterDoneBeyondTheAllowanceIsInvalidAndSaysHowMuch) {
  const int64_t allowance = AfterDoneCpuAllowanceNs(20 * kMiB, 27);
  EXPECT_EQ(allowance,
            kAfterDoneCpuBaseNs + 20 * kMiB * kAfterDoneCpuNsPerRssByte + 27 * kAfterDoneCpuNsPerOutputByte);
  EXPECT_TRUE(JudgeTimedWindow(FinishedRun(allowance), 27, true).ok());
  TimedWindow window = JudgeTimedWindow(FinishedRun(allowance + 1), 27, true);
  EXPECT_THAT(window.invalid_reason, HasSubstr("the work happened outside the timed window"));
  EXPECT_THAT(window.invalid_reason, HasSubstr("against 300.0 ms between 'ready' and 'done'"));
  EXPECT_THAT(window.invalid_reason, HasSubstr("27 bytes of output"));
  EXPECT_THAT(window.invalid_reason, HasSubstr("20 MiB"));
  EXPECT_EQ(window.metrics.at("cpu_after_done_ns"), static_cast<double>(allowance + 1))
      << "the evidence is kept";
}

TEST(TimedWindowTest, DoneBeforeAnyCpuOnTheWorkIsNamedSo) {
  ProcessResult run = FinishedRun(0);
  run.marks[1] = Mark("done", 11 * kMs, 8 * kMs);  // right after ready, no CPU between
  run.exit_tree_cpu_ns = 8 * kMs + 2000 * kMs;
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_THAT(window.invalid_reason, HasSubstr("'done' came before any CPU was spent on the work"));
}

TEST(TimedWindowTest, TheAllowanceGrowsWithTheResidentSetAndTheOutput) {
  EXPECT_EQ(AfterDoneCpuAllowanceNs(0, 0), kAfterDoneCpuBaseNs);
  EXPECT_EQ(AfterDoneCpuAllowanceNs(-5, -5), kAfterDoneCpuBaseNs);
  EXPECT_GT(AfterDoneCpuAllowanceNs(int64_t{4} << 30, 0), kAfterDoneCpuBaseNs + 4000 * kMs);
  EXPECT_EQ(AfterDoneCpuAllowanceNs(0, 10'000'000), kAfterDoneCpuBaseNs + 1000 * kMs);
  ProcessResult big = FinishedRun(3000 * kMs);
  big.peak_rss_bytes = int64_t{4} << 30;  // 4 GiB to free at exit
  EXPECT_TRUE(JudgeTimedWindow(big, 27, true).ok());
}

TEST(TimedWindowTest, ACaseWithUntimedWorkAfterDoneIsMeasuredButNotJudged) {
  TimedWindow window = JudgeTimedWindow(FinishedRun(5000 * kMs), 27, false);
  EXPECT_TRUE(window.ok()) << window.invalid_reason;
  EXPECT_EQ(window.metrics.at("cpu_after_done_ns"), 5000 * kMs);
}

TEST(TimedWindowTest, WithoutCpuReadingsOnlyTheMarksAreJudged) {
  ProcessResult run = FinishedRun(5000 * kMs);
  run.exit_tree_cpu_ns.reset();
  TimedWindow window = JudgeTimedWindow(run, 27, true);
  EXPECT_TRUE(window.ok());
  EXPECT_FALSE(window.metrics.contains("cpu_after_done_ns"));
  EXPECT_EQ(window.metrics.at("timed_ns"), 300 * kMs);
}

// test_child as the implementation: each lie is caught every time, the honest program never.
class TimedWindowProcessTest : public ::testing::Test {
 protected:
  static TimedWindow RunChild(std::vector<std::string> actions) {
    ProcessSpec spec;
    spec.argv = {CLAIMBENCH_TEST_CHILD};
    spec.argv.insert(spec.argv.end(), actions.begin(), actions.end());
    spec.timeout = std::chrono::seconds(30);
    ProcessResult result = RunToCompletion(spec);
    EXPECT_TRUE(result.ok()) << result.error;
    return JudgeTimedWindow(result, 0, true);
  }
};

TEST_F(TimedWindowProcessTest, AnHonestProgramIsNeverCaught) {
  for (int i = 0; i < kTries; ++i) {
    TimedWindow window = RunChild({"busy", "50", "stamped_mark", "ready", "0", "0", "busy", "300",
                                   "stamped_mark", "done", "0", "0", "busy", "100"});
    ASSERT_TRUE(window.ok()) << window.invalid_reason;
    EXPECT_GE(window.metrics.at("cpu_timed_ns"), 280 * kMs);  // a reading may lag by a scheduler tick
    EXPECT_GE(window.metrics.at("timed_ns"), 295 * kMs);
    EXPECT_GE(window.metrics.at("cpu_after_done_ns"), 50 * kMs);
  }
}

TEST_F(TimedWindowProcessTest, ABackdatedDoneIsRefusedAndTheArrivalCounts) {
  for (int i = 0; i < kTries; ++i) {
    // 300 ms of work, then `done` stamped 100 ms before the moment it is written.
    TimedWindow window = RunChild({"mark", "ready", "busy", "300", "stamped_mark", "done", "-100", "0"});
    ASSERT_TRUE(window.ok()) << window.invalid_reason;
    EXPECT_GE(window.metrics.at("done_stamp_refused_ns"), 100 * kMs);
    EXPECT_EQ(window.metrics.at("done_correction_ns"), 0);
    EXPECT_GE(window.metrics.at("timed_ns"), 295 * kMs) << "the window is not shortened by the lie";
  }
}

TEST_F(TimedWindowProcessTest, DoneBeforeReadyIsCaughtEveryTime) {
  for (int i = 0; i < kTries; ++i) {
    TimedWindow window = RunChild({"mark", "done", "mark", "ready", "busy", "300"});
    EXPECT_THAT(window.invalid_reason, HasSubstr("wrote 'done' before 'ready'"));
  }
}

TEST_F(TimedWindowProcessTest, WorkAfterDoneIsCaughtEveryTime) {
  for (int i = 0; i < kTries; ++i) {
    TimedWindow window = RunChild({"mark", "ready", "mark", "done", "busy", "800"});
    EXPECT_THAT(window.invalid_reason, HasSubstr("the work happened outside the timed window"));
    EXPECT_GE(window.metrics.at("cpu_after_done_ns"), 795 * kMs);
  }
}

TEST_F(TimedWindowProcessTest, WorkAfterDoneInAGrandchildIsCaughtToo) {
  for (int i = 0; i < kTries; ++i) {
    TimedWindow window =
        RunChild({"mark", "ready", "mark", "done", "spawn_busy", "800", "-", "wait_children"});
    EXPECT_THAT(window.invalid_reason, HasSubstr("the work happened outside the timed window"));
  }
}

}  // namespace
}  // namespace claimbench
