#!/usr/bin/env bash
# flake8 (pyflakes + pycodestyle + mccabe) behind SPEC.md's lint command, from the tree's root, --isolated
# (no configuration file), its default output (PATH:LINE:COL: CODE message). Rules: `shared` selects the six
# rules all three linters implement (SPEC.md, Lint) at 100 columns; `defaults` is flake8's own default set
# (E, F, W at 79 columns). Processes: flake8's default --jobs=auto, one per core.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = lint ] || usage_error "'$command' has no equivalent in flake8; it takes part in the lint cases only"
flags=(--isolated)
if [ "$rules" = shared ]; then flags+=(--select F401,F841,F821,E711,W291,E501 --max-line-length 100); fi
cd "$root"
timed found_or_not "$tool" "${flags[@]}" .
