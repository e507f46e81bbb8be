#!/bin/sh
# Builds one C++ reference target in another CMake preset's tree, build/<PRESET>: the build command of the
# implementations that run a reference built differently (cpp_hardened, cpp_libcxx, cpp_libcxx_hardened,
# cpp_asan; their impl.toml). Configures the tree the first time (as ./claimbench build does), then lets ninja
# rebuild only what changed, so a current build costs a second. Usage: build_reference_variant.sh PRESET TARGET
# (e.g. hardened tokenizer_cpp); exit 2 on a usage error, the failing step's status otherwise.
set -eu
if [ $# -ne 2 ]; then
  echo "usage: $0 PRESET TARGET (a preset of CMakePresets.json and a CMake target, e.g. hardened null_cpp)" >&2
  exit 2
fi
preset=$1
target=$2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -f "build/$preset/build.ninja" ]; then
  echo "configuring build/$preset (cmake --preset $preset)"
  cmake --preset "$preset"
fi
cmake --build "build/$preset" --target "$target"
