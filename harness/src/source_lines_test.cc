#include "claimbench/source_lines.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace claimbench {
namespace {

namespace fs = std::filesystem;

TEST(CountCodeLinesTest, SkipsBlankLinesAndCommentOnlyLinesInCFamilyLanguages) {
  const char* text =
      "// a comment\n"
      "\n"
      "fn main() {  // code with a comment\n"
      "    /* a block\n"
      "       still the block */\n"
      "    let x = 1; /* inline */ let y = 2;\n"
      "    /* one line */\n"
      "}\n";
  EXPECT_EQ(CountCodeLines(text, ".rs"), 3);
  EXPECT_EQ(CountCodeLines(text, ".go"), 3);
  EXPECT_EQ(CountCodeLines("int a;\r\n/* x */ int b;\r\n   \t\r\n", ".cc"), 2);
}

TEST(CountCodeLinesTest, HashCommentsInPythonAndShellAndEveryNonBlankLineElsewhere) {
  const char* python = "#!/usr/bin/env python3\n# comment\nimport sys\n\n    # indented\nprint(1)  # hi";
  EXPECT_EQ(CountCodeLines(python, ".py"), 2);
  EXPECT_EQ(CountCodeLines("#!/bin/sh\nexec nginx\n", ".sh"), 1);
  EXPECT_EQ(CountCodeLines("a\n\n// not a comment here\n", ".txt"), 2);
  EXPECT_EQ(CountCodeLines("", ".rs"), 0);
}

class CountSourceLinesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("source-lines-test-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_;
};

TEST_F(CountSourceLinesTest, CountsSourcesAndTestsApartAndSkipsWhatIsNotCode) {
  Write("src/main.rs", "fn main() {\n    run();\n}\n");        // 3
  Write("src/serve.rs", "// docs\npub fn run() {}\n");           // 1
  Write("tests/cli.rs", "#[test]\nfn t() {}\n");                  // test: 2
  Write("checksum_test.go", "package main\n");                   // test: 1
  Write("src/test/java/a/OptionsTest.java", "class OptionsTest {}\n");  // test: 1
  Write("engine/query_test.cc", "TEST(A, B) {}\n");              // test: 1
  Write("Cargo.toml", "[package]\nname = \"x\"\n");              // not code
  Write("README.md", "# hello\n");                                // not code
  Write(".cargo/config.toml", "[build]\n");                       // hidden
  Write(".hidden/x.rs", "fn hidden() {}\n");                      // hidden folder
  SourceCount count = CountSourceLines(dir_);
  EXPECT_EQ(count.files, 2);
  EXPECT_EQ(count.lines, 4);
  EXPECT_EQ(count.test_files, 4);
  EXPECT_EQ(count.test_lines, 5);
}

TEST_F(CountSourceLinesTest, AMissingFolderCountsAsEmpty) {
  SourceCount count = CountSourceLines(dir_ / "nothing");
  EXPECT_EQ(count.files + count.lines + count.test_files + count.test_lines, 0);
}

TEST(IsTestSourcePathTest, ByFolderOrName) {
  EXPECT_TRUE(IsTestSourcePath("tests/cli.rs"));
  EXPECT_TRUE(IsTestSourcePath("engine/testing/fixture.h"));
  EXPECT_TRUE(IsTestSourcePath("main_test.go"));
  EXPECT_TRUE(IsTestSourcePath("test_cli.py"));
  EXPECT_TRUE(IsTestSourcePath("src/x/ChecksumTest.java"));
  EXPECT_FALSE(IsTestSourcePath("src/main.rs"));
  EXPECT_FALSE(IsTestSourcePath("contest.py"));
  EXPECT_FALSE(IsTestSourcePath("Latest.java"));
}

}  // namespace
}  // namespace claimbench
