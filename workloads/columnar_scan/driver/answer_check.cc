#include "answer_check.h"

#include <cmath>
#include <cstdlib>
#include <vector>

#include <fmt/format.h>

namespace claimbench::columnar {
namespace {

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

std::vector<std::string_view> Lines(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.empty()) return {};
  return Split(text, '\n');
}

// A plain decimal with a point ("123.45", "-0.05"); integers, dates and names are compared as text.
bool IsDecimal(std::string_view text) {
  if (text.empty() || text.find('.') == std::string_view::npos) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!((c >= '0' && c <= '9') || c == '.' || (i == 0 && c == '-'))) return false;
  }
  return true;
}

double ToDouble(std::string_view text) { return std::strtod(std::string(text).c_str(), nullptr); }

// True when `got` is close enough to `expected` for `column` under `precision`; `rule` says which rule
// applied, for the message.
bool WithinRule(std::string_view column, double expected, double got, Precision precision, std::string_view& rule) {
  const bool exact = precision == Precision::kExactDecimals;
  if (column.substr(0, 4) == "avg_") {
    const double rounded = std::round(got * 100) / 100;
    rule = exact ? "averages to the last digit" : "TPC-H: averages within 1%";
    const double allowed = exact ? 0.01 : 0.01 * std::fabs(expected);
    return std::fabs(rounded - expected) <= allowed + 1e-9;
  }
  if (!exact && (column.substr(0, 4) == "sum_" || column == "revenue")) {
    rule = "TPC-H: sums within $100";
    return std::fabs(got - expected) <= 100.0;
  }
  rule = exact ? "exact decimals: to the cent" : "TPC-H: prices to the cent";
  // Absolute: a double holds every cent exactly up to 2^53 hundredths (9e13 dollars, SF 1000's sums).
  return std::fabs(got - expected) < 0.005;
}

}  // namespace

std::string CompareAnswers(std::string_view expected, std::string_view got, Precision precision) {
  const auto want_lines = Lines(expected);
  const auto got_lines = Lines(got);
  if (want_lines.empty()) return "the expected answer is empty";
  if (got_lines.empty()) return "the output is empty; expected a CSV header and rows";
  if (got_lines[0] != want_lines[0]) {
    return fmt::format("header '{}', expected '{}'", got_lines[0].substr(0, 200), want_lines[0]);
  }
  if (got_lines.size() != want_lines.size()) {
    return fmt::format("{} result rows, expected {}", got_lines.size() - 1, want_lines.size() - 1);
  }
  const auto header = Split(want_lines[0], ',');
  for (size_t row = 1; row < want_lines.size(); ++row) {
    const auto want = Split(want_lines[row], ',');
    const auto have = Split(got_lines[row], ',');
    if (have.size() != want.size()) {
      return fmt::format("row {} has {} fields, expected {}", row, have.size(), want.size());
    }
    for (size_t column = 0; column < want.size(); ++column) {
      const std::string_view name = column < header.size() ? header[column] : std::string_view("?");
      if (want[column] == have[column]) continue;
      std::string_view rule;
      if (IsDecimal(want[column]) && IsDecimal(have[column]) &&
          WithinRule(name, ToDouble(want[column]), ToDouble(have[column]), precision, rule)) {
        continue;
      }
      return fmt::format("row {} {}: got '{}', expected '{}'{}", row, name, have[column].substr(0, 80), want[column],
                         rule.empty() ? "" : fmt::format(" ({})", rule));
    }
  }
  return {};
}

}  // namespace claimbench::columnar
