# Sourced by the peers' wrappers (nginx/, haproxy/): parses the SPEC's command line
#   serve --listen HOST:PORT --upstream HOST:PORT [--upstream ...] [--threads N]
# into listen_host, listen_port, upstreams (an array of HOST:PORT) and threads, and defines
# mark_ready_when_listening, which writes the `ready` mark once the port accepts connections: a peer
# cannot write marks itself, so a background poller does it for it (docs/implementation_protocol.md).
# Timeout options of the C++ proxy are accepted and ignored: the peers' configs state the same values.

usage_error() { echo "$(basename "$0"): $*" >&2; exit 2; }

[ "${1:-}" = serve ] || usage_error "the only command is 'serve'"
shift
listen_host="" listen_port="" threads=1 upstreams=()
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || usage_error "$1 needs a value"
  case "$1" in
    --listen) listen_host=${2%:*}; listen_port=${2##*:} ;;
    --upstream) upstreams+=("$2") ;;
    --threads) threads=$2 ;;
    --*-timeout-ms) ;;
    *) usage_error "unknown option '$1'" ;;
  esac
  shift 2
done
[ -n "$listen_port" ] || usage_error "--listen HOST:PORT is required"
[ ${#upstreams[@]} -gt 0 ] || usage_error "at least one --upstream HOST:PORT is required"

# Polls the listening port from a background subshell (10 ms steps, 30 s at most), then marks ready.
# The wrapper then execs the peer, so the poller is the only extra process, and only until ready.
mark_ready_when_listening() {
  [ -n "${CLAIMBENCH_MARK_FD:-}" ] || return 0
  (
    for _ in $(seq 3000); do
      if (exec 9<>"/dev/tcp/$listen_host/$listen_port") 2>/dev/null; then
        echo ready >&"$CLAIMBENCH_MARK_FD"
        exit 0
      fi
      sleep 0.01
    done
  ) &
}
