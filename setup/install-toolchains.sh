#!/usr/bin/env bash
# Installs the toolchains the ports need (pinned in setup/toolchains.txt) and their dependencies, and
# nothing that is already current:
#   Rust   the pinned release through rustup (rust-toolchain.toml selects it in each Rust port);
#   Go     the machine's go when it is the pinned version or newer, else the pinned toolchain from the Go
#          module proxy into .toolchains/go<version> (by `go` itself through GOTOOLCHAIN when some go >= 1.21
#          is installed, else by setup/fetch_go_toolchain.py, checked against the pinned hash);
#   Java   a JDK >= 17 and Maven from Debian's packages when missing or too old (as root);
# then fetches each port's dependencies once per lock file (cargo fetch, go mod download, and one offline-
# ready Maven resolve), so that builds and the measured build times never touch the network.
# Programs installed into the project are linked into .toolchains/bin, which ./claimbench and the harness put
# first on PATH. A toolchain that cannot be had is a warning, not an error: the ports that need it are then
# unavailable, and `./claimbench list` says why and what to install. Exit status 2 only for a broken pin file.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pins="$root/setup/toolchains.txt"
tools="$root/.toolchains"
bin="$tools/bin"
stamps="$tools/stamps"
log="$tools/install.log"

say() { echo "claimbench setup: $*" >&2; }
warn() { echo "claimbench setup: warning: $*" >&2; }

pin() {
  local value
  value=$(awk -v name="$1" '$1 == name { print $2; exit }' "$pins")
  [ -n "$value" ] || { echo "claimbench: error: $pins has no pin for '$1'" >&2; exit 2; }
  echo "$value"
}

# The first dotted version number in stdin ("go1.26.8" -> 1.26.8), else the first number.
version_of() { grep -oE '[0-9]+(\.[0-9]+)+|[0-9]+' | head -1; }

# version_at_least HAVE WANT: true when HAVE >= WANT, comparing dotted numbers.
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# A stamp names what was last done successfully: current() is true when STAMP holds VALUE.
current() { [ "$(cat "$stamps/$1" 2>/dev/null)" = "$2" ]; }
stamp() { echo "$2" > "$stamps/$1"; }

mkdir -p "$bin" "$stamps"
export PATH="$bin:$PATH"
: > "$log"

install_rust() {
  local want host home sysroot
  want=$(pin rust)
  if ! command -v rustup >/dev/null; then
    if command -v cargo >/dev/null && [ "$(rustc --version 2>/dev/null | version_of)" = "$want" ]; then
      return 0  # a plain Rust install of exactly the pinned release (no rustup to honour rust-toolchain.toml)
    fi
    # rustup-init itself from static.rust-lang.org, the host the toolchains come from, checked against its
    # published SHA-256 (sh.rustup.rs only serves a script that fetches this same file, and some networks
    # reach static.rust-lang.org alone).
    local init_url="https://static.rust-lang.org/rustup/dist/$(uname -m)-unknown-linux-gnu/rustup-init" init_sha
    say "installing rustup and Rust $want (rustup-init from static.rust-lang.org)"
    if curl --proto '=https' --tlsv1.2 -sSf "$init_url" -o "$tools/rustup-init" 2>>"$log" &&
       init_sha=$(curl --proto '=https' --tlsv1.2 -sSf "$init_url.sha256" 2>>"$log" | cut -c1-64) &&
       { [ "$(sha256sum "$tools/rustup-init" | cut -c1-64)" = "$init_sha" ] ||
           { echo "rustup-init does not match its published SHA-256 $init_sha" >>"$log"; false; }; } &&
       chmod +x "$tools/rustup-init" &&
       "$tools/rustup-init" -y --no-modify-path --profile minimal --default-toolchain "$want" \
         -c rustfmt -c clippy >>"$log" 2>&1; then
      rm -f "$tools/rustup-init"
      for program in rustup cargo rustc rustfmt cargo-fmt cargo-clippy clippy-driver; do
        ln -sf "${CARGO_HOME:-$HOME/.cargo}/bin/$program" "$bin/$program"
      done
    else
      warn "could not install rustup (log: $log): the Rust ports are unavailable until Rust $want is installed"
    fi
    return 0
  fi
  RUSTUP_AUTO_INSTALL=0 rustup run "$want" rustc --version >/dev/null 2>&1 && return 0
  # rustup may hold the very same release under another name (a machine image's "stable"): give it the
  # pinned name rather than download the same compiler again. rustup refuses release names for
  # `rustup toolchain link`, hence the link in its toolchains folder, which is where rustup keeps releases.
  host=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p')
  home=${RUSTUP_HOME:-$HOME/.rustup}
  if [ "$(RUSTUP_AUTO_INSTALL=0 rustup run stable rustc --version 2>/dev/null | version_of)" = "$want" ] && [ -n "$host" ]; then
    sysroot=$(RUSTUP_AUTO_INSTALL=0 rustup run stable rustc --print sysroot)
    ln -sfn "$sysroot" "$home/toolchains/$want-$host" && say "Rust $want: rustup's stable is that release; named it $want" && return 0
  fi
  say "installing Rust $want with rustup"
  rustup toolchain install "$want" --profile minimal --component rustfmt --component clippy >>"$log" 2>&1 ||
    warn "rustup could not install Rust $want (log: $log; its download host may be unreachable): the Rust ports are unavailable"
}

