// The remote store, format version 4 (SPEC.md): format, packs/<hex>, index/<hex>, trees/<hex>, HEAD, lock.
//
// Chunks are appended, in upload order, to the open pack, a temporary file in packs/; a pack reaching the
// pack target (16 MiB) is taken out and finished, outside the mutex, by the thread whose chunk filled it:
// renamed to packs/<hash of its index> and then its index written (index/<same hex>: one "<chunk>
// <offset> <length>" line per chunk). Every index is loaded at Open into a map chunk -> (pack, offset,
// length), which answers dedup lookups without touching the disk.
//
// Writes: every object goes to a temporary name (".tmp-<pid>-<n>") in its final directory and is renamed
// into place: a pack before its index, packs and indexes before the trees that reference their chunks
// (PutTree writes the open pack first) and trees before HEAD. fsync policy (`sync --fsync`, Open's `durable`):
// when durable, every object and then its directory are fsync'ed before the next step, so a power loss
// cannot leave HEAD naming what is not on disk. Without it nothing is fsync'ed: a killed process
// (SIGKILL, the crash SPEC.md requires surviving) cannot lose data the kernel already has, and the rename
// order keeps readers consistent.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "hasher.h"
#include "tree.h"

namespace claimbench::sync {

struct VerifyReport {
  std::uint64_t chunks = 0;
  std::uint64_t manifests = 0;
  std::uint64_t bytes = 0;
  std::vector<std::string> problems;  // "packs/ab12...: chunk cd34...: hash mismatch"
};

class Store {
 public:
  // Opens STORE. When `create` is set, a missing or empty directory becomes a new store of `kind`.
  // `kind`, when given, must equal the store's (else UsageError). Throws UsageError when the directory is
  // not a store, CorruptError for a bad format line. `durable`: fsync every object this Store writes, and
  // its directory, before the next step (power-loss safety; `sync --fsync`).
  static Store Open(const std::string& dir, bool create, std::optional<HashKind> kind, bool durable = false);

  Store(Store&&) noexcept;
  ~Store();

  // flock(LOCK_EX) on STORE/lock until this object dies.
  void Lock();

  HashKind kind() const { return kind_; }
  const std::string& dir() const { return dir_; }

  // True when an index (or the open pack) holds the chunk. Thread-safe.
  bool HasChunk(const std::string& hex) const;
  // Appends a chunk to the open pack unless present; true when this call added it. Writes the pack and its
  // index when the pack reaches the pack target. Thread-safe.
  bool PutChunk(const std::string& hex, std::span<const std::uint8_t> data);
  // Writes the open pack and its index, if it holds any chunk. PutTree calls it first.
  void Flush();
  // The pack size at which PutChunk writes the pack out (default 16 MiB; tests make it small).
  void SetPackTarget(std::uint64_t bytes);
  // Reads a chunk and checks its length and hash; CorruptError naming its pack (or "index") otherwise.
  std::vector<std::uint8_t> ReadChunk(const std::string& hex, std::uint64_t length) const;
  // Number of packs the loaded indexes name (plus those this object wrote).
  std::size_t PackCount() const;

  // HEAD's tree hash, or empty when the store has no tree yet. CorruptError when HEAD is malformed.
  std::string Head() const;
  // Reads, hashes and parses a tree; CorruptError when it is missing, its hash differs or it is invalid.
  Tree ReadTree(const std::string& hex) const;
  // The tree at HEAD (empty tree when none).
  Tree ReadHead() const;
  // Writes the open pack, then the tree, and returns the tree's hash.
  std::string PutTree(const Tree& tree);
  // Points HEAD at `hex`, by rename.
  void SetHead(const std::string& hex);

  // Removes temporary files a killed writer left (only ".tmp-*" names). Call with the lock held.
  void RemoveTemporaries();

  // Reads every indexed pack and checks every chunk's hash, then every tree (its chunks indexed) and HEAD.
  VerifyReport Verify() const;

 private:
  struct Packs;   // the index map, the pack names and the open pack, behind one mutex
  struct Sealed;  // a full pack on its way to the disk

  Store(std::string dir, HashKind kind);
  void WriteAtomically(const std::string& dir, const std::string& name, std::span<const std::uint8_t> data);
  void LoadIndexes();
  Sealed SealLocked();
  void WriteSealed(Sealed& sealed);

  std::string dir_;
  HashKind kind_;
  int lock_fd_ = -1;
  bool durable_ = false;
  mutable std::atomic<std::uint64_t> temp_counter_{0};
  std::unique_ptr<Packs> packs_;
};

}  // namespace claimbench::sync
