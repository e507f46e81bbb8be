// The sync_engine corpus: a seeded tree of files (version v0) and a next version (v1) made from it by the
// edits a sync engine meets, with what a correct engine must report on each, so the harness can verify
// an engine's statistics and its dedup ratio, not only its restored tree.
//
// Content: every byte comes from a counter-based generator (stream, offset) -> byte, so a file is a list
// of segments (stream, offset, length). A fresh segment takes a new stream; copying a segment copies its
// content. The distinct content of a version is then the union of its segments' stream intervals: the
// expected unique bytes, known exactly. Duplication is controlled:
//   - exact duplicates: a file with the same segments as an earlier one (CDC cuts it identically: no slack);
//   - shared prefixes: a file made of an earlier file's first part and fresh bytes. Chunks ending inside
//     the prefix are the earlier file's chunks (a content-defined cut at p depends only on bytes before p),
//     so CDC loses less than one maximal chunk there: one *strict edge*.
// v1 edits: an insert or a delete inside a file keeps the part before it (a strict edge) and shifts the
// part after it, which CDC finds again once the chunker cuts where it cut before (a *resync edge*: within
// two maximal chunks for random content, not a hard guarantee); an append is a strict edge; new files
// are fresh; deletes, renames and moves add no content.
// So for chunks at most `max` bytes, a store must take between unique and
// unique + max * strict_edges + 2 * max * resync_edges new bytes (README.md, Corpus).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace claimbench::sync_corpus {

struct CorpusOptions {
  uint64_t seed = 1;
  int64_t target_bytes = 32 << 20;  // v0's logical size, approximately (the last file may overshoot)
};

// What the generator knows about one version's tree.
struct VersionSummary {
  int64_t files = 0;
  int64_t logical_bytes = 0;  // sum of file sizes
  int64_t unique_bytes = 0;   // distinct content: a store of this version alone holds at least this much
  int64_t strict_edges = 0;   // CDC dedup slack of v0 stored alone (see above); 0 for v1, not computed
  std::string tree_hash;      // SPEC.md's tree hash of the version's folder
};

// One step from v0 to v1, applied in order: every rename, then every delete, then every write (the new
// content is v1's file at `path`). A rename keeps the file (same inode), as a user's `mv` does.
struct Operation {
  enum class Kind { kRename, kDelete, kWrite };
  Kind kind = Kind::kWrite;
  std::string path;  // relative, '/'-separated; the destination of a rename
  std::string from;  // renames only
};

struct CorpusManifest {
  uint64_t seed = 0;
  int64_t target_bytes = 0;
  VersionSummary v0, v1;
  std::vector<Operation> operations;
  // Syncing v1 into a store that holds v0:
  int64_t incremental_new_bytes = 0;      // content in v1 the store does not have yet
  int64_t incremental_strict_edges = 0;
  int64_t incremental_resync_edges = 0;
  int64_t incremental_written_bytes = 0;  // bytes of the files v1 writes (edited and new): read at least once
};

// Writes out_dir/v0, out_dir/v1 and, last, out_dir/manifest.json (atomically), replacing what was there.
// Same options, same trees, byte for byte. Throws SetupError when the disk refuses.
CorpusManifest GenerateCorpus(const CorpusOptions& options, const std::filesystem::path& out_dir);

// The manifest of a complete corpus in out_dir generated with `options`, if there is one; otherwise
// generates it. For caches: a corpus is complete once its manifest exists.
CorpusManifest LoadOrGenerateCorpus(const CorpusOptions& options, const std::filesystem::path& out_dir);

// Reads out_dir/manifest.json. Throws SetupError naming the file when it is missing or malformed.
CorpusManifest ReadManifest(const std::filesystem::path& manifest_path);

// Writes `bytes` bytes of seeded random content (one fresh stream) to `path`: the chunk cases' input.
void WriteRandomFile(const std::filesystem::path& path, uint64_t seed, int64_t bytes);

// Applies the manifest's operations to `dir` (a copy of v0), taking written content from `v1_dir`.
// Throws SetupError naming the step that failed.
void ApplyOperations(const CorpusManifest& manifest, const std::filesystem::path& v1_dir,
                     const std::filesystem::path& dir);

}  // namespace claimbench::sync_corpus