install_go() {
  local want have dir goroot
  want=$(pin go)
  have=$(GOTOOLCHAIN=local go version 2>/dev/null | version_of)
  if [ -n "$have" ] && version_at_least "$have" "$want"; then return 0; fi
  dir="$tools/go$want"
  if [ ! -x "$dir/bin/go" ]; then
    say "installing Go $want from the Go module proxy into .toolchains/go$want (this machine has ${have:-no go})"
    if [ -n "$have" ] && version_at_least "$have" 1.21; then
      # go fetches golang.org/toolchain itself and checks it against the checksum database.
      if goroot=$(GOTOOLCHAIN="go$want" GOFLAGS= go env GOROOT 2>>"$log") && [ -x "$goroot/bin/go" ]; then
        ln -sfn "$goroot" "$dir"
      fi
    else
      python3 "$root/setup/fetch_go_toolchain.py" "$want" "$(pin go-linux-amd64-h1)" "$dir" 2>>"$log" || true
    fi
  fi
  if [ -x "$dir/bin/go" ]; then
    ln -sf "$dir/bin/go" "$bin/go"
    ln -sf "$dir/bin/gofmt" "$bin/gofmt"
  else
    warn "could not install Go $want (log: $log): the Go ports are unavailable"
  fi
}

install_java() {
  local java_want maven_want missing=()
  java_want=$(pin java)
  maven_want=$(pin maven)
  command -v javac >/dev/null && version_at_least "$(javac -version 2>&1 | version_of)" "$java_want" ||
    missing+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null && version_at_least "$(mvn -v 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | version_of)" "$maven_want" ||
    missing+=(maven)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    warn "the Java ports need ${missing[*]} (Debian packages): install them (sudo apt-get install ${missing[*]})"
    return 0
  fi
  say "installing ${missing[*]} (Debian packages)"
  if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null | head -1)" ]; then
    apt-get update -qq >>"$log" 2>&1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
    warn "apt-get install ${missing[*]} failed (log: $log): the Java ports are unavailable"
}

# Each port's dependencies, fetched once per lock file and toolchain, so that builds can run offline.
fetch_dependencies() {
  local dir key out
  for dir in "$root"/workloads/*/impls/*/; do
    dir=${dir%/}
    key=$(echo "${dir#"$root"/workloads/}" | tr / -)
    if [ -f "$dir/Cargo.lock" ] && command -v cargo >/dev/null; then
      current "$key" "$(sha256sum "$dir/Cargo.lock" | cut -c1-64)" ||
        { (cd "$dir" && RUSTUP_AUTO_INSTALL=0 cargo fetch --locked --quiet >>"$log" 2>&1) &&
            stamp "$key" "$(sha256sum "$dir/Cargo.lock" | cut -c1-64)" ||
            warn "cargo fetch failed in ${dir#"$root"/} (log: $log)"; }
    fi
    if [ -f "$dir/go.sum" ] && command -v go >/dev/null; then
      current "$key" "$(sha256sum "$dir/go.sum" | cut -c1-64)" ||
        { (cd "$dir" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly go mod download >>"$log" 2>&1) &&
            stamp "$key" "$(sha256sum "$dir/go.sum" | cut -c1-64)" ||
            warn "go mod download failed in ${dir#"$root"/} (log: $log)"; }
    fi
    if [ -f "$dir/pom.xml" ] && command -v mvn >/dev/null; then
      # Maven resolves some artifacts only when they run (Surefire's JUnit provider and launcher, once a test
      # runs), so the first resolve is a whole build with its tests, into a scratch folder; a failing test does
      # not matter here (./claimbench test reports it).
      current "$key" "$(sha256sum "$dir/pom.xml" | cut -c1-64)" || {
        say "resolving ${dir#"$root"/}'s Maven plugins and dependencies (once)"
        out=$(mktemp -d)
        (cd "$dir" && mvn -B -q -Dclaimbench.outDir="$out" -Dmaven.test.failure.ignore=true verify >>"$log" 2>&1) && stamp "$key" "$(sha256sum "$dir/pom.xml" | cut -c1-64)" ||
          warn "the Maven resolve failed in ${dir#"$root"/} (log: $log): its builds run offline and will fail"
        rm -rf "$out"
      }
    fi
  done
}

install_rust
install_go
install_java
fetch_dependencies
exit 0
