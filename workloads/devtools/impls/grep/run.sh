#!/usr/bin/env bash
# GNU grep behind SPEC.md's search command: `grep -r -n --include='*.py'` from the tree's root, -F for the
# literal modes (with -i for literal_i), -E for regex, in the C.UTF-8 locale (a user's UTF-8 locale: grep's
# -i then folds case by Unicode, as ripgrep's does). One thread: grep has no other mode.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = search ] || usage_error "'$command' has no equivalent in grep; it takes part in the search cases only"
search_flags -E
cd "$root"
export LC_ALL=C.UTF-8
timed found_or_not "$tool" -r -n --include='*.py' "${flags[@]}" -e "$pattern" .
