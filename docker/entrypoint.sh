#!/usr/bin/env bash
# The image's entry point: `./claimbench ARGS...` in /claimbench, with what it writes put in /out when a
# folder is mounted there:
#   run    gets --out /out (results in /out/results, reports in /out/reports) unless ARGS name --out;
#   test   copies its JUnit reports (build/test-reports) to /out/test-reports.
# Everything the command made in /out is then handed to the owner of /out, so a root container does not
# leave root-owned files in the host's folder. A first argument that is not a claimbench command (bash, sh)
# runs as it is. The exit status is the command's.
set -uo pipefail

# Fixed in the image; the environment overrides them only for docker/tests/test_entrypoint.py.
out=${CLAIMBENCH_CONTAINER_OUT:-/out}
cd "${CLAIMBENCH_CONTAINER_ROOT:-/claimbench}" || exit 2

case "${1:-}" in
  ""|-h|--help|help|run|test|list|exec|compare|env|latency|report|history|build|setup|fuzz) ;;
  *) exec "$@" ;;
esac

args=("$@")
if [ "${1:-}" = run ] && [ -d "$out" ]; then
  wants_out=1
  for arg in "${args[@]}"; do
    case "$arg" in --out|--out=*) wants_out=0 ;; --) break ;; esac
  done
  [ "$wants_out" = 0 ] || args+=(--out "$out")
fi

status=0
./claimbench "${args[@]}" || status=$?

if [ -d "$out" ]; then
  if [ "${1:-}" = test ] && [ -d build/test-reports ]; then
    rm -rf "$out/test-reports"
    cp -r build/test-reports "$out/test-reports"
  fi
  owner=$(stat -c %u:%g "$out")
  if [ "$owner" != "$(id -u):$(id -g)" ]; then
    find "$out" -xdev -user "$(id -u)" -exec chown -h "$owner" {} + 2>/dev/null ||
      echo "claimbench (container): warning: could not give the files in $out to $owner" >&2
  fi
fi
exit "$status"
