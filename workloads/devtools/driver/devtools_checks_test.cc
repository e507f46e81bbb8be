// The devtools driver's own parts: the generated tree (deterministic, clean but for its planted findings),
// the search matcher and comparison, the lint output parser and its checks, the install checks, and the
// page-cache eviction the cold cases rely on. Each check must reject a wrong answer, not only accept a
// right one.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/testing/temp_dir.h"
#include "install_check.h"
#include "lint_check.h"
#include "page_cache.h"
#include "search_check.h"
#include "source_tree.h"

namespace claimbench::devtools_workload {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

TEST(SourceTreeTest, IsDeterministicAndPlantsEveryRuleOnLinesThatHoldIt) {
  testing::TempDir dir;
  const SourceTree a = GenerateSourceTree({7, 60'000}, dir.path() / "a");
  const SourceTree b = GenerateSourceTree({7, 60'000}, dir.path() / "b");
  EXPECT_GE(a.bytes, 60'000);
  EXPECT_EQ(a.planted, b.planted);
  EXPECT_EQ(ReadWholeFile(a.root / "pkg_000" / "mod_001.py"),
            ReadWholeFile(b.root / "pkg_000" / "mod_001.py"));
  std::set<std::string> rules;
  for (const Finding& f : a.planted) rules.insert(f.rule);
  EXPECT_EQ(rules, (std::set<std::string>{"E501", "E711", "F401", "F821", "F841", "W291"}));
  // Every line is at most 79 columns (flake8's default) but the planted long ones, which are over 100.
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(a.root)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = entry.path().lexically_relative(a.root).generic_string();
    std::istringstream in(ReadWholeFile(entry.path()));
    int64_t number = 0;
    for (std::string line; std::getline(in, line);) {
      ++number;
      const bool long_planted =
          std::binary_search(a.planted.begin(), a.planted.end(), Finding{relative, number, "E501"});
      EXPECT_EQ(line.size() > 100, long_planted) << relative << ":" << number;
      if (!long_planted) {
        EXPECT_LE(line.size(), 79u) << relative << ":" << number;
      }
      const bool trailing =
          std::binary_search(a.planted.begin(), a.planted.end(), Finding{relative, number, "W291"});
      EXPECT_EQ(!line.empty() && line.back() == ' ', trailing) << relative << ":" << number;
    }
  }
}

TEST(SourceTreeTest, CacheReadsBackWhatItGenerated) {
  testing::TempDir dir;
  const SourceTree made = LoadOrGenerateSourceTree({3, 20'000}, dir.path());
  const SourceTree read = LoadOrGenerateSourceTree({3, 20'000}, dir.path());
  EXPECT_EQ(made.planted, read.planted);
  EXPECT_EQ(made.lines, read.lines);
  EXPECT_EQ(made.root, read.root);
}

TEST(SearchCheckTest, FindsMatchesInEachModeAndSkipsOtherFiles) {
  testing::TempDir dir;
  Write(dir.path() / "a.py", "x = 1\nreturn None\n# Deprecated\n    def go(self):\nlast return None");
  Write(dir.path() / "sub" / "b.py", "DEPRECATED\n");
  Write(dir.path() / "notes.txt", "return None\n");
  fs::create_symlink(dir.path() / "a.py", dir.path() / "link.py");
  EXPECT_EQ(ExpectedMatches(dir.path(), SearchMode::kLiteral, "return None"),
            (std::vector<std::string>{"a.py:2:return None", "a.py:5:last return None"}));
  EXPECT_EQ(ExpectedMatches(dir.path(), SearchMode::kLiteralIgnoreCase, "deprecated"),
            (std::vector<std::string>{"a.py:3:# Deprecated", "sub/b.py:1:DEPRECATED"}));
  EXPECT_EQ(ExpectedMatches(dir.path(), SearchMode::kRegex, "def [a-z_]+\\(self"),
            (std::vector<std::string>{"a.py:4:    def go(self):"}));
  EXPECT_EQ(MeasurePythonTree(dir.path()).files, 2);
}

TEST(SearchCheckTest, ComparesSortedLinesAndRejectsAMissingOrChangedLine) {
  const std::vector<std::string> expected = {"a.py:2:return None", "b.py:1:return None"};
  EXPECT_EQ(CompareMatches(expected, ParseMatchLines("./b.py:1:return None\n./a.py:2:return None\n")), "");
  EXPECT_NE(CompareMatches(expected, ParseMatchLines("./a.py:2:return None\n")), "");
  EXPECT_NE(CompareMatches(expected, ParseMatchLines("./a.py:2:return None\n./b.py:2:return None\n")), "");
  EXPECT_NE(CompareMatches(expected, ParseMatchLines("")), "");
}

TEST(SearchCheckTest, RefusesPatternsTheToolsWouldReadDifferently) {
  EXPECT_NO_THROW(ValidatePattern(SearchMode::kLiteralIgnoreCase, "deprecated"));
  EXPECT_THROW(ValidatePattern(SearchMode::kLiteralIgnoreCase, "skip"), SetupError);
  EXPECT_THROW(ValidatePattern(SearchMode::kRegex, "def ("), SetupError);
  EXPECT_THROW(ValidatePattern(SearchMode::kLiteral, ""), SetupError);
  EXPECT_THROW(ParseSearchMode("fuzzy"), SetupError);
}

// One planted finding per rule, and what each linter prints for them (their real formats).
const std::vector<Finding> kPlanted = {{"p/m.py", 4, "F401"},  {"p/m.py", 9, "F841"},
                                       {"p/m.py", 10, "W291"}, {"p/m.py", 11, "E711"},
                                       {"p/m.py", 13, "E501"}, {"p/m.py", 14, "F821"}};
constexpr const char* kRuff =
    "p/m.py:4:8: F401 [*] `json` imported but unused\np/m.py:9:5: F841 Local variable `unused` is assigned "
    "to but "
    "never used\np/m.py:10:25: W291 [*] Trailing whitespace\np/m.py:11:16: E711 Comparison to `None` should "
    "be "
    "`cond is None`\np/m.py:13:101: E501 Line too long (109 > 100)\np/m.py:14:20: F821 Undefined name "
    "`missing_name`\nFound 6 errors.\n[*] 2 fixable with `--fix`.\n";
constexpr const char* kPylint =
    "************* Module p.m\np/m.py:10:24: C0303 Trailing whitespace\np/m.py:13:0: C0301 Line too long "
    "(109/100)\np/m.py:11:7: C0121 Comparison 'beta == None' should be 'beta is None'\np/m.py:14:19: E0602 "
    "Undefined variable 'missing_name'\np/m.py:9:4: W0612 Unused variable 'unused'\np/m.py:4:0: W0611 Unused "
    "import json\n";

TEST(LintCheckTest, ReadsEachLintersCodesAsTheSharedRules) {
  EXPECT_EQ(CheckLintOutput(kPlanted, ParseLintOutput(kRuff), RuleSet::kShared), "");
  EXPECT_EQ(CheckLintOutput(kPlanted, ParseLintOutput(kPylint), RuleSet::kShared), "");
  EXPECT_EQ(CheckLintOutput(kPlanted, ParseLintOutput(std::string("./") + kRuff), RuleSet::kShared), "");
  EXPECT_EQ(SharedRule("C0121"), "E711");
  EXPECT_EQ(SharedRule("C0114"), std::nullopt);
}

TEST(LintCheckTest, SharedRejectsAMissingFindingAWrongLineAndOtherRules) {
  const std::string ruff = kRuff;
  std::string missing = ruff;
  missing.erase(missing.find("p/m.py:14:20"), missing.find("\nFound") - missing.find("p/m.py:14:20") + 1);
  EXPECT_NE(CheckLintOutput(kPlanted, ParseLintOutput(missing), RuleSet::kShared), "");
  std::string moved = ruff;
  moved.replace(moved.find("p/m.py:4:8"), 10, "p/m.py:5:8");
  EXPECT_NE(CheckLintOutput(kPlanted, ParseLintOutput(moved), RuleSet::kShared), "");
  EXPECT_NE(CheckLintOutput(kPlanted, ParseLintOutput(ruff + "p/m.py:1:1: D100 Missing docstring\n"),
                            RuleSet::kShared),
            "");
}

TEST(LintCheckTest, DefaultsAllowOtherRulesAndNoPycodestyleRulesButNotMissingPyflakesOnes) {
  const std::string ruff = kRuff;
  std::string no_style = ruff;
  for (const char* cut : {"p/m.py:10:25", "p/m.py:11:16", "p/m.py:13:101"}) {
    const size_t at = no_style.find(cut);
    no_style.erase(at, no_style.find('\n', at) - at + 1);
  }
  EXPECT_EQ(CheckLintOutput(kPlanted, ParseLintOutput(no_style + "p/m.py:1:1: C0114 Missing docstring\n"),
                            RuleSet::kDefaults),
            "");
  std::string no_import = ruff;
  no_import.erase(0, no_import.find('\n') + 1);
  EXPECT_NE(CheckLintOutput(kPlanted, ParseLintOutput(no_import), RuleSet::kDefaults), "");
}

TEST(InstallCheckTest, ComparesDistributionsAndTheFilesTheirRecordsList) {
  testing::TempDir dir;
  const fs::path site = dir.path() / "venv" / "lib" / "python3.11" / "site-packages";
  Write(site / "idna" / "__init__.py", "x = 1\n");
  Write(site / "idna-3.10.dist-info" / "METADATA", "Name: idna\n");
  Write(site / "idna-3.10.dist-info" / "RECORD",
        "idna/__init__.py,sha256=abc,6\nidna-3.10.dist-info/METADATA,,\nidna-3.10.dist-info/RECORD,,\n");
  Write(site / "MarkupSafe-3.0.3.dist-info" / "RECORD", "MarkupSafe-3.0.3.dist-info/RECORD,,\n");
  EXPECT_EQ(SitePackages(dir.path() / "venv"), site);
  const Distributions installed = InstalledDistributions(site);
  EXPECT_EQ(installed, (Distributions{{"idna", "3.10"}, {"markupsafe", "3.0.3"}}));
  EXPECT_EQ(CheckInstalled({{"idna", "3.10"}, {"markupsafe", "3.0.3"}}, installed, site), "");
  EXPECT_NE(CheckInstalled({{"idna", "3.11"}, {"markupsafe", "3.0.3"}}, installed, site), "");
  EXPECT_NE(CheckInstalled({{"idna", "3.10"}}, installed, site), "");
  EXPECT_NE(CheckInstalled({{"idna", "3.10"}, {"markupsafe", "3.0.3"}, {"six", "1.0"}}, installed, site), "");
  Write(site / "idna" / "__init__.py", "x = 12\n");  // not the size its RECORD says
  EXPECT_NE(CheckInstalled({{"idna", "3.10"}, {"markupsafe", "3.0.3"}}, installed, site), "");
  fs::remove(site / "idna" / "__init__.py");
  EXPECT_NE(CheckInstalled({{"idna", "3.10"}, {"markupsafe", "3.0.3"}}, installed, site), "");
}

TEST(InstallCheckTest, ReadsExactPinsOnly) {
  testing::TempDir dir;
  Write(dir.path() / "ok.txt", "# web\nFlask==3.1.2\ncharset-normalizer==3.4.4  # binary\n\n");
  EXPECT_EQ(ReadPinnedRequirements(dir.path() / "ok.txt"),
            (Distributions{{"flask", "3.1.2"}, {"charset_normalizer", "3.4.4"}}));
  Write(dir.path() / "range.txt", "flask>=3\n");
  EXPECT_THROW(ReadPinnedRequirements(dir.path() / "range.txt"), SetupError);
}

TEST(PageCacheTest, EvictionLeavesNoPageOfTheTreeResident) {
  testing::TempDir dir;
  const fs::path file = dir.path() / "sub" / "big.py";
  Write(file, std::string(1 << 20, 'x'));
  (void)ReadWholeFile(file);
  ::sync();  // written-back pages only: dirty ones are not dropped
  ASSERT_GT(ResidentBytes(file), 0);
  EXPECT_EQ(EvictFromPageCache(dir.path()), 1);
  EXPECT_EQ(ResidentBytes(file), 0)
      << "posix_fadvise(DONTNEED) did not drop the file here: the cold cases would be warm";
}

}  // namespace
}  // namespace claimbench::devtools_workload
