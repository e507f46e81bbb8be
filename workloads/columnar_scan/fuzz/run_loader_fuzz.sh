#!/usr/bin/env bash
# Builds the loader's libFuzzer target with clang (libFuzzer is clang-only) under AddressSanitizer and
# UndefinedBehaviorSanitizer, then fuzzes it for SECONDS (default 120) from a seed corpus of real
# manifests. Usage: workloads/columnar_scan/fuzz/run_loader_fuzz.sh [SECONDS]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../.." && pwd)
seconds=${1:-120}
clang=$(command -v clang++ || command -v clang++-14 || true)
[ -n "$clang" ] || { echo "loader_fuzz: clang++ not found; apt-get install clang-14" >&2; exit 2; }
out=${FUZZ_OUT:-/tmp/columnar_loader_fuzz}
mkdir -p "$out/corpus"
engine="$root/workloads/columnar_scan/engine"
"$clang" -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I"$engine" -I"$root/harness/include" \
  "$here/loader_fuzz.cc" "$engine"/{atomic_manifest,column_store,date,decimal,manifest,mapped_file,query,query_format,row_store,tbl_import,tpch_schema}.cc \
  -lfmt -ltbb -o "$out/loader_fuzz"
# Seeds: a valid manifest (mode 0) and a few directory shapes (mode 1).
printf '\x00{"format":"claimbench-columnar","version":1,"scale_factor":"1","generator":"g","tables":[{"name":"lineitem","rows":2,"columns":[{"name":"l_orderkey","type":"int64","files":[{"path":"lineitem/l_orderkey.bin","bytes":16,"checksum":"0123456789abcdef"}]}]}]}' > "$out/corpus/manifest"
printf '\x01\x01\x05\x03\x07AFNORx' > "$out/corpus/dir_good_offsets"
printf '\x01\x00\x09\x02\x04\xff\xff\xff\xff' > "$out/corpus/dir_raw_offsets"
"$out/loader_fuzz" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=30 -artifact_prefix="$out/" "$out/corpus"
