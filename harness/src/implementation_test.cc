#include "claimbench/implementation.h"

#include <gtest/gtest.h>

#include <fstream>

#include "claimbench/error.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

class ImplementationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("impl-test-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    paths_ = {root_, root_ / "build", root_ / ".venv/bin/python"};
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& impl, const std::string& text) {
    fs::create_directories(root_ / "workloads/w/impls" / impl);
    std::ofstream(root_ / "workloads/w/impls" / impl / "impl.toml") << text;
  }

  std::string ErrorOf() {
    try {
      LoadImplementations(paths_, "w");
    } catch (const SetupError& e) {
      return e.what();
    }
    return "";
  }

  fs::path root_;
  ProjectPaths paths_;
};

TEST_F(ImplementationTest, ReadsManifestsReferenceFirstWithPlaceholdersExpanded) {
  Write("zig", "language = \"Zig\"\nrole = \"port\"\ncommand = [\"{impl_dir}/z\"]\n");
  Write("cpp",
        "language = \"C++\"\nrole = \"reference\"\ncommand = [\"{build_dir}/x\", \"--flag\"]\n"
        "[availability]\nfiles = [\"{root}/nope\"]\nhint = \"build it\"\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  ASSERT_EQ(impls.size(), 2u);
  EXPECT_EQ(impls[0].name, "cpp");
  EXPECT_EQ(impls[0].command, (std::vector<std::string>{(root_ / "build").string() + "/x", "--flag"}));
  EXPECT_EQ(impls[1].command[0], (root_ / "workloads/w/impls/zig").string() + "/z");
  std::string reason = UnavailableReason(impls[0]);
  EXPECT_NE(reason.find("nope does not exist"), std::string::npos) << reason;
  EXPECT_NE(reason.find("build it"), std::string::npos) << reason;
  EXPECT_EQ(UnavailableReason(impls[1]), "");
}

TEST_F(ImplementationTest, MissingProgramsAndFailingChecksMakeItUnavailable) {
  Write("cpp",
        "language = \"C++\"\nrole = \"reference\"\ncommand = [\"true\"]\n"
        "[availability]\nprograms = [\"no-such-program-claimbench\"]\n");
  Write("py", "language = \"Python\"\nrole = \"port\"\ncommand = [\"true\"]\n[availability]\ncheck = [\"false\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  EXPECT_NE(UnavailableReason(impls[0]).find("not installed"), std::string::npos);
  EXPECT_NE(UnavailableReason(impls[1]).find("availability check failed"), std::string::npos);
}

TEST_F(ImplementationTest, CasesListLimitsWhereAnImplementationTakesPart) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\ncommand = [\"true\"]\n");
  Write("peer", "language = \"Go\"\nrole = \"peer\"\ncommand = [\"true\"]\ncases = [\"sync\", \"restore\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  EXPECT_EQ(NotInCaseReason(impls[0], "chunk"), "");
  EXPECT_EQ(NotInCaseReason(impls[1], "restore"), "");
  EXPECT_NE(NotInCaseReason(impls[1], "chunk").find("takes part only in sync, restore"), std::string::npos);
  Write("peer", "language = \"Go\"\nrole = \"peer\"\ncommand = [\"true\"]\ncases = \"sync\"\n");
  EXPECT_NE(ErrorOf().find("cases"), std::string::npos);
}

TEST_F(ImplementationTest, MalformedManifestsNameTheFile) {
  Write("cpp", "language = \"C++\"\nrole = \n");
  EXPECT_NE(ErrorOf().find("cpp/impl.toml:2"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"boss\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("role 'boss'"), std::string::npos) << ErrorOf();
  Write("cpp", "role = \"reference\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("missing required key 'language'"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\ncommand = \"x\"\n");
  EXPECT_NE(ErrorOf().find("'command' must be an array"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\ncommand = [\"{nope}/x\"]\n");
  EXPECT_NE(ErrorOf().find("unknown placeholder '{nope}'"), std::string::npos) << ErrorOf();
}

TEST_F(ImplementationTest, AWorkloadNeedsExactlyOneReference) {
  Write("a", "language = \"C\"\nrole = \"port\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("0 implementations with role = \"reference\""), std::string::npos) << ErrorOf();
}

TEST_F(ImplementationTest, BuildCommandFailureIsReportedWithItsLog) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\ncommand = [\"x\"]\n[build]\ncommand = [\"sh\", \"-c\", \"echo broken >&2; exit 4\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  std::string reason = BuildImplementation(impls[0], root_ / "logs");
  EXPECT_NE(reason.find("build failed"), std::string::npos) << reason;
  EXPECT_NE(reason.find("status 4"), std::string::npos) << reason;
}

}  // namespace
}  // namespace claimbench
