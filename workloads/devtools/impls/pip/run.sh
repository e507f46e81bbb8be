#!/usr/bin/env bash
# pip behind SPEC.md's install command: the fresh environment's own pip (pinned by the environment's set-up,
# SPEC.md, Install), run as `VENV/bin/python -m pip install` the way a user runs it after `python -m venv`,
# --isolated (no pip.conf, no PIP_* variables), offline from the wheel folder (--no-index --find-links), its
# cache in --cache DIR, quiet. pip's defaults otherwise: one package at a time, .pyc files compiled.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = install ] || usage_error "'$command' has no equivalent in pip; it takes part in the install cases only"
python="$venv/bin/python"
timed only_zero "$python" -m pip install --isolated --disable-pip-version-check -q --no-index --find-links "$wheels" \
  --cache-dir "$cache" -r "$requirements"
