// The local side of a sync (SPEC.md, Batch sync): the scan of DIR against the base record in
// DIR/.claimsync/, and making DIR equal to the merged tree, crash-safely.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "chunker.h"
#include "hasher.h"
#include "store.h"
#include "tree.h"

namespace claimbench::sync {

// What the base remembers of a node as it was on disk after the last sync.
struct DiskRecord {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;
  bool operator==(const DiskRecord&) const = default;
};

struct BaseState {
  Tree tree;                                  // the tree agreed at the last successful sync
  std::map<std::string, DiskRecord> records;  // by node id
  // mtime of base.json itself: a record whose mtime is not older was written in the same clock tick as
  // the base and may hide a later edit of the same size ("racy" as in git), so its file is hashed again.
  std::int64_t saved_mtime_ns = 0;
};

// DIR/.claimsync/base.json; an empty state when it does not exist; CorruptError when unreadable.
BaseState LoadBase(const std::string& dir, std::size_t digest_hex);
void SaveBase(const std::string& dir, const BaseState& state);

struct ScanStats {
  std::uint64_t files_scanned = 0;
  std::uint64_t bytes_scanned = 0;
  std::uint64_t bytes_hashed = 0;
  std::uint64_t chunks_total = 0;
  std::uint64_t chunks_new = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t skipped = 0;
};

struct LocalScan {
  Tree tree;                                  // ids from the base where a node is recognised
  std::map<std::string, DiskRecord> records;  // as scanned, by id
};

// Scans DIR (skipping .claimsync/), recognises base nodes by inode then by path, hashes what changed
// (in parallel over `threads`), and stores every chunk of what it hashed in `store` (chunks before trees
// is what makes that safe).
LocalScan ScanLocal(const std::string& dir, const BaseState& base, Store& store, const Chunker& chunker,
                    int threads, bool rehash, const std::function<std::string()>& new_id, ScanStats& stats);

// Gives a node the folder has and the base lacks the id of the remote node at the same path when that one
// is new too and equal (same kind; for files, same content): a fresh replica of a synced tree, or a
// download a killed sync finished, is then the same node instead of a conflict to merge and fetch again.
void AdoptRemoteIds(LocalScan& scan, const Tree& base, const Tree& remote);

struct ApplyStats {
  std::uint64_t files_downloaded = 0;
  std::uint64_t bytes_downloaded = 0;
  std::uint64_t deleted_local = 0;
};

// Every file whose content `merged` has and the folder lacks, written to .claimsync/tmp/ from the store,
// each chunk checked (CorruptError otherwise): by id, the temporary file's path. Touches no user file, so
// it runs before the sync commits.
std::map<std::string, std::string> StageDownloads(const std::string& dir, const LocalScan& scan,
                                                  const Tree& merged, const Store& store, ApplyStats& stats);

// Makes DIR equal to `merged`, from the state `scan` saw, and returns the new base. Staged downloads are
// renamed into place; a file that changed since the scan is never replaced or removed (LocalChangedError).
// Moves go through .claimsync/tmp/ under a journal that lets the next sync put back what a crash left
// there (RecoverLocal).
BaseState ApplyLocal(const std::string& dir, const LocalScan& scan, const Tree& merged,
                     const std::map<std::string, std::string>& staged, const std::string& replica,
                     ApplyStats& stats);

// Puts back what a killed sync left staged in .claimsync/tmp/ and removes its temporary files.
void RecoverLocal(const std::string& dir, const std::string& replica);

}  // namespace claimbench::sync
