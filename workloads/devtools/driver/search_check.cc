#include "search_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"

namespace claimbench::devtools_workload {
namespace {

namespace fs = std::filesystem;

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) { return AsciiLower(c); });
  return out;
}

// The regular *.py files under root, relative paths sorted (the order only matters for error messages).
std::vector<fs::path> PythonFiles(const fs::path& root) {
  if (!fs::is_directory(root)) throw SetupError(fmt::format("{} is not a directory", root.string()));
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    if (entry.symlink_status().type() != fs::file_type::regular) continue;
    if (entry.path().extension() != ".py") continue;
    files.push_back(entry.path().lexically_relative(root));
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

SearchMode ParseSearchMode(std::string_view text) {
  if (text == "literal") return SearchMode::kLiteral;
  if (text == "literal_i") return SearchMode::kLiteralIgnoreCase;
  if (text == "regex") return SearchMode::kRegex;
  throw SetupError(fmt::format("search mode '{}' is unknown; choose literal, literal_i or regex", text));
}

void ValidatePattern(SearchMode mode, const std::string& pattern) {
  if (pattern.empty()) throw SetupError("the search pattern is empty; give a non-empty one");
  if (mode == SearchMode::kLiteralIgnoreCase) {
    for (char c : pattern) {
      if (static_cast<unsigned char>(c) >= 0x80 || AsciiLower(c) == 'k' || AsciiLower(c) == 's') {
        throw SetupError(
            fmt::format("pattern '{}' cannot be searched case-insensitively here: it must be ASCII "
                        "without k or s (ripgrep folds those to non-ASCII letters; SPEC.md, Search)",
                        pattern));
      }
    }
  }
  if (mode == SearchMode::kRegex) {
    try {
      std::regex compiled(pattern, std::regex::ECMAScript);
    } catch (const std::regex_error& error) {
      throw SetupError(fmt::format("regex '{}' is not valid: {}", pattern, error.what()));
    }
  }
}

TreeSize MeasurePythonTree(const fs::path& root) {
  TreeSize size;
  for (const fs::path& file : PythonFiles(root)) {
    ++size.files;
    size.bytes += static_cast<int64_t>(fs::file_size(root / file));
  }
  return size;
}

std::vector<std::string> ExpectedMatches(const fs::path& root, SearchMode mode, const std::string& pattern) {
  const std::string lowered = AsciiLower(pattern);
  const std::regex regex =
      mode == SearchMode::kRegex ? std::regex(pattern, std::regex::ECMAScript) : std::regex();
  auto matches = [&](std::string_view line) {
    switch (mode) {
      case SearchMode::kLiteral:
        return line.find(pattern) != std::string_view::npos;
      case SearchMode::kLiteralIgnoreCase:
        return AsciiLower(line).find(lowered) != std::string::npos;
      case SearchMode::kRegex:
        return std::regex_search(line.begin(), line.end(), regex);
    }
    return false;
  };
  std::vector<std::string> out;
  for (const fs::path& file : PythonFiles(root)) {
    const std::string text = ReadWholeFile(root / file);
    const std::string prefix = file.generic_string();
    int64_t number = 0;
    for (size_t start = 0; start < text.size();) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      ++number;
      const std::string_view line(text.data() + start, end - start);
      if (matches(line)) out.push_back(fmt::format("{}:{}:{}", prefix, number, line));
      start = end + 1;
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> ParseMatchLines(std::string_view text) {
  std::vector<std::string> out;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (line.starts_with("./")) line.remove_prefix(2);
    out.emplace_back(line);
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string CompareMatches(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
  if (expected == got) return "";
  std::vector<std::string> missing, extra;
  std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(), std::back_inserter(extra));
  auto first = [](const std::vector<std::string>& lines) {
    return lines.empty() ? std::string("none") : fmt::format("'{}'", lines.front().substr(0, 120));
  };
  return fmt::format("{} matching lines expected, {} printed: {} missing (first {}), {} extra (first {})",
                     expected.size(), got.size(), missing.size(), first(missing), extra.size(), first(extra));
}

}  // namespace claimbench::devtools_workload
