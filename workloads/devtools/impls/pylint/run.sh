#!/usr/bin/env bash
# pylint behind SPEC.md's lint command, from the tree's root, recursively, with an empty configuration file
# (none from the tree, its parents or the home folder), no score, one line per message in the linters'
# common shape (PATH:LINE:COL: CODE message) and its statistics kept in the run's folder (PYLINTHOME).
# Rules: `shared` enables only the six messages that match the rules ruff and flake8 share (SPEC.md, Lint)
# at 100 columns; `defaults` is pylint's own default set (every checker, 100 columns). Processes: pylint's
# default, -j 1.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = lint ] || usage_error "'$command' has no equivalent in pylint; it takes part in the lint cases only"
rcfile="$PWD/empty-pylintrc"
: >"$rcfile"
export PYLINTHOME="$PWD/pylint-home"
flags=(--rcfile "$rcfile" --recursive=y --score=n --persistent=n --msg-template '{path}:{line}:{column}: {msg_id} {msg}')
if [ "$rules" = shared ]; then
  flags+=(--disable=all --enable=unused-import,unused-variable,undefined-variable,singleton-comparison,trailing-whitespace,line-too-long
          --max-line-length=100)
fi
cd "$root"
timed pylint_status "$tool" "${flags[@]}" .
