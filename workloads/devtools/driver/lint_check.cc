#include "lint_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "claimbench/error.h"

namespace claimbench::devtools_workload {
namespace {

// Each linter's code for the six shared rules (SPEC.md, Lint): ruff and flake8 use pyflakes' and
// pycodestyle's codes, pylint its own message ids.
// One rule a line, the linters' codes side by side.
// clang-format off
constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kCodes = {{
    {"F401", "F401"}, {"W0611", "F401"},  // unused import
    {"F841", "F841"}, {"W0612", "F841"},  // local variable assigned and never used
    {"F821", "F821"}, {"E0602", "F821"},  // undefined name
    {"E711", "E711"}, {"C0121", "E711"},  // comparison to None with == or !=
    {"W291", "W291"}, {"C0303", "W291"},  // trailing whitespace
    {"E501", "E501"}, {"C0301", "E501"},  // line too long
}};
// clang-format on

// pyflakes' rules: in ruff's, flake8's and pylint's default sets alike. ruff 0.17's defaults leave out
// pycodestyle's E711, W291 and E501.
constexpr std::array<std::string_view, 3> kInEveryDefaultSet = {"F401", "F841", "F821"};

std::vector<Finding> OfRule(const std::vector<Finding>& findings, std::string_view rule) {
  std::vector<Finding> out;
  std::copy_if(findings.begin(), findings.end(), std::back_inserter(out),
               [&](const Finding& f) { return f.rule == rule; });
  return out;
}

std::string Describe(const Finding& f) { return fmt::format("{}:{} {}", f.path, f.line, f.rule); }

std::string Difference(const std::vector<Finding>& planted, const std::vector<Finding>& got) {
  std::vector<Finding> missing, extra;
  std::set_difference(planted.begin(), planted.end(), got.begin(), got.end(), std::back_inserter(missing));
  std::set_difference(got.begin(), got.end(), planted.begin(), planted.end(), std::back_inserter(extra));
  return fmt::format("{} missing (first {}), {} extra (first {})", missing.size(),
                     missing.empty() ? "none" : Describe(missing.front()), extra.size(),
                     extra.empty() ? "none" : Describe(extra.front()));
}

// One "PATH:LINE:COL: CODE ..." line, or nullopt for any other line. PATH may hold colons; LINE and COL are
// the last two numbers before ": ".
std::optional<std::pair<Finding, std::string>> ParseLine(std::string_view line) {
  const size_t colon_space = line.find(": ");
  if (colon_space == std::string_view::npos) return std::nullopt;
  std::string_view location = line.substr(0, colon_space);
  std::string_view rest = line.substr(colon_space + 2);
  const size_t col_colon = location.rfind(':');
  if (col_colon == std::string_view::npos) return std::nullopt;
  const size_t line_colon = location.rfind(':', col_colon - 1);
  if (line_colon == std::string_view::npos || line_colon == 0) return std::nullopt;
  auto number = [](std::string_view text, int64_t& value) {
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc() && end == text.data() + text.size() && !text.empty();
  };
  Finding finding;
  int64_t column = 0;
  if (!number(location.substr(line_colon + 1, col_colon - line_colon - 1), finding.line) ||
      !number(location.substr(col_colon + 1), column)) {
    return std::nullopt;
  }
  std::string_view path = location.substr(0, line_colon);
  if (path.starts_with("./")) path.remove_prefix(2);
  finding.path = std::string(path);
  const size_t code_end = rest.find(' ');
  std::string code(rest.substr(0, code_end));
  const bool looks_like_code = code.size() >= 2 && code[0] >= 'A' && code[0] <= 'Z' &&
                               std::all_of(code.begin() + 1, code.end(), [](char c) {
                                 return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
                               });
  if (!looks_like_code) return std::nullopt;
  return std::make_pair(std::move(finding), std::move(code));
}

}  // namespace

RuleSet ParseRuleSet(std::string_view text) {
  if (text == "shared") return RuleSet::kShared;
  if (text == "defaults") return RuleSet::kDefaults;
  throw SetupError(fmt::format("rule set '{}' is unknown; choose shared or defaults", text));
}

std::optional<std::string> SharedRule(std::string_view code) {
  for (const auto& [own, shared] : kCodes) {
    if (own == code) return std::string(shared);
  }
  return std::nullopt;
}

LintOutput ParseLintOutput(std::string_view text) {
  LintOutput out;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (auto parsed = ParseLine(text.substr(start, end - start))) {
      if (std::optional<std::string> rule = SharedRule(parsed->second)) {
        parsed->first.rule = *rule;
        out.shared.push_back(std::move(parsed->first));
      } else {
        ++out.other;
      }
    }
    start = end + 1;
  }
  std::sort(out.shared.begin(), out.shared.end());
  return out;
}

std::string CheckLintOutput(const std::vector<Finding>& planted, const LintOutput& got, RuleSet rules) {
  if (rules == RuleSet::kShared) {
    if (got.other > 0) {
      return fmt::format(
          "{} findings of rules outside the six shared ones: the linter did not run the SPEC's rule "
          "selection",
          got.other);
    }
    if (got.shared != planted) {
      return fmt::format("{} findings expected, {} printed: {}", planted.size(), got.shared.size(),
                         Difference(planted, got.shared));
    }
    return "";
  }
  for (const auto& [own, rule] : kCodes) {
    if (own != rule) continue;  // each shared rule once
    const std::vector<Finding> want = OfRule(planted, rule), have = OfRule(got.shared, rule);
    const bool required =
        std::find(kInEveryDefaultSet.begin(), kInEveryDefaultSet.end(), rule) != kInEveryDefaultSet.end();
    if (have == want || (!required && have.empty())) continue;
    return fmt::format("rule {}: {} findings expected{}, {} printed: {}", rule, want.size(),
                       required ? "" : " (or none)", have.size(), Difference(want, have));
  }
  return "";
}

}  // namespace claimbench::devtools_workload
