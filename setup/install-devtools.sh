#!/usr/bin/env bash
# The devtools workload's set-up (workloads/devtools/SPEC.md), run by setup/install.sh after .venv exists:
#   1. .venv/devtools: a virtual environment of Debian's python3 holding the measured Python tools pinned in
#      setup/devtools-requirements.txt (flake8, pylint, uv, pip); a stamp holding the file's hash and the
#      environment's path decides whether it is current;
#   2. .cache/devtools/wheels: the wheels the install cases install, offline (every pin of
#      workloads/devtools/data/install-*.txt and venv-pip.txt, binary wheels for this machine's Python, no
#      dependencies beyond the pins); the network is used here, never in a measured run. Present wheels are
#      not downloaded again.
# Exit status 2 with one line saying what to do when something cannot be installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "claimbench setup: $*" >&2; }
die() { echo "claimbench: error: $*" >&2; exit 2; }

tools="$root/.venv/devtools"
requirements="$root/setup/devtools-requirements.txt"
stamp="$tools/.claimbench-requirements.sha256"
# The hash covers the environment's own path too: a virtual environment is not relocatable (its scripts'
# shebangs name the path it was made at), so one made through another checkout's path is made again.
want_hash=$({ cat "$requirements"; echo "$tools"; } | sha256sum | cut -d' ' -f1)
if [ ! -x "$tools/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want_hash" ]; then
  say "creating the devtools workload's tool environment in .venv/devtools"
  rm -rf "$tools"
  /usr/bin/python3 -m venv "$tools" || die "cannot create $tools; is python3-venv installed?"
  "$tools/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" \
    || die "pip install -r setup/devtools-requirements.txt failed; check access to PyPI"
  echo "$want_hash" > "$stamp"
fi

wheels="$root/.cache/devtools/wheels"
mkdir -p "$wheels"
# NAME==VERSION with the name normalised (lower case, runs of - _ . as _), for the pins and for the wheels
# present (a wheel's file name starts NAME-VERSION-).
normalise() { awk -F'==' '{ name = tolower($1); gsub(/[-_.]+/, "_", name); print name "==" $2 }' | sort -u; }
want=$(cat "$root"/workloads/devtools/data/install-*.txt "$root/workloads/devtools/data/venv-pip.txt" \
  | sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' | normalise)
have=$(find "$wheels" -maxdepth 1 -name '*.whl' -printf '%f\n' | awk -F- '{ print $1 "==" $2 }' | normalise)
mapfile -t missing < <(comm -23 <(echo "$want") <(echo "$have") | sed '/^$/d')
if [ ${#missing[@]} -gt 0 ]; then
  say "downloading ${#missing[@]} wheels for the devtools install cases into .cache/devtools/wheels"
  "$tools/bin/python" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$wheels" "${missing[@]}" || die "pip download of the devtools wheels failed; check access to PyPI"
fi
