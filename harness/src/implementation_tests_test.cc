#include "claimbench/implementation_tests.h"

#include <gtest/gtest.h>

#include <fstream>

namespace claimbench {
namespace {

namespace fs = std::filesystem;
using Outcome = TestCaseResult::Outcome;

TEST(ImplementationTestsTest, ReadsLibtestAndGoTestResultLines) {
  std::vector<TestCaseResult> cases = ParseTestOutput(
      "running 3 tests\n"
      "test checksum::tests::known_answers ... ok\n"
      "test serve_echoes ... FAILED\n"
      "test slow_one ... ignored, needs a network\n"
      "=== RUN   TestBatch\n"
      "--- PASS: TestBatch (0.01s)\n"
      "    --- PASS: TestBatch/sub (0.00s)\n"
      "--- FAIL: TestServe (1.00s)\r\n"
      "--- SKIP: TestLater (0.00s)\n"
      "test result: ok. 1 passed; 1 failed\n"
      "ok  \tclaimbench/null\t0.7s\n");
  ASSERT_EQ(cases.size(), 6u);
  EXPECT_EQ(cases[0].name, "checksum::tests::known_answers");
  EXPECT_EQ(cases[0].outcome, Outcome::kPassed);
  EXPECT_EQ(cases[1].outcome, Outcome::kFailed);
  EXPECT_EQ(cases[2].outcome, Outcome::kSkipped);
  EXPECT_EQ(cases[3].name, "TestBatch");
  EXPECT_EQ(cases[4].name, "TestServe");
  EXPECT_EQ(cases[4].outcome, Outcome::kFailed);
  EXPECT_EQ(cases[5].outcome, Outcome::kSkipped);
  EXPECT_TRUE(ParseTestOutput("Compiling null v0.1.0\nerror[E0425]: cannot find value\n").empty());
}

TEST(ImplementationTestsTest, WritesJUnitThatCountsEveryOutcomeAndEscapes) {
  std::string xml = JUnitXml("null/rust", {{"a<b>", Outcome::kPassed, ""},
                                           {"c", Outcome::kFailed, "said \"no\" & left"},
                                           {"d", Outcome::kSkipped, "unavailable"}});
  EXPECT_NE(xml.find("<testsuite name=\"null/rust\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("name=\"a&lt;b&gt;\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"said &quot;no&quot; &amp; left\"/>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<skipped message=\"unavailable\"/>"), std::string::npos) << xml;
}

class RunImplementationTestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("impl-tests-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    paths_ = {root_, root_ / "build", root_ / ".venv/bin/python"};
    Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  }
  void TearDown() override { fs::remove_all(root_); }
  void Write(const std::string& impl, const std::string& text) {
    fs::create_directories(root_ / "workloads/w/impls" / impl);
    std::ofstream(root_ / "workloads/w/impls" / impl / "impl.toml") << text;
  }
  std::string Report(const std::string& impl) {
    std::ifstream in(root_ / "reports" / ("impl-w-" + impl + ".xml"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path root_;
  ProjectPaths paths_;
};

TEST_F(RunImplementationTestsTest, RunsEachTestCommandAndReportsItsTestsAndExitStatus) {
  Write("good", "language = \"X\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
                "[test]\ncommand = [\"sh\", \"-c\", \"echo 'test one ... ok'; echo 'test two ... ok'\"]\n");
  Write("lint", "language = \"X\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
                "[test]\ncommand = [\"sh\", \"-c\", \"echo 'gofmt would change: main.go'; exit 1\"]\n");
  Write("gone", "language = \"X\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
                "[toolchain]\nname = \"x\"\nversion_command = [\"no-such-compiler-claimbench\"]\nhint = \"get x\"\n"
                "[test]\ncommand = [\"true\"]\n");
  std::ostringstream progress;
  std::vector<ImplementationTestSummary> summaries =
      RunImplementationTests(paths_, {"w"}, root_ / "reports", progress);
  ASSERT_EQ(summaries.size(), 3u) << progress.str();
  EXPECT_EQ(summaries[0].name, "w/gone");
  EXPECT_EQ(summaries[0].skipped, 1);
  EXPECT_NE(Report("gone").find("unavailable: x is not installed"), std::string::npos) << Report("gone");
  EXPECT_EQ(summaries[1].passed, 3) << "two tests and the exit status";
  EXPECT_EQ(summaries[2].failed, 1);
  EXPECT_NE(Report("lint").find("gofmt would change: main.go"), std::string::npos) << Report("lint");
  EXPECT_NE(progress.str().find("w/lint: 0 passed, 1 failed"), std::string::npos) << progress.str();
}

TEST_F(RunImplementationTestsTest, CopiesTheRunnersOwnJUnitReports) {
  Write("mvn", "language = \"Java\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n[test]\n"
               "command = [\"sh\", \"-c\", \"mkdir -p {out_dir}/r && echo '<testsuite name=\\\"T\\\" tests=\\\"4\\\" "
               "failures=\\\"1\\\" errors=\\\"0\\\" skipped=\\\"1\\\"/>' > {out_dir}/r/TEST-T.xml\"]\n"
               "reports = \"{out_dir}/r\"\n");
  std::ostringstream progress;
  std::vector<ImplementationTestSummary> summaries =
      RunImplementationTests(paths_, {"w"}, root_ / "reports", progress);
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0].passed, 3) << "two of the runner's, and the exit status";
  EXPECT_EQ(summaries[0].failed, 1);
  EXPECT_EQ(summaries[0].skipped, 1);
  EXPECT_TRUE(fs::exists(root_ / "reports/impl-w-mvn-TEST-T.xml"));
}

}  // namespace
}  // namespace claimbench
