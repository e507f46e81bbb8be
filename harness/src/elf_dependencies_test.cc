#include "claimbench/elf_dependencies.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;
using Kind = ProgramDependencies::Kind;

class ElfDependenciesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("elf-test-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
    return dir_ / name;
  }

  fs::path dir_;
};

TEST_F(ElfDependenciesTest, ReadsTheLoaderAndLibrariesOfADynamicSystemProgram) {
  ProgramDependencies deps = ReadProgramDependencies("/bin/true");
  EXPECT_EQ(deps.kind, Kind::kElf);
  EXPECT_TRUE(deps.executable_for_this_machine);
  EXPECT_NE(deps.interpreter.find("ld-"), std::string::npos) << deps.interpreter;
  EXPECT_EQ(deps.needed, std::vector<std::string>{"libc.so.6"});
}

TEST_F(ElfDependenciesTest, ReadsThisTestsOwnBinaryWhichTheCompilerLinkedToLibstdcxx) {
  ProgramDependencies deps = ReadProgramDependencies(fs::read_symlink("/proc/self/exe"));
  EXPECT_TRUE(deps.executable_for_this_machine);
  EXPECT_NE(std::find(deps.needed.begin(), deps.needed.end(), "libstdc++.so.6"), deps.needed.end());
  EXPECT_NE(std::find(deps.needed.begin(), deps.needed.end(), "libc.so.6"), deps.needed.end());
}

TEST_F(ElfDependenciesTest, AStaticProgramNeedsNothing) {
  if (!fs::exists("/sbin/ldconfig")) GTEST_SKIP() << "no /sbin/ldconfig (Debian's is static-pie)";
  ProgramDependencies deps = ReadProgramDependencies("/sbin/ldconfig");
  if (!deps.interpreter.empty()) GTEST_SKIP() << "this system's ldconfig is dynamically linked";
  EXPECT_EQ(deps.kind, Kind::kElf);
  EXPECT_TRUE(deps.executable_for_this_machine);
  EXPECT_TRUE(deps.needed.empty());
}

TEST_F(ElfDependenciesTest, AScriptNeedsTheInterpreterOnItsHashBangLine) {
  ProgramDependencies deps = ReadProgramDependencies(Write("run.sh", "#!  /bin/sh -e \r\necho hi\n"));
  EXPECT_EQ(deps.kind, Kind::kScript);
  EXPECT_EQ(deps.interpreter, "/bin/sh -e");
  EXPECT_FALSE(deps.executable_for_this_machine);
}

TEST_F(ElfDependenciesTest, AnythingElseIsNeither) {
  ProgramDependencies deps = ReadProgramDependencies(Write("data.txt", "just text\n"));
  EXPECT_EQ(deps.kind, Kind::kOther);
  EXPECT_TRUE(deps.interpreter.empty());
  EXPECT_TRUE(deps.needed.empty());
}

TEST_F(ElfDependenciesTest, ATruncatedElfFileIsAnErrorNamingTheFile) {
  const std::string whole = ReadWholeFile("/bin/true");
  // The header survives; the tables it points at do not.
  const fs::path cut = Write("cut", whole.substr(0, 200));
  try {
    ReadProgramDependencies(cut);
    FAIL() << "read a truncated file";
  } catch (const SetupError& error) {
    EXPECT_NE(std::string(error.what()).find(cut.string()), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("truncated or corrupt"), std::string::npos) << error.what();
  }
}

TEST_F(ElfDependenciesTest, AMissingFileIsAnError) {
  EXPECT_THROW(ReadProgramDependencies(dir_ / "nothing"), SetupError);
}

TEST(CRuntimeLibraryTest, GlibcItsLoaderAndLibgccAreTheCRuntimeNothingElse) {
  for (const char* name : {"libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
                           "libgcc_s.so.1", "/lib64/ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"}) {
    EXPECT_TRUE(IsCRuntimeLibrary(name)) << name;
  }
  for (const char* name :
       {"libstdc++.so.6", "libssl.so.3", "libjemalloc.so.2", "libcrypto.so.3", "libcurl.so.4"}) {
    EXPECT_FALSE(IsCRuntimeLibrary(name)) << name;
  }
}

}  // namespace
}  // namespace claimbench
