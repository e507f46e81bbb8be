// The read-states cache (SPEC.md, Service mode): `entries` (user, channel) -> read state in memory, CLOCK
// eviction, and delayed write-back of dirty entries to a BackingTable.
//
// Design, for the memory target (resident set at most 1.5x the raw 28 bytes per entry) and the latency
// target (no periodic stalls):
// - No per-entry heap node. Each of kShards shards has one array of 28-byte packed entries (user, channel,
//   last_read, and one 32-bit word holding the 30-bit mention count, a CLOCK reference bit and a dirty bit)
//   and an open-addressing index of 32-bit buckets at load factor 0.75 (24-bit slot number + 8-bit hash
//   tag, linear probing, backward-shift deletion, no tombstones): about 33.3 bytes per entry in all.
// - Eviction is CLOCK (second chance), the usual O(1)-amortised approximation of LRU, per shard: a hit
//   sets the entry's reference bit (a new entry starts without it); the hand clears set bits and evicts
//   the first entry whose bit is clear.
// - A write marks the entry dirty and appends its slot to the shard's dirty list. The write-back pass
//   (the server's event loop runs WriteBackShard() for one shard at a time, the 64 spread over each
//   --write-back-ms period) holds a shard's lock only to take that list's snapshot; writing the table
//   runs without it.
// - Nothing is lost between the cache and the table: an evicted dirty entry (or any evicted entry while
//   its shard is being written back) goes to the shard's `pending` list, which the next pass writes first;
//   a miss looks in `pending`, then in the batch being written, then in the table, then falls back to the
//   initial state. A key is thus always found at its newest value.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "backing_table.h"
#include "read_states_format.h"

namespace claimbench::sync_service {

struct StoreCounters {
  uint64_t requests = 0;
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t evictions = 0;
  uint64_t loaded_from_table = 0;  // misses found in the table or in a write-back list
  uint64_t written_back = 0;       // records written to the table
};

class ReadStatesStore {
 public:
  static constexpr int kShardBits = 6;
  static constexpr int kShards = 1 << kShardBits;
  static constexpr uint64_t kMaxEntriesPerShard = (1u << 24) - 2;
  static constexpr uint64_t kMaxEntries = kShards * kMaxEntriesPerShard;

  // Allocates room for `entries` (1 .. kMaxEntries) entries. The table outlives the store.
  ReadStatesStore(uint64_t entries, BackingTable& table);
  ~ReadStatesStore();
  ReadStatesStore(const ReadStatesStore&) = delete;
  ReadStatesStore& operator=(const ReadStatesStore&) = delete;

  // Fills the store with the initial states of keys 0, 1, 2, ... of the key space until it holds
  // `entries` entries or the key space is exhausted, so every entry's memory is touched before `ready`.
  void Preload();

  // Runs one request; nullopt when its key lies outside the key space. Thread-safe.
  std::optional<ReadState> Execute(const Request& request);

  // Writes every dirty entry and every pending record to the table, shard by shard. Thread-safe, but one
  // write-back at a time (the server's periodic pass, or a last call at shutdown). Returns the records
  // written.
  uint64_t WriteBack();
  // The same for shard `shard` (0 .. kShards-1) only: the unit of work the server's event loop runs
  // between requests, so the write-back never holds the serving thread for more than one shard's records.
  uint64_t WriteBackShard(int shard);

  // Entries held now (never more than capacity()). Thread-safe.
  uint64_t size() const;
  uint64_t capacity() const { return capacity_; }
  StoreCounters counters() const;

  // The state of `key` as the store would answer a GET, without changing the reference bits or counters.
  // For tests.
  std::optional<ReadState> Peek(const Key& key);
  bool Contains(const Key& key);
  // The shard holding `key`: keys of one shard compete for its entries.
  static int ShardOf(const Key& key);

 private:
  struct Shard;
  uint64_t capacity_;
  BackingTable& table_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace claimbench::sync_service
