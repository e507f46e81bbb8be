#!/usr/bin/env bash
# uv behind SPEC.md's install command: `uv pip install --python VENV/bin/python`, --no-config (no uv.toml or
# pyproject settings), offline from the wheel folder (--no-index --find-links), its cache in --cache DIR,
# quiet. uv's defaults otherwise: packages unpacked in parallel into its cache and hard-linked from there
# into the environment (same file system), no .pyc files compiled.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/tool_common.sh"
[ "$command" = install ] || usage_error "'$command' has no equivalent in uv; it takes part in the install cases only"
timed only_zero "$tool" pip install --no-config -q --python "$venv/bin/python" --no-index --find-links "$wheels" \
  --cache-dir "$cache" -r "$requirements"
