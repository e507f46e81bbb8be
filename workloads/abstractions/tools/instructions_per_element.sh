#!/usr/bin/env bash
# Instructions per element of each kernel in each style (and the contrasts: C++'s --style function, Rust's
# --style dyn), counted by valgrind (cachegrind's I refs), which is deterministic where hardware counters are
# not available (this project's VM has none for `perf stat`).
# Each program runs twice, with 2 and with 6 passes over 65,536 elements; the difference divided by 4 passes
# and the elements is the kernel's own count, without start-up and input generation. Outside the suite
# runner: a diagnostic for the README, not a measurement of time.
#
# usage: workloads/abstractions/tools/instructions_per_element.sh   (from the repository root, after a build)
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cpp="$root/build/release/workloads/abstractions/impls/cpp/abstractions_cpp"
rust="$root/build/impls/abstractions/rust/target/release/abstractions"
for program in "$cpp" "$rust"; do
  [ -x "$program" ] || { echo "instructions_per_element: $program is missing; build it first" >&2; exit 2; }
done
command -v valgrind >/dev/null || { echo "instructions_per_element: valgrind is not installed" >&2; exit 2; }

elements=65536
instructions() {  # program style kernel passes -> I refs
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$1" --style "$2" "$3" \
    --elements "$elements" --passes "$4" --seed 1 2>&1 >/dev/null | awk '/I *refs:/ {gsub(",", "", $NF); print $NF}'
}

printf '%-20s %8s %8s %8s %8s %8s %8s\n' kernel cpp cpp_ranges rust rust_iter cpp_fn rust_dyn
for kernel in sum_even_squares dot_product filter_map_collect matvec word_lengths; do
  row=$(printf '%-20s' "$kernel")
  for pair in "$cpp loops" "$cpp ranges" "$rust loops" "$rust iter" "$cpp function" "$rust dyn"; do
    set -- $pair
    low=$(instructions "$1" "$2" "$kernel" 2)
    high=$(instructions "$1" "$2" "$kernel" 6)
    row+=$(awk -v a="$low" -v b="$high" -v n="$elements" 'BEGIN {printf " %8.2f", (b - a) / 4 / n}')
  done
  echo "$row"
done
