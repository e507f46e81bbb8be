#!/usr/bin/env bash
# rsync as a sync_engine peer (SPEC.md command line; see ../peer_common.sh). `sync` mirrors the local
# folder one way into STORE/tree with `rsync -a --delete` (no store format, no chunks, no dedup, nothing
# comes back from the store); `restore` copies STORE/tree out. Marks around the rsync process itself.
# `--fsync` becomes rsync's own --fsync (every written file synced; rsync >= 3.2.4).
set -euo pipefail
source "$(dirname "$0")/../../peer_support/peer_common.sh"

stats_file=$(mktemp)
trap 'rm -f "$stats_file"' EXIT
if [ "$command" = sync ]; then
  mkdir -p "$remote/tree"
  durability=()
  if [ "$fsync" = 1 ]; then durability=(--fsync); fi
  mark ready
  rsync -a --delete "${durability[@]}" --stats --no-human-readable "$local_dir/" "$remote/tree/" >"$stats_file"
  mark done
  peer_stats rsync "$stats_file" "$local_dir"
else
  [ -d "$remote/tree" ] || { echo "sync_engine: error: rsync: $remote has no tree/; sync into it first" >&2; exit 2; }
  mkdir -p "$out_dir"
  mark ready
  rsync -a "$remote/tree/" "$out_dir/"
  mark done
fi
