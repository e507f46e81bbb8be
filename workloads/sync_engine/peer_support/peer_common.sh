# Sourced by the peers' wrappers (restic/, rustic/, rsync/, borg/): parses SPEC.md's command line
#   sync    --local DIR --remote STORE [--hash H] [--min B] [--avg B] [--max B] [--threads N] [--replica NAME]
#           [--fsync]
#   restore --remote STORE --out DIR
# into command, local_dir, remote, out_dir, fsync (1 when --fsync was given), and defines mark
# (docs/implementation_protocol.md), follow_marks (the marks from a peer's progress) and peer_stats (the
# statistics line, through peer_stats.py). The chunking and hash options are accepted and ignored: each peer
# has its own chunker and hash (README.md, Peers). `chunk`, `verify` and `serve` have no
# equivalent in a peer: usage error (exit 2); impl.toml's `cases` keeps the harness from asking.

peer_dir=$(cd "$(dirname "$0")" && pwd)
support_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)  # peer_support/: this file and peer_stats.py
peer_name=$(basename "$peer_dir")
usage_error() { echo "sync_engine: error: $peer_name: $*" >&2; exit 2; }

command=${1:-}
[ $# -gt 0 ] && shift
case "$command" in
  sync | restore) ;;
  chunk | verify | serve) usage_error "'$command' has no equivalent in this peer; it takes part in the sync cases only" ;;
  *) usage_error "the commands are 'sync' and 'restore' (SPEC.md)" ;;
esac
local_dir="" remote="" out_dir="" fsync=0
while [ $# -gt 0 ]; do
  if [ "$1" = --fsync ]; then fsync=1; shift; continue; fi
  [ $# -ge 2 ] || usage_error "$1 needs a value"
  case "$1" in
    --local) local_dir=$2 ;;
    --remote) remote=$2 ;;
    --out) out_dir=$2 ;;
    --hash | --min | --avg | --max | --threads | --replica) ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift 2
done
[ -n "$remote" ] || usage_error "--remote STORE is required"
if [ "$command" = sync ]; then
  [ -n "$local_dir" ] || usage_error "--local DIR is required"
  [ -d "$local_dir" ] || usage_error "--local $local_dir is not a directory; create it or name another"
  local_dir=$(cd "$local_dir" && pwd)
else
  [ -n "$out_dir" ] || usage_error "--out DIR is required"
  if [ -e "$out_dir" ] && [ -n "$(ls -A "$out_dir")" ]; then usage_error "--out $out_dir exists and is not empty"; fi
fi

# One mark line, when the harness listens.
mark() {
  if [ -n "${CLAIMBENCH_MARK_FD:-}" ]; then printf '%s\n' "$1" >&"$CLAIMBENCH_MARK_FD"; fi
}

peer_stats() { python3 "$support_dir/peer_stats.py" "$@"; }

# follow_marks READY DONE DONE_FILE LOG_FILE: reads a peer's progress from stdin as it comes (run it at the
# end of the peer's pipe, so it runs beside the peer, not after it): `ready` at the first line matching the
# glob READY, `done` at the first line matching the glob DONE, which it also writes to DONE_FILE; every
# line is appended to LOG_FILE (for the error message when the peer fails).
follow_marks() {
  local ready=0 done=0 line
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$4"
    # READY and DONE unquoted: [[ == ]] matches them as globs.
    if [ "$ready" = 0 ] && [[ $line == $1 ]]; then mark ready; ready=1; fi
    if [ "$done" = 0 ] && [[ $line == $2 ]]; then mark done; done=1; printf '%s\n' "$line" >"$3"; fi
  done
}
