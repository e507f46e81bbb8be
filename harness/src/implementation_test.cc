#include "claimbench/implementation.h"

#include <gtest/gtest.h>

#include <fstream>

#include "claimbench/build_info.h"
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
  Write("zig", "language = \"Zig\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"{impl_dir}/z\"]\n");
  Write("cpp",
        "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"{build_dir}/x\", \"--flag\"]\n"
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
        "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
        "[availability]\nprograms = [\"no-such-program-claimbench\"]\n");
  Write("py", "language = \"Python\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n[availability]\ncheck = [\"false\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  EXPECT_NE(UnavailableReason(impls[0]).find("not installed"), std::string::npos);
  EXPECT_NE(UnavailableReason(impls[1]).find("availability check failed"), std::string::npos);
}

TEST_F(ImplementationTest, CasesListLimitsWhereAnImplementationTakesPart) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  Write("peer", "language = \"Go\"\nrole = \"peer\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\ncases = [\"sync\", \"restore\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  EXPECT_EQ(NotInCaseReason(impls[0], "chunk", "standard"), "");
  EXPECT_EQ(NotInCaseReason(impls[1], "restore", "standard"), "");
  EXPECT_NE(NotInCaseReason(impls[1], "chunk", "standard").find("takes part only in sync, restore"),
            std::string::npos);
  Write("peer", "language = \"Go\"\nrole = \"peer\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\ncases = \"sync\"\n");
  EXPECT_NE(ErrorOf().find("cases"), std::string::npos);
}

TEST_F(ImplementationTest, QuickCasesLimitASlowImplementationInTheQuickProfileOnly) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  Write("py", "language = \"Python\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
              "quick_cases = [\"sync\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  EXPECT_EQ(NotInCaseReason(impls[1], "sync", "quick"), "");
  const std::string reason = NotInCaseReason(impls[1], "chunk", "quick");
  EXPECT_TRUE(reason.starts_with("takes part only in sync in the quick profile")) << reason;
  for (const char* profile : {"standard", "full"}) EXPECT_EQ(NotInCaseReason(impls[1], "chunk", profile), "");
  EXPECT_EQ(NotInCaseReason(impls[0], "chunk", "quick"), "");
  EXPECT_TRUE(TakesPartInAny(impls[1], {"chunk", "sync"}, "quick"));
  EXPECT_FALSE(TakesPartInAny(impls[1], {"chunk"}, "quick"));
}

TEST_F(ImplementationTest, ProfilesLeaveASlowBuildOutOfOtherProfilesUnlessNamed) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  Write("peer", "language = \"Rust\"\nrole = \"peer\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
                "profiles = [\"standard\", \"full\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  const std::string reason = NotInProfileReason(impls[1], "quick", /*named=*/false);
  EXPECT_TRUE(reason.starts_with("takes part only in the standard and full profile runs")) << reason;
  EXPECT_NE(reason.find("--impl peer"), std::string::npos) << reason;
  EXPECT_EQ(NotInProfileReason(impls[1], "quick", /*named=*/true), "");
  for (const char* profile : {"standard", "full"}) {
    EXPECT_EQ(NotInProfileReason(impls[1], profile, /*named=*/false), "");
  }
  EXPECT_EQ(NotInProfileReason(impls[0], "quick", false), "");
  Write("peer", "language = \"Rust\"\nrole = \"peer\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
                "profiles = \"standard\"\n");
  EXPECT_NE(ErrorOf().find("profiles"), std::string::npos) << ErrorOf();
}

TEST_F(ImplementationTest, MalformedManifestsNameTheFile) {
  Write("cpp", "language = \"C++\"\nrole = \n");
  EXPECT_NE(ErrorOf().find("cpp/impl.toml:2"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"boss\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("role 'boss'"), std::string::npos) << ErrorOf();
  Write("cpp", "role = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("missing required key 'language'"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = \"x\"\n");
  EXPECT_NE(ErrorOf().find("'command' must be an array"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"{nope}/x\"]\n");
  EXPECT_NE(ErrorOf().find("unknown placeholder '{nope}'"), std::string::npos) << ErrorOf();
}

TEST_F(ImplementationTest, AWorkloadNeedsExactlyOneReference) {
  Write("a", "language = \"C\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("0 implementations with role = \"reference\""), std::string::npos) << ErrorOf();
}

TEST_F(ImplementationTest, BuildCommandFailureIsReportedWithItsLog) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"x\"]\n[build]\ncommand = [\"sh\", \"-c\", \"echo broken >&2; exit 4\"]\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  std::string reason = BuildImplementation(impls[0], root_ / "logs");
  EXPECT_NE(reason.find("build failed"), std::string::npos) << reason;
  EXPECT_NE(reason.find("status 4"), std::string::npos) << reason;
}

TEST_F(ImplementationTest, LabelIsRequiredAndOneOfThree) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("missing required key 'label'"), std::string::npos) << ErrorOf();
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"fast\"\ncommand = [\"x\"]\n");
  EXPECT_NE(ErrorOf().find("label 'fast' is not one of idiomatic, tuned, faithful"), std::string::npos) << ErrorOf();
  // A build variant of another implementation (cpp_hardened) and a diagnostic build (cpp_asan) say so.
  for (const char* label : {"variant", "diagnostic"}) {
    Write("cpp", std::string("language = \"C++\"\nrole = \"reference\"\nlabel = \"") + label +
                     "\"\ncommand = [\"x\"]\n");
    EXPECT_EQ(LoadImplementations(paths_, "w")[0].label, label);
  }
}

