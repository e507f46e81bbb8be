#!/usr/bin/env bash
# The sync engine's soak: randomized convergence (tests' World, 10 rounds each) over new seeds until
# SECONDS (default 600) have passed, then a crash round. Not part of ./claimbench test.
#   workloads/sync_engine/tools/soak.sh [SECONDS] [FIRST_SEED]
# Builds sync_engine_test in the release preset if needed. A failure names the seed to rerun with.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
seconds="${1:-600}"
seed="${2:-1000}"
case "$seconds$seed" in *[!0-9]*) echo "soak.sh: error: SECONDS and FIRST_SEED are whole numbers" >&2; exit 2;; esac
build="$root/build/release"
[ -d "$build" ] || cmake --preset release -S "$root" >/dev/null
cmake --build "$build" --target sync_engine_test >/dev/null
test_bin="$build/workloads/sync_engine/sync_engine_test"
CLAIMBENCH_SYNC_SOAK_SECONDS="$seconds" CLAIMBENCH_SYNC_SOAK_SEED="$seed" \
  "$test_bin" --gtest_filter='Soak.*' --gtest_brief=1
"$test_bin" --gtest_filter='Crash.*' --gtest_repeat=3 --gtest_brief=1
