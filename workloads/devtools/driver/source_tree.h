// The generated Python source tree that the search and lint cases read: seeded, of a stated size, with
// lint findings planted at known places, so that the harness knows every answer without asking a tool.
//
// Design: the generator writes plain, idiomatic-looking modules (functions, classes, docstrings, comments)
// whose every line is clean under the six rules the linters share (SPEC.md, Lint) except where it plants a
// finding on purpose: an unused import (F401), an unused local (F841), an undefined name (F821), a
// comparison to None (E711), trailing whitespace (W291) and a line over 100 columns (E501). Every other line
// is at most 79 columns, so flake8's default limit finds only the planted long lines too. Search matches are
// not planted: the harness finds them itself by reading the tree (search_check.h), as it does for the
// Python standard library.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace claimbench::devtools_workload {

// One planted finding: `path` relative to the tree's root ("pkg_000/mod_003.py"), its 1-based line and the
// rule's pyflakes/pycodestyle code.
struct Finding {
  std::string path;
  int64_t line = 0;
  std::string rule;
  auto operator<=>(const Finding&) const = default;
};

struct SourceTreeSpec {
  uint64_t seed = 1;
  int64_t target_bytes = 0;  // modules are added until the tree holds at least this many bytes
};

struct SourceTree {
  std::filesystem::path root;  // holds pkg_NNN/ folders only: what the tools are pointed at
  int64_t files = 0;           // .py files, the packages' empty __init__.py included
  int64_t bytes = 0;
  int64_t lines = 0;
  std::vector<Finding> planted;  // sorted
};

// Writes the tree for `spec` into `dir` (which must not exist) and returns it. Deterministic: the same spec
// gives the same bytes on every machine. Throws SetupError when a file cannot be written.
SourceTree GenerateSourceTree(const SourceTreeSpec& spec, const std::filesystem::path& dir);

// The tree for `spec` under `cache_dir` (tree-v<generator version>-<seed>-<bytes>/), generated on first use
// into a temporary folder and renamed into place, so a run that is interrupted never leaves half a tree that
// a later run would take; read back (its manifest) when present. Throws SetupError when it cannot be written
// or read.
SourceTree LoadOrGenerateSourceTree(const SourceTreeSpec& spec, const std::filesystem::path& cache_dir);

}  // namespace claimbench::devtools_workload
