#include "claimbench/source_lines.h"

#include <algorithm>
#include <array>
#include <string>

#include "claimbench/file_contents.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 10> kCFamily = {".c", ".cc", ".cpp", ".cxx", ".h",
                                                       ".hh", ".hpp", ".rs", ".go", ".java"};
constexpr std::array<std::string_view, 2> kHashComments = {".py", ".sh"};

bool IsOneOf(std::string_view extension, const auto& list) {
  return std::find(list.begin(), list.end(), extension) != list.end();
}

bool IsBlank(std::string_view text) { return text.find_first_not_of(" \t\r\f\v") == std::string_view::npos; }

// The parts of one C-family line outside comments; `in_block` carries a /* ... */ across lines.
bool HasCodeCFamily(std::string_view line, bool& in_block) {
  bool code = false;
  size_t i = 0;
  while (i < line.size()) {
    if (in_block) {
      size_t end = line.find("*/", i);
      if (end == std::string_view::npos) return code;
      in_block = false;
      i = end + 2;
      continue;
    }
    size_t line_comment = line.find("//", i);
    size_t block = line.find("/*", i);
    size_t stop = std::min(line_comment, block);
    const size_t length = stop == std::string_view::npos ? std::string_view::npos : stop - i;
    code = code || !IsBlank(line.substr(i, length));
    if (stop == std::string_view::npos || stop == line_comment) return code;
    in_block = true;
    i = block + 2;
  }
  return code;
}

}  // namespace

bool IsTestSourcePath(const fs::path& relative) {
  for (const fs::path& part : relative.parent_path()) {
    if (part == "test" || part == "tests" || part == "testing") return true;
  }
  const std::string stem = relative.stem().string();
  return stem.ends_with("_test") || stem.ends_with("_tests") || stem.starts_with("test_") ||
         (relative.extension() == ".java" && stem.ends_with("Test"));
}

int64_t CountCodeLines(std::string_view text, std::string_view extension) {
  const bool c_family = IsOneOf(extension, kCFamily);
  const bool hash = IsOneOf(extension, kHashComments);
  int64_t lines = 0;
  bool in_block = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const size_t length = end == std::string_view::npos ? std::string_view::npos : end - start;
    const std::string_view line = text.substr(start, length);
    start = end == std::string_view::npos ? text.size() : end + 1;
    if (c_family) {
      lines += HasCodeCFamily(line, in_block) ? 1 : 0;
    } else if (hash) {
      size_t first = line.find_first_not_of(" \t\r\f\v");
      lines += first != std::string_view::npos && line[first] != '#' ? 1 : 0;
    } else {
      lines += IsBlank(line) ? 0 : 1;
    }
  }
  return lines;
}

SourceCount CountSourceLines(const fs::path& dir) {
  SourceCount count;
  std::error_code error;
  if (!fs::is_directory(dir, error)) return count;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const fs::path& path = it->path();
    if (path.filename().string().starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    const std::string extension = path.extension().string();
    const bool source = IsOneOf(extension, kCFamily) || IsOneOf(extension, kHashComments);
    if (!it->is_regular_file() || !source) continue;
    const int64_t lines = CountCodeLines(ReadWholeFile(path), extension);
    if (IsTestSourcePath(path.lexically_relative(dir))) {
      ++count.test_files;
      count.test_lines += lines;
    } else {
      ++count.files;
      count.lines += lines;
    }
  }
  return count;
}

}  // namespace claimbench
