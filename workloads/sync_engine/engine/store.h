// The remote store, format version 1 (SPEC.md): format, chunks/ab/<hex>, trees/<hex>, HEAD, lock.
//
// Writes: every object goes to a temporary name (".tmp-<pid>-<n>") in its final directory and is renamed
// into place, chunks before the trees that reference them and trees before HEAD. fsync policy: by default
// nothing is fsync'ed: a killed process (SIGKILL, the crash SPEC.md requires surviving) cannot lose data
// the kernel already has, and the rename order keeps readers consistent. With CLAIMBENCH_SYNC_FSYNC=1 in
// the environment every object, and its directory, is fsync'ed before the next step, which also survives
// a power loss; it is off for measurements because no peer does it per chunk either.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include "hasher.h"
#include "tree.h"

namespace claimbench::sync {

struct VerifyReport {
  std::uint64_t chunks = 0;
  std::uint64_t manifests = 0;
  std::uint64_t bytes = 0;
  std::vector<std::string> problems;  // "chunks/ab/ab12...: hash mismatch"
};

class Store {
 public:
  // Opens STORE. When `create` is set, a missing or empty directory becomes a new store of `kind`.
  // `kind`, when given, must equal the store's (else UsageError). Throws UsageError when the directory is
  // not a store, CorruptError for a bad format line.
  static Store Open(const std::string& dir, bool create, std::optional<HashKind> kind);

  Store(Store&&) noexcept;
  ~Store();

  // flock(LOCK_EX) on STORE/lock until this object dies.
  void Lock();

  HashKind kind() const { return kind_; }
  const std::string& dir() const { return dir_; }

  bool HasChunk(const std::string& hex) const;
  // Writes a chunk unless present; true when this call wrote it. Thread-safe.
  bool PutChunk(const std::string& hex, std::span<const std::uint8_t> data);
  // Reads a chunk and checks its length and hash; CorruptError naming it otherwise.
  std::vector<std::uint8_t> ReadChunk(const std::string& hex, std::uint64_t length) const;

  // HEAD's tree hash, or empty when the store has no tree yet. CorruptError when HEAD is malformed.
  std::string Head() const;
  // Reads, hashes and parses a tree; CorruptError when it is missing, its hash differs or it is invalid.
  Tree ReadTree(const std::string& hex) const;
  // The tree at HEAD (empty tree when none).
  Tree ReadHead() const;
  // Writes a tree (after its chunks) and returns its hash.
  std::string PutTree(const Tree& tree);
  // Points HEAD at `hex`, by rename.
  void SetHead(const std::string& hex);

  // Removes temporary files a killed writer left (only ".tmp-*" names). Call with the lock held.
  void RemoveTemporaries();

  // Checks every chunk and tree and HEAD.
  VerifyReport Verify() const;

 private:
  Store(std::string dir, HashKind kind);
  void WriteAtomically(const std::string& dir, const std::string& name, std::span<const std::uint8_t> data);

  std::string dir_;
  HashKind kind_;
  int lock_fd_ = -1;
  mutable std::atomic<std::uint64_t> temp_counter_{0};
};

}  // namespace claimbench::sync
