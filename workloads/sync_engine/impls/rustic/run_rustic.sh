#!/usr/bin/env bash
# rustic (Rust: rustic-rs from crates.io, built by impl.toml's [build] into {out_dir}/bin/rustic, which
# impl.toml passes as RUSTIC_BIN) as a sync_engine peer (SPEC.md command line; see ../peer_common.sh).
# rustic reimplements restic's repository format, so this is run_restic.sh's job done by the Rust program:
# `sync` is `rustic backup` of the local folder into a repository at STORE (created by `rustic init` first
# when missing, with a fixed password: a benchmark repository, not a secret); `restore` is `rustic restore
# latest`. One way only: nothing comes back from the store into the folder. `--fsync` changes nothing:
# rustic's local backend fsyncs every file it writes, before renaming it into place (it does not fsync the
# folders, where restic does: README.md, Peers).
#
# Marks: rustic cannot write them, so the wrapper reads its output as it comes: `ready` at its log line
# "starting to backup" (repository open: key derived, index loaded, parent snapshot found; files are read
# next), `done` at the summary line of --json-progress (the snapshot is saved). The statistics come from
# that summary, whose fields are restic's.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/peer_common.sh"

rustic=${RUSTIC_BIN:-}
if [ -z "$rustic" ] || [ ! -x "$rustic" ]; then
  echo "sync_engine: error: rustic: RUSTIC_BIN='$rustic' is not a program; build it with" \
    "build/release/bin/claimbench-harness run --workload sync_engine --impl rustic (impl.toml [build])" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export RUSTIC_PASSWORD=claimbench-benchmark-repository
export RUSTIC_REPOSITORY=$remote
export RUSTIC_CACHE_DIR="${remote%/}.rustic-cache"  # beside the store, as a user's ~/.cache/rustic would be
export XDG_CONFIG_HOME=$work/config                   # no user's rustic.toml profile changes what it does
# Every snapshot names the same path whatever the folder's, so the next sync finds its parent (as restic's
# `backup .` does) and a restore writes the tree straight into --out.
snapshot_path=/claimbench

if [ "$command" = sync ]; then
  if [ ! -f "$remote/config" ]; then
    "$rustic" init --no-progress >"$work/init" 2>&1 ||
      { echo "sync_engine: error: rustic init failed: $(tail -n 1 "$work/init")" >&2; exit 1; }
  fi
  cd "$local_dir"
  # Its log (stderr) and its progress (stdout) in one stream: `ready` from the one, `done` from the other.
  set +e
  "$rustic" backup --json-progress --host claimbench --as-path "$snapshot_path" . 2>&1 |
    follow_marks '*starting to backup*' '*"message_type":"summary"*' "$work/summary" "$work/log"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" != 0 ] || [ ! -s "$work/summary" ]; then
    echo "sync_engine: error: rustic backup failed (status $status): $(tail -n 1 "$work/log" 2>/dev/null)" >&2
    exit 1
  fi
  peer_stats rustic "$work/summary" "$local_dir"
else
  [ -f "$remote/config" ] || { echo "sync_engine: error: rustic: $remote is not a rustic repository; sync into it first" >&2; exit 2; }
  mark ready
  "$rustic" restore --no-progress "latest:$snapshot_path" "$out_dir"
  mark done
fi
