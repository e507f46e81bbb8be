// Tests of the failure rule that decides whether a service's load run may be reported. The runs are
// made up: the rule reads only LoadResult's counts.
#include "claimbench/service_measurement.h"

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "claimbench/process.h"
#include "testing/echo_server.h"

namespace claimbench {
namespace {

// An open-loop run of `scheduled` requests at 10000/s in which every sent request completed.
loadgen::LoadResult OpenRun(int64_t scheduled) {
  loadgen::LoadResult r;
  r.target_rate_per_s = 10'000;
  r.target_requests = scheduled;
  r.sent = scheduled;
  r.completed = scheduled;
  return r;
}

loadgen::LoadResult ClosedRun(int64_t sent) {
  loadgen::LoadResult r;
  r.sent = sent;
  r.completed = sent;
  return r;
}

TEST(FailureRule, EveryKindOfFailureCountsAgainstTheSchedule) {
  // 10 of 10000 is the limit (0.1%): allowed; 11 is not, whatever kind the 11th is.
  loadgen::LoadResult r = OpenRun(10'000);
  r.sent -= 4;
  r.unsent = 4;
  r.completed -= 4 + 3 + 3;
  r.timeouts = 3;
  r.errors = 3;
  ASSERT_EQ(loadgen::FailedRequests(r), 10);
  ASSERT_EQ(loadgen::ScheduledRequests(r), 10'000);
  EXPECT_TRUE(CheckLoadFailures(r).ok) << CheckLoadFailures(r).error;
  for (int64_t loadgen::LoadResult::*kind :
       {&loadgen::LoadResult::unsent, &loadgen::LoadResult::timeouts, &loadgen::LoadResult::errors}) {
    loadgen::LoadResult more = r;
    ++(more.*kind);
    const Verdict verdict = CheckLoadFailures(more, "the 95% step");
    EXPECT_FALSE(verdict.ok);
    EXPECT_EQ(verdict.error.rfind("the 95% step: 11 of 10000 scheduled requests failed", 0), 0u)
        << verdict.error;
  }
}

TEST(FailureRule, TheShareIsOfTheScheduleNotOfWhatCompleted) {
  // Half the schedule never went out: 0.1% of what completed would allow 5 failures, not 5000.
  loadgen::LoadResult r = OpenRun(10'000);
  r.sent = r.completed = 5'000;
  r.unsent = 5'000;
  r.error_samples = {"connection closed by the server with a request in flight"};
  const Verdict verdict = CheckLoadFailures(r);
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.error.find("5000 of 10000 scheduled requests failed"), std::string::npos)
      << verdict.error;
  EXPECT_NE(verdict.error.find("5000 unsent"), std::string::npos) << verdict.error;
  EXPECT_NE(verdict.error.find("first error: connection closed"), std::string::npos) << verdict.error;
}

TEST(FailureRule, AServiceThatLeftMostRequestsUnsentDidNotSustainTheOfferedLoad) {
  // Half the schedule still queued at the end: too slow for the rate, which the error says first.
  loadgen::LoadResult r = OpenRun(10'000);
  r.target_rate_per_s = 12'000;
  r.sent = r.completed = 5'000;
  r.unsent = 5'000;
  const Verdict slow = CheckLoadFailures(r, "latency_1k");
  EXPECT_EQ(slow.error.rfind("latency_1k: did not sustain the offered load of 12000 requests/s: 5000 of 10000", 0),
            0u)
      << slow.error;
  // Failures that are mostly errors are not a matter of speed.
  r.unsent = 100;
  r.errors = 4'900;
  EXPECT_EQ(CheckLoadFailures(r).error.find("did not sustain"), std::string::npos) << CheckLoadFailures(r).error;
}

TEST(FailureRule, OneWrongResponseIsEnough) {
  loadgen::LoadResult r = OpenRun(1'000'000);
  r.completed -= 1;
  r.invalid_responses = 1;
  const Verdict verdict = CheckLoadFailures(r);
  EXPECT_FALSE(verdict.ok);
  EXPECT_NE(verdict.error.find("1 wrong responses"), std::string::npos) << verdict.error;
}

// The http_proxy sweep used to divide the probe's and the steps' errors by every request they completed,
// and to leave out the steps' timeouts and unsent requests: a step that dropped 0.5% of its schedule
// passed beside a probe that completed many more requests.
TEST(FailureRule, EachSweepStepIsHeldToItsOwnSchedule) {
  loadgen::SweepResult sweep;
  sweep.closed_loop = ClosedRun(1'000'000);
  sweep.fractions = {0.5, 0.8, 0.95};
  for (int64_t scheduled : {10'000, 16'000, 19'000}) sweep.open_loop.push_back(OpenRun(scheduled));
  EXPECT_TRUE(CheckSweepFailures(sweep).ok);

  loadgen::LoadResult& at95 = sweep.open_loop[2];
  at95.sent -= 50;
  at95.completed -= 50 + 45;
  at95.unsent = 50;
  at95.timeouts = 45;
  const Verdict verdict = CheckSweepFailures(sweep);
  EXPECT_FALSE(verdict.ok);
  // Mostly unsent: the step's rate was more than the service sustained, which the error says first.
  EXPECT_EQ(verdict.error.rfind("the 95% step: did not sustain the offered load of 10000 requests/s: 95 of 19000 "
                                "scheduled requests failed",
                                0),
            0u)
      << verdict.error;

  // The probe's failures count too, as a share of what it sent.
  loadgen::SweepResult probe_failed;
  probe_failed.closed_loop = ClosedRun(100'000);
  probe_failed.closed_loop.completed -= 101;
  probe_failed.closed_loop.errors = 101;
  probe_failed.fractions = {0.5};
  probe_failed.open_loop = {OpenRun(10'000)};
  const Verdict probe = CheckSweepFailures(probe_failed);
  EXPECT_FALSE(probe.ok);
  EXPECT_EQ(probe.error.rfind("the closed-loop probe: 101 of 100000 sent requests failed", 0), 0u)
      << probe.error;
  probe_failed.closed_loop.errors = 100;
  probe_failed.closed_loop.completed += 1;
  EXPECT_TRUE(CheckSweepFailures(probe_failed).ok);
}

TimePoint Interval(int64_t t_ns, double scheduled, double completed, double p999_ns) {
  return {t_ns, {{"scheduled", scheduled}, {"completed", completed}, {"p99.9_ns", p999_ns}}};
}

TEST(IntervalMaxOverMedian, AnIntervalWhereEverythingFailedIsTheWorstNotSkipped) {
  // Five seconds at 1 ms, one in which every request timed out (p99.9 = the 2 s timeout), and one in
  // which nothing was scheduled.
  const std::vector<TimePoint> timeline = {
      Interval(0, 100, 100, 1e6),         Interval(1'000'000'000, 100, 100, 1e6),
      Interval(2'000'000'000, 100, 0, 2e9), Interval(3'000'000'000, 100, 100, 1e6),
      Interval(4'000'000'000, 0, 0, 0),     Interval(5'000'000'000, 100, 100, 1e6)};
  EXPECT_DOUBLE_EQ(IntervalMaxOverMedian(timeline, "p99.9_ns"), 2000);
  EXPECT_EQ(IntervalMaxOverMedian(timeline, "p99_ns"), 0);  // no such value
  EXPECT_EQ(IntervalMaxOverMedian({}, "p99.9_ns"), 0);
}

}  // namespace
}  // namespace claimbench

namespace claimbench {
namespace {

// A service stand-in: the test's own echo server answers, and a sleeping child provides the spawn time.
class FirstResponseTest : public ::testing::Test {
 protected:
  FirstResponseTest() {
    ProcessSpec spec;
    spec.argv = {"sleep", "30"};
    spec.rss_sample_interval = std::chrono::nanoseconds(0);
    child_ = std::make_unique<ChildProcess>(ChildProcess::Spawn(spec));
  }

  Verdict FirstResponse(const testing::EchoServer& server, ServiceMeasurement& measurement) {
    loadgen::LoadSpec load;
    load.port = server.port();
    load.make_protocol = [] { return std::make_unique<loadgen::LineEchoProtocol>(64); };
    return MeasureFirstResponse(load, *child_, measurement, std::chrono::milliseconds(500));
  }

  std::unique_ptr<ChildProcess> child_;
};

TEST_F(FirstResponseTest, AVerifiedAnswerGivesTheTimeSinceTheSpawn) {
  testing::EchoServer server;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ServiceMeasurement measurement;
  const Verdict verdict = FirstResponse(server, measurement);
  ASSERT_TRUE(verdict.ok) << verdict.error;
  const double first = measurement.metrics.at("first_response_ns");
  EXPECT_GE(first, 50e6) << "counted from the spawn, not from the request";
  EXPECT_LE(first, static_cast<double>(child_->SinceSpawn().count()));
}

TEST_F(FirstResponseTest, AWrongASilentOrAClosedAnswerIsInvalidAndSaysWhich) {
  testing::EchoServer::Options garbage;
  garbage.behavior = testing::EchoServer::Behavior::kGarbageLine;
  testing::EchoServer::Options silent;
  silent.drop_after_ns = 0;
  silent.drop_count = 1;
  testing::EchoServer::Options closing;
  closing.behavior = testing::EchoServer::Behavior::kCloseOnRequest;
  for (const auto& [options, reason] : {std::pair{garbage, "wrong answer"}, std::pair{silent, "no complete answer"},
                                        std::pair{closing, "closed the connection"}}) {
    testing::EchoServer server(options);
    ServiceMeasurement measurement;
    const Verdict verdict = FirstResponse(server, measurement);
    EXPECT_FALSE(verdict.ok);
    EXPECT_NE(verdict.error.find(reason), std::string::npos) << verdict.error;
    EXPECT_FALSE(measurement.metrics.contains("first_response_ns"));
  }
}

}  // namespace
}  // namespace claimbench
