#!/usr/bin/env bash
# Installs what claimbench needs and is missing, and nothing that is already current:
#   1. the Debian packages in setup/debian-packages.txt (dpkg-query decides what is missing);
#   2. the project's Python environment .venv from setup/python-requirements.txt (a stamp holding the
#      file's hash decides whether it is current);
#   3. the side packages in setup/python-side-packages.txt, each in its own folder .venv/side/<name>
#      (a stamp holding its requirement decides whether it is current);
#   4. the devtools workload's measured Python tools and its wheels (setup/install-devtools.sh).
# Extra package lists (a workload's peers) can be named as arguments: setup/install.sh setup/peers.txt
# Exit status 2 with one line saying what to do when something cannot be installed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lists=("$root/setup/debian-packages.txt" "$@")

say() { echo "claimbench setup: $*" >&2; }
die() { echo "claimbench: error: $*" >&2; exit 2; }

wanted=()
for list in "${lists[@]}"; do
  [ -f "$list" ] || die "package list $list does not exist"
  while read -r line; do
    line=${line%%#*}
    line=$(echo "$line" | xargs)
    [ -n "$line" ] && wanted+=("$line")
  done < "$list"
done

missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}; run as root, or: sudo apt-get install ${missing[*]}"
  fi
  command -v apt-get >/dev/null || die "apt-get not found: claimbench's set-up supports Debian 12; install ${missing[*]} by hand"
  say "installing ${#missing[@]} Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when they are missing or older than a day.
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq || die "apt-get update failed; check the network and /etc/apt/sources.list"
  fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/claimbench-apt.log 2>&1 \
    || { tail -20 /tmp/claimbench-apt.log >&2; die "apt-get install failed (log: /tmp/claimbench-apt.log)"; }
fi

venv="$root/.venv"
requirements="$root/setup/python-requirements.txt"
stamp="$venv/.claimbench-requirements.sha256"
want_hash=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want_hash" ]; then
  say "creating the Python environment in .venv"
  # Debian's interpreter, not whatever python3 is first on PATH, so every machine gets the same one.
  /usr/bin/python3 -m venv "$venv" || die "cannot create $venv; is python3-venv installed?"
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" \
    || die "pip install -r setup/python-requirements.txt failed; check access to PyPI"
  echo "$want_hash" > "$stamp"
fi

# Side packages: a second version of a package .venv already pins (HF tokenizers 1.0 beside 0.23), each in
# its own folder that only the implementation needing it puts on PYTHONPATH. No dependencies: the folder
# holds that package alone, and everything else comes from .venv.
while read -r name requirement; do
  side="$venv/side/$name"
  if [ "$(cat "$side/.claimbench-requirement" 2>/dev/null)" != "$requirement" ]; then
    say "installing $requirement into .venv/side/$name"
    rm -rf "$side"
    "$venv/bin/python" -m pip install -q --disable-pip-version-check --no-deps --target "$side" "$requirement" \
      || die "pip install $requirement failed; check access to PyPI"
    echo "$requirement" > "$side/.claimbench-requirement"
  fi
done < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$root/setup/python-side-packages.txt")

# The devtools workload's measured Python tools (.venv/devtools) and its install cases' wheels.
"$root/setup/install-devtools.sh"