TEST_F(ImplementationTest, ReadsLabelToolchainBuildAndTestKeysWithOutDir) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"x\"]\n");
  Write("rust",
        "language = \"Rust\"\nrole = \"port\"\nlabel = \"tuned\"\ntuned = [\"-C target-cpu=native\"]\n"
        "libraries = [\"tokio 1.54.1\"]\ncommand = [\"{out_dir}/target/release/null\"]\n"
        "[toolchain]\nname = \"rust\"\nminimum = \"1.85\"\nversion_command = [\"cargo\", \"--version\"]\n"
        "hint = \"install Rust\"\n"
        "[build]\ncommand = [\"cargo\", \"build\", \"--target-dir\", \"{out_dir}/target\"]\ninputs = [\"src\"]\n"
        "profile = \"release\"\nflags = [\"-C target-cpu=native\"]\n"
        "[test]\ncommand = [\"cargo\", \"test\"]\nreports = \"{out_dir}/reports\"\ntimeout_s = 60\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  const Implementation& rust = impls[1];
  fs::path out = root_ / "build/impls/w/rust";
  EXPECT_EQ(rust.out_dir, out);
  EXPECT_EQ(rust.label, "tuned");
  EXPECT_EQ(rust.tuned, (std::vector<std::string>{"-C target-cpu=native"}));
  EXPECT_EQ(rust.libraries, (std::vector<std::string>{"tokio 1.54.1"}));
  EXPECT_EQ(rust.command[0], (out / "target/release/null").string());
  EXPECT_EQ(rust.toolchain.name, "rust");
  EXPECT_EQ(rust.toolchain.minimum, "1.85");
  EXPECT_EQ(rust.toolchain.version_command, (std::vector<std::string>{"cargo", "--version"}));
  EXPECT_EQ(rust.build_command.back(), (out / "target").string());
  EXPECT_EQ(rust.build_inputs, (std::vector<fs::path>{root_ / "workloads/w/impls/rust/src"}));
  EXPECT_EQ(rust.build_profile, "release");
  EXPECT_EQ(rust.test_command, (std::vector<std::string>{"cargo", "test"}));
  EXPECT_EQ(rust.test_reports, out / "reports");
  EXPECT_EQ(rust.test_timeout, std::chrono::seconds(60));

  Write("rust", "language = \"Rust\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"x\"]\n"
                "[toolchain]\nname = \"rust\"\nminimum = \"new\"\n");
  EXPECT_NE(ErrorOf().find("toolchain.minimum 'new' is not a dotted version"), std::string::npos) << ErrorOf();
}

TEST(VersionTest, ParseVersionReadsWhatToolchainsPrint) {
  EXPECT_EQ(ParseVersion("cargo 1.95.0 (f2d3ce0bd 2026-03-21)"), "1.95.0");
  EXPECT_EQ(ParseVersion("go version go1.26.8 linux/amd64"), "1.26.8");
  EXPECT_EQ(ParseVersion("openjdk version \"17.0.15\" 2025-04-15\nOpenJDK Runtime"), "17.0.15");
  EXPECT_EQ(ParseVersion("openjdk version \"21\" 2023-09-19"), "21");
  EXPECT_EQ(ParseVersion("\x1b[1mApache Maven 3.8.7\x1b[m"), "3.8.7");
  EXPECT_EQ(ParseVersion("nginx version: nginx/1.22.1"), "1.22.1");
  EXPECT_EQ(ParseVersion("Python 3.11.2"), "3.11.2");
  EXPECT_EQ(ParseVersion("no digits here"), std::nullopt);
}

TEST(VersionTest, CompareVersionsIsNumericPerComponent) {
  EXPECT_LT(CompareVersions("1.9", "1.10"), 0);
  EXPECT_EQ(CompareVersions("1.95", "1.95.0"), 0);
  EXPECT_GT(CompareVersions("1.100.0", "1.95.3"), 0);
  EXPECT_GT(CompareVersions("17.0.15", "17"), 0);
  EXPECT_LT(CompareVersions("1.26.8", "1.27"), 0);
}

// A port whose toolchain is a fake version command: `printf` stands for cargo --version and friends.
std::string PortWithToolchain(const std::string& version_command, const std::string& minimum) {
  return "language = \"Fake\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
         "[toolchain]\nname = \"fakec\"\nminimum = \"" +
         minimum + "\"\nversion_command = " + version_command +
         "\nhint = \"install fakec 9 with ./claimbench setup\"\n";
}

