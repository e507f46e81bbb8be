// The batch commands of SPEC.md: sync, restore, verify. Each throws UsageError (exit 2), CorruptError
// (exit 3) or LocalChangedError (exit 4); the CLI turns them into one line on stderr.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "chunker.h"
#include "hasher.h"
#include "store.h"

namespace claimbench::sync {

struct SyncOptions {
  std::string local;
  std::string remote;
  HashKind hash = HashKind::kSha256;
  bool hash_given = false;  // a new store takes `hash`; an existing one must match it only when given
  ChunkParams chunking;
  int threads = 1;
  std::string replica;  // empty: the local folder's name
  bool rehash = false;
  bool fsync = false;  // store objects on stable storage before HEAD names them (power-loss safety)
};

struct SyncStats {
  std::uint64_t files_scanned = 0;
  std::uint64_t bytes_scanned = 0;
  std::uint64_t bytes_hashed = 0;
  std::uint64_t chunks_total = 0;
  std::uint64_t chunks_new = 0;
  std::uint64_t chunks_deduplicated = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t bytes_downloaded = 0;
  std::uint64_t files_uploaded = 0;
  std::uint64_t files_downloaded = 0;
  std::uint64_t deleted_local = 0;
  std::uint64_t deleted_remote = 0;
  std::uint64_t moved = 0;
  std::uint64_t conflicts = 0;
  std::uint64_t skipped = 0;
  std::string tree_hash;
};

// One JSON object on one line, keys in SPEC.md's order.
std::string StatsToJson(const SyncStats& stats);

// `on_ready` runs once the arguments are checked and the store is opened and locked; `on_done` when the
// sync is committed and the folder written (the marks of SPEC.md). tree_hash is filled after on_done.
SyncStats RunSync(const SyncOptions& options, const std::function<void()>& on_ready,
                  const std::function<void()>& on_done);

// Writes the store's tree into `out` (missing or empty), checking every chunk; on corruption removes what
// it wrote and throws CorruptError. Returns the number of files written.
std::uint64_t RunRestore(const std::string& remote, const std::string& out,
                         const std::function<void()>& on_ready, const std::function<void()>& on_done);

VerifyReport RunVerify(const std::string& remote);

}  // namespace claimbench::sync
