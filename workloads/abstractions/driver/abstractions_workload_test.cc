// The driver through the Workload interface, as the suite runner uses it: every profile's cases validate, each
// repetition gets its own seed on the command line, and Verify accepts only the harness's own answer.
#include "abstractions_workload.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "claimbench/error.h"
#include "expected_answers.h"

namespace claimbench::abstractions {
namespace {

namespace fs = std::filesystem;

CaseSpec CaseNamed(const Workload& workload, std::string_view profile, std::string_view name) {
  for (const CaseSpec& spec : workload.Cases(profile)) {
    if (spec.name == name) return spec;
  }
  ADD_FAILURE() << "no case " << name;
  return {};
}

class AbstractionsWorkloadTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("abstractions_workload_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    context_.stdout_path = dir_ / "stdout";
    context_.seed = 41;
  }
  void TearDown() override { fs::remove_all(dir_); }

  Verdict VerifyOutput(PreparedCase& prepared, const CaseSpec& spec, const std::string& output) {
    std::ofstream(context_.stdout_path) << output;
    std::map<std::string, double> metrics = {{"timed_ns", 1e6}};
    return prepared.Verify(spec, context_, metrics);
  }

  std::unique_ptr<Workload> workload_ = MakeAbstractionsWorkload();
  fs::path dir_;
  RunContext context_;
};

TEST_F(AbstractionsWorkloadTest, EveryKernelIsACaseInEveryProfile) {
  for (const char* profile : {"quick", "standard", "full"}) {
    const std::vector<CaseSpec> cases = workload_->Cases(profile);
    ASSERT_EQ(cases.size(), 5u) << profile;
    for (const CaseSpec& spec : cases) EXPECT_NO_THROW(workload_->Validate(spec)) << spec.name;
  }
  EXPECT_THROW(workload_->Cases("slow"), SetupError);
}

TEST_F(AbstractionsWorkloadTest, ArgumentsCarryTheRepetitionsSeed) {
  const CaseSpec spec = CaseNamed(*workload_, "quick", "matvec");
  auto prepared = workload_->Prepare(spec, WorkloadContext{}, CaseDirs{});
  const std::vector<std::string> args = prepared->Arguments(spec, context_);
  ASSERT_GE(args.size(), 9u);
  EXPECT_EQ(args[0], "matvec");
  EXPECT_NE(std::find(args.begin(), args.end(), "41"), args.end()) << "the seed";
  EXPECT_NE(std::find(args.begin(), args.end(), "--columns"), args.end());
}

TEST_F(AbstractionsWorkloadTest, VerifyAcceptsOnlyTheHarnesssAnswer) {
  const CaseSpec spec = CaseNamed(*workload_, "quick", "dot_product");
  auto prepared = workload_->Prepare(spec, WorkloadContext{}, CaseDirs{});
  const KernelRun run{"dot_product", std::stoll(spec.parameters.at("elements")),
                      std::stoll(spec.parameters.at("passes")), 256, 41};
  const uint64_t answer = ExpectedAnswer(run);
  EXPECT_TRUE(VerifyOutput(*prepared, spec, "dot_product " + std::to_string(answer) + "\n").ok);
  const Verdict wrong = VerifyOutput(*prepared, spec, "dot_product " + std::to_string(answer + 1) + "\n");
  EXPECT_FALSE(wrong.ok);
  EXPECT_NE(wrong.error.find("seed 41"), std::string::npos) << wrong.error;
  EXPECT_FALSE(VerifyOutput(*prepared, spec, "matvec " + std::to_string(answer) + "\n").ok) << "the kernel's name";
  EXPECT_FALSE(VerifyOutput(*prepared, spec, "").ok);
  context_.seed = 42;
  EXPECT_FALSE(VerifyOutput(*prepared, spec, "dot_product " + std::to_string(answer) + "\n").ok)
      << "another repetition's seed, another answer";
}

TEST_F(AbstractionsWorkloadTest, AMatvecThatDoesNotDivideIsRefusedBeforeAnythingRuns) {
  CaseSpec spec = CaseNamed(*workload_, "quick", "matvec");
  spec.parameters["columns"] = "1000";
  EXPECT_THROW(workload_->Validate(spec), SetupError);
}

}  // namespace
}  // namespace claimbench::abstractions
