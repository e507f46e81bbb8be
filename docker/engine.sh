# Sourced by docker/build.sh and docker/run.sh: picks the container engine and the arguments it needs here.
#   engine        docker when its daemon answers, else podman (which needs none); CLAIMBENCH_ENGINE overrides
#   engine_args   for podman: --runtime runc when runc is installed (crun fails on hybrid cgroup v1/v2
#                 machines); CLAIMBENCH_CONTAINER_RUNTIME names another runtime
# Calls die (defined by the caller) with what to install when there is no engine.

engine=${CLAIMBENCH_ENGINE:-}
if [ -z "$engine" ]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    engine=docker
  elif command -v podman >/dev/null; then
    engine=podman
  elif command -v docker >/dev/null; then
    die "docker is installed but its daemon does not answer (docker info fails): start it (systemctl start docker), or install Podman (apt-get install podman runc)"
  else
    die "neither Docker nor Podman is installed: install one (Debian: apt-get install podman runc)"
  fi
fi
command -v "$engine" >/dev/null || die "CLAIMBENCH_ENGINE=$engine is not installed"

engine_args=()
if [ "$engine" = podman ]; then
  runtime=${CLAIMBENCH_CONTAINER_RUNTIME:-}
  if [ -z "$runtime" ] && command -v runc >/dev/null; then runtime=runc; fi
  [ -z "$runtime" ] || engine_args+=(--runtime "$runtime")
fi
