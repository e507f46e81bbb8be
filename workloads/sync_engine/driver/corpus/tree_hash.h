// The tree hash of SPEC.md (Tree hash): how the harness compares a folder with the corpus it came from,
// whatever the implementation's own hashes. Computed here, independently of every implementation.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace claimbench::sync_corpus {

// SHA-256 (lowercase hex) of the concatenation, over every regular file under `dir` except the engine's
// own `.claimsync/` at the top, sorted by relative path as bytes, of `<path>\0<size>\0<sha256 hex>\n`.
// Directories do not count; symlinks and special files are not regular files and are left out. Throws
// SetupError naming the file that cannot be read.
std::string TreeHash(const std::filesystem::path& dir);

// SHA-256 of `data`, lowercase hex.
std::string Sha256Hex(std::string_view data);

// SHA-256 of a whole file, lowercase hex. Throws SetupError when it cannot be read.
std::string FileSha256Hex(const std::filesystem::path& path);

}  // namespace claimbench::sync_corpus
