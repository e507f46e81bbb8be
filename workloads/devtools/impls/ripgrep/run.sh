#!/usr/bin/env bash
# ripgrep behind SPEC.md's search command: `rg -n -g '*.py'` from the tree's root, -F for the literal modes
# (with -i for literal_i), its own regex syntax for regex (the SPEC's patterns mean the same in it and in
# POSIX ERE). Its defaults otherwise: every core, .gitignore rules and hidden files (the trees have neither),
# no colour and no headings (stdout is not a terminal), symbolic links not followed (as grep -r).
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = search ] || usage_error "'$command' has no equivalent in ripgrep; it takes part in the search cases only"
search_flags
cd "$root"
export LC_ALL=C.UTF-8
timed found_or_not "$tool" -n --no-heading --with-filename -g '*.py' "${flags[@]}" -e "$pattern" .
