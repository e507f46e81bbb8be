#!/usr/bin/env bash
# BorgBackup as a sync_engine peer (SPEC.md command line; see ../peer_common.sh). `sync` is `borg create` of
# the local folder into a borg repository at STORE (created by `borg init --encryption=repokey-blake2` first
# when missing, with a fixed passphrase: a benchmark repository, not a secret); `restore` is `borg extract`
# of the newest archive. One way only, like restic. `--fsync` changes nothing: borg syncs every segment file
# and folder it writes.
#
# Marks: borg cannot write them, so the wrapper reads borg's --log-json progress on stderr: `ready` when
# the cache transaction has begun (repository open, key unlocked, chunk index loaded: files are scanned
# next), `done` when the cache commit has finished (the archive and the repository are committed). The
# statistics come from `borg create --json` and the repository's unique bytes before and after.
set -euo pipefail
source "$(dirname "$0")/../../peer_support/peer_common.sh"

export BORG_PASSPHRASE=claimbench-benchmark-repository
export BORG_BASE_DIR="${remote%/}.borg-home"  # cache, keys' security records: beside the store, as ~ would be
export BORG_RELOCATED_REPO_ACCESS_IS_OK=yes    # the harness may move a store between repetitions
export BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=no

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The repository's unique (deduplicated, uncompressed) bytes and chunks: borg info --json.
repository_totals() { borg info --json "$remote" | python3 "$support_dir/peer_stats.py" borg-totals /dev/stdin; }

if [ "$command" = sync ]; then
  if [ ! -f "$remote/config" ]; then
    borg init --encryption=repokey-blake2 "$remote" 2>"$work/stderr" >&2 ||
      { echo "sync_engine: error: borg init failed: $(tail -n 1 "$work/stderr")" >&2; exit 1; }
  fi
  repository_totals >"$work/before"
  cd "$local_dir"
  set +e
  borg create --json --log-json --progress "$remote::{now:%Y-%m-%dT%H:%M:%S.%f}" . 2>&1 >"$work/create.json" |
    follow_marks '*"msgid": "cache.begin_transaction"*"finished": true*' '*"msgid": "cache.commit"*"finished": true*' \
      /dev/null "$work/stderr"
  status=${PIPESTATUS[0]}
  set -e
  if [ "$status" != 0 ] || [ ! -s "$work/create.json" ]; then
    echo "sync_engine: error: borg create failed (status $status): $(tail -n 1 "$work/stderr")" >&2
    exit 1
  fi
  repository_totals >"$work/after"
  peer_stats borg "$work/create.json" "$local_dir" "$work/before" "$work/after"
else
  [ -f "$remote/config" ] || { echo "sync_engine: error: borg: $remote is not a borg repository; sync into it first" >&2; exit 2; }
  archive=$(borg list --short --last 1 "$remote")
  [ -n "$archive" ] || { echo "sync_engine: error: borg: $remote has no archive; sync into it first" >&2; exit 2; }
  mkdir -p "$out_dir"
  cd "$out_dir"
  mark ready
  borg extract "$remote::$archive"
  mark done
fi
