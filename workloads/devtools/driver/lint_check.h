// The lint cases' answers: the findings the generator planted (source_tree.h), compared with what a linter
// printed, on the six rules all three linters implement. Each linter names those rules its own way (pylint's
// W0611 is pyflakes' F401); the table in lint_check.cc, the same as SPEC.md's, maps them to one name. Lines
// and paths are compared, not columns (pylint counts columns from 0, the others from 1) nor messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "source_tree.h"

namespace claimbench::devtools_workload {

// `shared`: each linter selects exactly the six shared rules; `defaults`: each runs its own default set.
enum class RuleSet { kShared, kDefaults };

// "shared" or "defaults"; throws SetupError naming the accepted ones for anything else.
RuleSet ParseRuleSet(std::string_view text);

// The pyflakes/pycodestyle code of one of the six shared rules for a linter's own code ("W0611" -> "F401",
// "F401" -> "F401"); nullopt for any other code.
std::optional<std::string> SharedRule(std::string_view code);

struct LintOutput {
  std::vector<Finding> shared;  // findings of the six rules, under their shared names, sorted
  int64_t other = 0;            // findings of any other rule
};

// Reads a linter's stdout: lines "PATH:LINE:COL: CODE message" (PATH without a leading "./"); any other line
// (pylint's "************* Module" headers, ruff's summary) is not a finding and is skipped.
LintOutput ParseLintOutput(std::string_view text);

// Empty when `got` answers the case, else one line saying what is wrong. kShared: the findings are exactly
// the planted ones and there are no others. kDefaults: the planted F401, F841 and F821 findings exactly
// (every default set has pyflakes' rules); E711, W291 and E501 exactly or not at all (ruff 0.17's defaults
// have none of them); findings of other rules are the linter's own business.
std::string CheckLintOutput(const std::vector<Finding>& planted, const LintOutput& got, RuleSet rules);

}  // namespace claimbench::devtools_workload
