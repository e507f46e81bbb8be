// The read-states service's persistent store behind the cache (SPEC.md, Service mode): Discord's was
// Cassandra; here it is a file of fixed 32-byte records, one per key of the key space, addressed by the
// key's index. Reads and writes are pread/pwrite, so the table lives in the page cache and on disk, not in
// the service's resident memory, as a remote database would.
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
  // Creates (or truncates) `path` as a sparse table of `keys` records. Throws std::runtime_error naming
  // the path when the file cannot be made.
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
