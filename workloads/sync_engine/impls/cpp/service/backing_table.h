// The read-states service's persistent store behind the cache (SPEC.md, Service mode): Discord's was
// Cassandra; here it is a file of fixed 32-byte records, one per key of the key space, addressed by the
// key's index. Reads and writes are pread/pwrite and the file is never mapped, so the table lives outside
// the service's address space and resident set, as a remote database's memory would. By default the file
// is anonymous and in memory (memfd_create: a tmpfs file, the "remote in-memory table"); with a path it is
// a real file on disk, persistent, and exposed to that disk's latency.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "read_states_format.h"

namespace claimbench::sync_service {

// One key's state on its way to the table.
struct StoredState {
  Key key;
  ReadState state;
};

class BackingTable {
 public:
  // Creates (or truncates) `path` as a sparse table of `keys` records; an empty path makes an anonymous
  // in-memory file instead. Throws std::runtime_error naming the path when the file cannot be made.
  BackingTable(const std::filesystem::path& path, uint64_t keys);
  ~BackingTable();
  BackingTable(const BackingTable&) = delete;
  BackingTable& operator=(const BackingTable&) = delete;

  // The state last written for `key` (inside the key space), or nullopt when it was never written.
  // Thread-safe. Throws std::runtime_error on an I/O error.
  std::optional<ReadState> Read(const Key& key) const;

  // Writes the records in order (a later record for the same key wins). Thread-safe against Read of other
  // keys; one writer at a time. Throws std::runtime_error on an I/O error.
  void Write(const std::vector<StoredState>& records);

  uint64_t keys() const { return keys_; }

 private:
  int fd_ = -1;
  uint64_t keys_ = 0;
};

}  // namespace claimbench::sync_service
