#!/bin/sh
# Prints the highest GOAMD64 level (v1..v4) this machine's CPU supports, from /proc/cpuinfo's flags: the
# Go side of "ports build for the native CPU too" (docs/implementation_rules.md, rule 7), since go build
# has no -march=native. The levels are the x86-64 psABI's, as Go documents them (go.dev/wiki/MinimumRequirements).
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has() { for flag in "$@"; do case " $flags " in *" $flag "*) ;; *) return 1 ;; esac; done; }
if has avx512f avx512bw avx512cd avx512dq avx512vl avx2 bmi1 bmi2 fma movbe abm f16c; then echo v4
elif has avx2 bmi1 bmi2 fma movbe abm f16c; then echo v3
elif has sse4_2 popcnt cx16 ssse3; then echo v2
else echo v1
fi
