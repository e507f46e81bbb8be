#!/usr/bin/env bash
# restic as a sync_engine peer (SPEC.md command line; see ../peer_common.sh). `sync` is `restic backup` of
# the local folder into a restic repository at STORE (created by `restic init` first when missing, with a
# fixed password: a benchmark repository, not a secret); `restore` is `restic restore latest`. One way
# only: nothing comes back from the store into the folder. `--fsync` changes nothing: restic's local
# backend always syncs every file and folder it writes (since 0.13).
#
# Marks: restic cannot write them, so the wrapper reads restic's --json progress: `ready` at the first
# status line (the repository is open: key derived, index loaded, files being scanned), `done` at the
# summary line (the snapshot is saved). The statistics come from that summary.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/peer_common.sh"

export RESTIC_PASSWORD=claimbench-benchmark-repository
export RESTIC_CACHE_DIR="${remote%/}.restic-cache"  # beside the store, as a user's ~/.cache/restic would be
export RESTIC_PROGRESS_FPS=10

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$command" = sync ]; then
  if [ ! -f "$remote/config" ]; then
    restic init --repo "$remote" --quiet >&2
  fi
  cd "$local_dir"
  restic backup --repo "$remote" --json --host claimbench . 2>"$work/stderr" |
    follow_marks '*"message_type":"status"*' '*"message_type":"summary"*' "$work/summary" /dev/null || true
  status=${PIPESTATUS[0]}
  if [ "$status" != 0 ] || [ ! -s "$work/summary" ]; then
    echo "sync_engine: error: restic backup failed (status $status): $(tail -n 1 "$work/stderr")" >&2
    exit 1
  fi
  peer_stats restic "$work/summary" "$local_dir"
else
  [ -f "$remote/config" ] || { echo "sync_engine: error: restic: $remote is not a restic repository; sync into it first" >&2; exit 2; }
  mark ready
  restic restore latest --repo "$remote" --target "$out_dir" --quiet
  mark done
fi
