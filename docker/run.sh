#!/usr/bin/env bash
# Runs one claimbench command in the image that docker/build.sh made, with a host folder mounted on /out:
#
#   docker/run.sh [--out DIR] [--image TAG] [--privileged] COMMAND [ARGS...]
#   docker/run.sh run --workload null     results in DIR/results, the report in DIR/reports
#   docker/run.sh test                    JUnit files in DIR/test-reports
#   docker/run.sh bash                    a shell in /claimbench
#
# DIR defaults to ./claimbench-out (created, and left owned by you: see docker/entrypoint.sh). --privileged
# lets the harness make a cgroup per measured process (memory.peak, killing whole process trees), which
# engines otherwise forbid; it changes nothing else about the numbers. The same engine choice as build.sh
# (docker/engine.sh). Where the engine cannot raise the container's file and process limits (a host that is
# itself a container without CAP_SYS_RESOURCE: "error setting rlimit"), the container gets limits this
# shell already has instead, and the script says so.
# Environment: CLAIMBENCH_RUN_NETWORK (default host; none proves the image needs no network).
# Exit status: the command's; 2 for a set-up problem (no engine, no image), with one line saying what to do.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "docker/run.sh: $*" >&2; }
die() { echo "docker/run.sh: error: $*" >&2; exit 2; }

out=$PWD/claimbench-out
image=claimbench:latest
run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) [ $# -ge 2 ] || die "--out needs a folder"; out=$2; shift ;;
    --image) [ $# -ge 2 ] || die "--image needs a name (e.g. claimbench:latest)"; image=$2; shift ;;
    --privileged) run_args+=(--privileged) ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
  shift
done
[ $# -gt 0 ] || die "name a command: run, test, list, env, bash, ... (see docker/run.sh --help)"

# shellcheck source=docker/engine.sh
. "$root/docker/engine.sh"

"$engine" image inspect "$image" >/dev/null 2>&1 || die "no image $image: build it with docker/build.sh"
mkdir -p "$out" || die "cannot create $out"
out=$(cd "$out" && pwd)
# /dev/shm: engines give 64 MiB, which Chromium (the report test) and shared-memory workloads outgrow.
run_args+=(--rm --network "${CLAIMBENCH_RUN_NETWORK:-host}" --shm-size 1g -v "$out:/out")
[ ! -t 0 ] || [ ! -t 1 ] || run_args+=(-it)

# Probe once whether the engine can set its default limits; if not, give the container this shell's.
if ! probe=$("$engine" run "${engine_args[@]}" --rm "$image" true 2>&1); then
  if grep -q "error setting rlimit" <<<"$probe"; then
    # Podman lowers its own process limit to 32768 at most, and the container's may not exceed it.
    nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
    nofile=$(ulimit -Hn)
    run_args+=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
    say "$engine cannot raise the container's limits here (no CAP_SYS_RESOURCE): running with nofile=$nofile nproc=$nproc"
  else
    echo "$probe" >&2
    die "$engine cannot start a container from $image (see above)"
  fi
fi

exec "$engine" run "${engine_args[@]}" "${run_args[@]}" "$image" "$@"
