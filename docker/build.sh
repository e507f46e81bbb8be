#!/usr/bin/env bash
# Builds the claimbench image (docker/Dockerfile) with Docker or Podman, whichever is installed and working.
#
#   docker/build.sh [--tag NAME] [--ref COMMIT]
#
# The image holds one commit (default HEAD), cloned into a scratch build context, so that its results'
# fingerprint names a real commit and a clean tree; uncommitted changes are left out, and the script says so.
# The base image is debian:12. When it is not already local and no registry can be reached, the script makes
# it from Debian's own packages: debootstrap bookworm into a scratch folder, then `docker|podman import` it as
# debian:12 (needs root and debootstrap). Podman runs with the runc runtime when runc is installed: crun fails
# on machines with a hybrid cgroup v1/v2 layout. Set CLAIMBENCH_CONTAINER_RUNTIME to choose another.
#
# Environment: CLAIMBENCH_ENGINE (docker|podman), CLAIMBENCH_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# CLAIMBENCH_BUILD_NETWORK (the build's network; default host, as apt, pip, cargo, go and Maven download
# during the build and a rootful engine's bridge is not always set up), CLAIMBENCH_EXTRA_CA_DIR (CA
# certificates the image trusts, for a TLS-inspecting proxy; default /usr/local/share/ca-certificates, the
# host's own additions; empty for none).
# Exit status: 0 built; 2 a set-up problem (no engine, no base image), with one line saying what to do; 1 the
# image build itself failed (its log names the step).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { echo "docker/build.sh: $*" >&2; }
die() { echo "docker/build.sh: error: $*" >&2; exit 2; }

tag=claimbench:latest
ref=HEAD
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || die "--tag needs a name (e.g. claimbench:latest)"; tag=$2; shift ;;
    --ref) [ $# -ge 2 ] || die "--ref needs a commit or branch"; ref=$2; shift ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see docker/build.sh --help)" ;;
  esac
  shift
done

# The engine (docker or podman) and its arguments: docker/engine.sh.
# shellcheck source=docker/engine.sh
. "$root/docker/engine.sh"

image_exists() {
  if [ "$engine" = podman ]; then podman image exists "$1"; else docker image inspect "$1" >/dev/null 2>&1; fi
}

# debian:12 from Debian's packages: the same release and mirror layout as the registry's image.
make_base_image() {
  local mirror=${CLAIMBENCH_DEBIAN_MIRROR:-http://deb.debian.org/debian} rootfs
  command -v debootstrap >/dev/null ||
    die "no debian:12 image and no registry reachable: install debootstrap (apt-get install debootstrap) so this script can make one, or load one (docker load)"
  [ "$(id -u)" -eq 0 ] || die "making debian:12 with debootstrap needs root: run docker/build.sh as root once (sudo), or load a debian:12 image"
  rootfs=$(mktemp -d /tmp/claimbench-debian12.XXXXXX)
  say "making debian:12 from $mirror with debootstrap (minbase, bookworm) in $rootfs; this takes a few minutes"
  if ! debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
    tail -5 "$rootfs.log" >&2
    rm -rf "$rootfs"
    die "debootstrap failed (log: $rootfs.log); check access to $mirror or set CLAIMBENCH_DEBIAN_MIRROR"
  fi
  # The registry image's package sources: the release, its updates and its security fixes.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | "$engine" import --change 'CMD ["bash"]' - debian:12 >/dev/null ||
    { rm -rf "$rootfs"; die "$engine import failed while making debian:12 (see above)"; }
  rm -rf "$rootfs" "$rootfs.log"
  say "made debian:12 locally from Debian's packages (debootstrap), not the registry's image"
}

if image_exists debian:12; then
  say "using the local debian:12 image"
elif timeout 60 "$engine" pull docker.io/library/debian:12 >/dev/null 2>&1; then
  [ "$engine" = docker ] || podman tag docker.io/library/debian:12 debian:12
  say "pulled debian:12 from Docker Hub"
else
  say "debian:12 is not local and Docker Hub cannot be reached"
  make_base_image
fi

# The build context: a clone of one commit, so the image's .git names exactly what it holds.
command -v git >/dev/null || die "git is needed to make the build context (apt-get install git)"
commit=$(git -C "$root" rev-parse --verify "$ref^{commit}" 2>/dev/null) || die "'$ref' is not a commit in $root"
if [ "$ref" = HEAD ] && [ -n "$(git -C "$root" status --porcelain --untracked-files=no)" ]; then
  say "warning: the worktree has uncommitted changes; the image holds commit ${commit:0:12} without them (commit first to include them)"
fi
context=$(mktemp -d /tmp/claimbench-context.XXXXXX)
trap 'rm -rf "$context"' EXIT
git clone --quiet --no-checkout "$root" "$context/claimbench" || die "git clone of $root failed"
git -C "$context/claimbench" checkout --quiet --detach "$commit" || die "cannot check out $commit in the build context"
git -C "$context/claimbench" remote remove origin

# The host's locally added CAs, for builds behind a TLS-inspecting proxy (docker/local-ca/README.md).
ca_dir=${CLAIMBENCH_EXTRA_CA_DIR-/usr/local/share/ca-certificates}
if [ -n "$ca_dir" ] && compgen -G "$ca_dir/*.crt" >/dev/null; then
  cp "$ca_dir"/*.crt "$context/claimbench/docker/local-ca/"
  say "the image will trust the host's extra CAs in $ca_dir: $(cd "$ca_dir" && echo *.crt) (CLAIMBENCH_EXTRA_CA_DIR= leaves them out)"
fi

network=${CLAIMBENCH_BUILD_NETWORK:-host}
say "building $tag from commit ${commit:0:12} with $engine${engine_args:+ ${engine_args[*]}} (network: $network); the first build installs every toolchain and compiles the suite: expect tens of minutes on 2 cores"
previous=$("$engine" image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
start=$(date +%s)
# --iidfile: the engine writes the image id only once the image exists (Podman exits 0 when interrupted).
"$engine" build "${engine_args[@]}" --network "$network" -f "$context/claimbench/docker/Dockerfile" \
  --label "org.opencontainers.image.revision=$commit" --iidfile "$context/image-id" -t "$tag" "$context/claimbench" &&
  [ -s "$context/image-id" ] ||
  { echo "docker/build.sh: the image build failed or was interrupted (the step's output is above); an interrupted Podman build leaves its working containers behind: podman ps -a --external lists them, podman rm -f removes them" >&2; exit 1; }
# The image this tag named before, now nameless: removed, as nothing else can use it (its layers that the new
# image shares stay).
if [ -n "$previous" ] && [ "$previous" != "$("$engine" image inspect --format '{{.Id}}' "$tag")" ]; then
  if "$engine" rmi "$previous" >/dev/null 2>&1; then say "removed the previous $tag (${previous:0:12})"; fi
fi
say "built $tag in $(( $(date +%s) - start )) s; run it with docker/run.sh (e.g. docker/run.sh run --workload null; see docker/README.md)"
