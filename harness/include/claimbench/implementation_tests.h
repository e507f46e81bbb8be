// Implementations' own tests: runs each [test] command of impl.toml and reports it as JUnit XML, so that
// ./claimbench test counts cargo's, go's and Maven's tests with ctest's and pytest's (setup/count_tests.py).
//
// Design: the harness does not know each ecosystem's test runner. It runs the command in the
// implementation's folder, keeps its output as a log, and reads the results from what the command leaves:
// the JUnit XML the runner wrote itself ([test] reports, e.g. Maven Surefire), else one testcase per result
// line that Rust's libtest (`test NAME ... ok`) or `go test -v` (`--- PASS: NAME (0.01s)`) prints. One more
// testcase stands for the command's exit status, so a lint step (rustfmt, clippy, gofmt, go vet) or a build
// that fails before any test runs fails the report too.
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "claimbench/implementation.h"

namespace claimbench {

struct TestCaseResult {
  enum class Outcome { kPassed, kFailed, kSkipped };
  std::string name;
  Outcome outcome = Outcome::kPassed;
  std::string message;  // why it failed or was skipped; empty when passed
};

// The results that libtest and `go test -v` print, in order: "test a::b ... ok|FAILED|ignored" and
// top-level "--- PASS|FAIL|SKIP: TestName (0.00s)" lines (indented subtest lines are left out, so that no
// test is counted twice). Lines of any other shape are ignored.
std::vector<TestCaseResult> ParseTestOutput(std::string_view output);

// A JUnit XML document with one <testsuite name="`suite`"> holding `cases`, as ctest and pytest write it.
std::string JUnitXml(const std::string& suite, const std::vector<TestCaseResult>& cases);

struct ImplementationTestSummary {
  std::string name;  // "<workload>/<implementation>"
  int passed = 0, failed = 0, skipped = 0;
};

// Runs the [test] command of every implementation of `workloads` that has one, one after another, and
// writes <reports_dir>/impl-<workload>-<name>.xml (plus the runner's own XML files, copied, and the output
// as impl-<workload>-<name>.log). An unavailable implementation (UnavailableReason) gets one skipped
// testcase saying why. Progress lines go to `progress`. Throws SetupError when reports_dir cannot be written.
std::vector<ImplementationTestSummary> RunImplementationTests(const ProjectPaths& paths,
                                                              const std::vector<std::string>& workloads,
                                                              const std::filesystem::path& reports_dir,
                                                              std::ostream& progress);

}  // namespace claimbench
