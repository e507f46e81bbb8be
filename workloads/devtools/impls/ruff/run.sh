#!/usr/bin/env bash
# ruff check behind SPEC.md's lint command, from the tree's root, --isolated (no configuration file from the
# tree or its parents), --no-cache (every file linted every time: ruff's cache would skip unchanged files, a
# real saving on a second run but not linting), concise output (PATH:LINE:COL: CODE message). Rules:
# `shared` selects the six rules all three linters implement (SPEC.md, Lint) at 100 columns; `defaults` is
# ruff's own default set (0.17: 407 rules, SPEC.md). Threads: ruff's default, every core.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = lint ] || usage_error "'$command' has no equivalent in ruff; it takes part in the lint cases only"
flags=(--isolated --no-cache --output-format concise)
if [ "$rules" = shared ]; then flags+=(--select F401,F841,F821,E711,W291,E501 --line-length 100); fi
cd "$root"
timed found_or_not "$tool" check "${flags[@]}" .
