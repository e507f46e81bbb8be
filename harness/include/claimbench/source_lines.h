// How much code an implementation is: the lines of its own source files, counted the same way for every
// language.
//
// Design: a line counts when it holds code: not blank, and not only a comment (`//` and `/* ... */` in
// C, C++, Rust, Go and Java; `#` in Python and shell). The counter reads lines, not tokens, so a comment
// marker inside a string literal is taken for a comment; that costs a line here and there, the same in
// every language, and keeps the rule short enough to state. Tests are counted apart (test_lines), by
// where the language keeps them: files named *_test.*, test_*.py or *Test.java, and folders named test,
// tests or testing. Tests inside a source file (Rust's #[cfg(test)] modules) stay in source_lines.
// Manifests, lock files, build scripts and documentation are not code and are not counted.
//
// Thread-safety: reads the files only; safe to call from several threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

namespace claimbench {

struct SourceCount {
  int64_t files = 0;       // source files that are not tests
  int64_t lines = 0;       // their lines of code
  int64_t test_files = 0;  // test files
  int64_t test_lines = 0;  // their lines of code
};

// The lines of code in `text`, a file whose name ends in `extension` (".rs", ".py", ...): see above.
// Unknown extensions count every non-blank line.
int64_t CountCodeLines(std::string_view text, std::string_view extension);

// True for a test file, by its path relative to the implementation's folder (see above).
bool IsTestSourcePath(const std::filesystem::path& relative);

// Counts every source file under `dir` (recursively, hidden folders skipped) whose extension is one of a
// programming language's: .c .cc .cpp .cxx .h .hh .hpp .rs .go .java .py .sh. A missing `dir` counts as
// empty. Throws SetupError naming the file when one cannot be read.
SourceCount CountSourceLines(const std::filesystem::path& dir);

}  // namespace claimbench