TEST_F(ImplementationTest, ATooOldToolchainMakesItUnavailableWithTheHintAndTheVersionIsKept) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  Write("old", PortWithToolchain("[\"sh\", \"-c\", \"echo fakec version 1.2.3 >&2\"]", "1.10"));
  Write("new", PortWithToolchain("[\"sh\", \"-c\", \"echo fakec 9.0.1\"]", "1.10"));
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  std::string version;
  EXPECT_EQ(UnavailableReason(impls[1], &version), "");
  EXPECT_EQ(version, "9.0.1");
  std::string reason = UnavailableReason(impls[2], &version);
  EXPECT_EQ(reason, "fakec 1.2.3 is too old: this implementation needs fakec 1.10 or newer; install fakec 9 with "
                    "./claimbench setup");
  EXPECT_EQ(version, "1.2.3");
  impls[1].toolchain_version = "9.0.1";
  BuildRecord build = DescribeBuild(impls[1]);
  EXPECT_EQ(build.toolchain, "fakec");
  EXPECT_EQ(build.toolchain_version, "9.0.1");
}

TEST_F(ImplementationTest, AMissingOrFailingToolchainMakesItUnavailableWithTheHint) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  Write("gone", PortWithToolchain("[\"no-such-compiler-claimbench\", \"--version\"]", "1"));
  Write("broken", PortWithToolchain("[\"sh\", \"-c\", \"echo toolchain 1.95.0 is not installed >&2; exit 1\"]", "1"));
  Write("silent", PortWithToolchain("[\"true\"]", "1"));
  Write("viaenv", PortWithToolchain("[\"env\", \"RUSTUP_AUTO_INSTALL=0\", \"no-such-compiler-claimbench\", \"-V\"]", "1"));
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  EXPECT_EQ(UnavailableReason(impls[4]).substr(0, 70),
            "fakec is not installed: 'no-such-compiler-claimbench' is not on PATH; ");
  EXPECT_EQ(UnavailableReason(impls[2]),
            "fakec is not installed: 'no-such-compiler-claimbench' is not on PATH; install fakec 9 with ./claimbench "
            "setup");
  std::string broken = UnavailableReason(impls[1]);
  EXPECT_NE(broken.find("fakec is not usable here"), std::string::npos) << broken;
  EXPECT_NE(broken.find("exited with status 1 (toolchain 1.95.0 is not installed)"), std::string::npos) << broken;
  EXPECT_NE(broken.find("; install fakec 9"), std::string::npos) << broken;
  EXPECT_NE(UnavailableReason(impls[3]).find("printed no version number"), std::string::npos);
}

TEST_F(ImplementationTest, ABuildWithCurrentInputsIsSkipped) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n");
  Write("java", "language = \"Java\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"true\"]\n"
                "[build]\ncommand = [\"sh\", \"-c\", \"echo built >> {out_dir}/builds\"]\ninputs = [\"src\", \"pom.xml\"]\n");
  fs::path dir = root_ / "workloads/w/impls/java";
  fs::create_directories(dir / "src/a");
  std::ofstream(dir / "src/a/Main.java") << "class Main {}";
  std::ofstream(dir / "pom.xml") << "<project/>";
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  auto builds = [&] {
    std::ifstream in(impls[1].out_dir / "builds");
    return std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n');
  };
  ASSERT_EQ(BuildImplementation(impls[1], root_ / "logs"), "");
  ASSERT_EQ(BuildImplementation(impls[1], root_ / "logs"), "");
  EXPECT_EQ(builds(), 1) << "nothing changed: the second build is skipped";
  std::ofstream(dir / "src/a/Main.java") << "class Main { int x; }";
  ASSERT_EQ(BuildImplementation(impls[1], root_ / "logs"), "");
  EXPECT_EQ(builds(), 2) << "a changed source rebuilds";
  fs::remove(dir / "pom.xml");
  EXPECT_THROW(BuildImplementation(impls[1], root_ / "logs"), SetupError);
}

TEST_F(ImplementationTest, TheBuildRecordOfCMakeBuiltCodeIsTheHarnessVariant) {
  Write("cpp", "language = \"C++\"\nrole = \"reference\"\nlabel = \"tuned\"\ntuned = [\"-march=native\"]\n"
               "command = [\"x\"]\n[build]\ncmake_target = \"x\"\nflags = [\"-march=native\"]\n");
  Write("go", "language = \"Go\"\nrole = \"port\"\nlabel = \"idiomatic\"\ncommand = [\"x\"]\n"
              "[build]\ncommand = [\"go\", \"build\"]\nprofile = \"default\"\n");
  std::vector<Implementation> impls = LoadImplementations(paths_, "w");
  BuildRecord cpp = DescribeBuild(impls[0]);
  EXPECT_EQ(cpp.toolchain, "cpp");
  EXPECT_EQ(cpp.profile, build_info::kVariant);
  EXPECT_EQ(cpp.flags.back(), "-march=native");
  EXPECT_EQ(DescribeBuild(impls[1]).profile, "default");
  EXPECT_EQ(MixedBuildWarning(impls, "release"), "");
  std::string warning = MixedBuildWarning(impls, "asan");
  EXPECT_NE(warning.find("the C++ implementations are the 'asan' build, but go are built by their own"),
            std::string::npos)
      << warning;
}

}  // namespace
}  // namespace claimbench
