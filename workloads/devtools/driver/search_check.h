// The search cases' answers, found by the harness itself: every matching line of the tree's *.py files,
// read here with a plain matcher of its own, never with grep or ripgrep. A tool's answer is its
// PATH:LINE:TEXT lines, compared sorted (the tools' orders differ: ripgrep searches in parallel).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace claimbench::devtools_workload {

enum class SearchMode { kLiteral, kLiteralIgnoreCase, kRegex };

// "literal", "literal_i" or "regex" (SPEC.md); throws SetupError naming the accepted ones for anything else.
SearchMode ParseSearchMode(std::string_view text);

// Throws SetupError when `pattern` cannot mean the same to the harness, grep and ripgrep in `mode`: empty;
// for literal_i, not ASCII or holding a k or an s (ripgrep folds those to the Kelvin sign and the long s,
// Unicode's only non-ASCII simple case folds of ASCII letters, where the harness folds ASCII only); for
// regex, not a valid ECMAScript regex (std::regex).
void ValidatePattern(SearchMode mode, const std::string& pattern);

struct TreeSize {
  int64_t files = 0;
  int64_t bytes = 0;
};

// The regular *.py files under `root` (symbolic links are not followed, as grep -r and ripgrep do not) and
// their size.
TreeSize MeasurePythonTree(const std::filesystem::path& root);

// Every line of the regular *.py files under `root` that matches `pattern` in `mode`, as
// "relative/path.py:LINE:TEXT" (LINE 1-based, TEXT without its newline), sorted bytewise. Lines are split at
// '\n' only; a last line without one counts. Throws SetupError when a file cannot be read.
std::vector<std::string> ExpectedMatches(const std::filesystem::path& root, SearchMode mode,
                                         const std::string& pattern);

// A tool's stdout as sorted match lines, each without a leading "./" (both tools print paths as given, and
// search ".").
std::vector<std::string> ParseMatchLines(std::string_view text);

// Empty when `got` equals `expected` (both sorted), else one line: how many lines are missing and extra,
// and the first of each.
std::string CompareMatches(const std::vector<std::string>& expected, const std::vector<std::string>& got);

}  // namespace claimbench::devtools_workload
