#include "read_states_store.h"

#include <mutex>
#include <vector>

namespace claimbench::sync_service {
namespace {

constexpr uint32_t kMentionMask = kMaxMentions;
constexpr uint32_t kReferenced = 1u << 30;
constexpr uint32_t kDirty = 1u << 31;
constexpr uint32_t kSlotMask = (1u << 24) - 1;

struct __attribute__((packed, aligned(4))) Entry {
  uint64_t user;
  uint64_t channel;
  uint64_t last_read;
  uint32_t word;  // mention count | kReferenced | kDirty
};
static_assert(sizeof(Entry) == 28, "an entry is the raw 28 bytes");

uint64_t HashOf(const Key& key) { return SplitMix64((key.user * 0xC2B2AE3D27D4EB4FULL) ^ key.channel); }

ReadState StateOf(const Entry& entry) { return {entry.last_read, entry.word & kMentionMask}; }

}  // namespace

struct ReadStatesStore::Shard {
  std::mutex mutex;
  std::unique_ptr<Entry[]> entries;
  std::unique_ptr<uint32_t[]> buckets;  // 0 empty, else (slot + 1) | tag << 24
  uint32_t capacity = 0;
  uint32_t size = 0;
  uint32_t bucket_count = 0;
  uint32_t hand = 0;
  bool writing_back = false;
  std::vector<uint32_t> dirty_slots;  // slots that became dirty since the last pass (may repeat)
  std::vector<StoredState> pending;   // evicted records the next pass writes, oldest first
  std::vector<StoredState> writing;   // the records a pass is writing now, oldest first
  std::vector<StoredState> batch;     // the write-back's copy of the dirty entries (kept for its capacity)
  StoreCounters counters;

  void Allocate(uint32_t slots) {
    capacity = slots;
    entries.reset(new Entry[slots == 0 ? 1 : slots]);
    bucket_count = slots + slots / 3 + 1;  // load factor <= 0.75
    buckets.reset(new uint32_t[bucket_count]());
  }

  uint32_t Home(uint64_t hash) const {
    return static_cast<uint32_t>(((hash & 0xFFFFFFFFULL) * bucket_count) >> 32);
  }
  static uint32_t Tag(uint64_t hash) { return static_cast<uint32_t>((hash >> 32) & 0xFF) << 24; }
  uint32_t Next(uint32_t i) const { return i + 1 == bucket_count ? 0 : i + 1; }

  // The bucket position of `key`, or -1.
  int64_t Find(const Key& key, uint64_t hash) const {
    const uint32_t tag = Tag(hash);
    for (uint32_t i = Home(hash);; i = Next(i)) {
      const uint32_t b = buckets[i];
      if (b == 0) return -1;
      if ((b & ~kSlotMask) == tag) {
        const Entry& e = entries[(b & kSlotMask) - 1];
        if (e.user == key.user && e.channel == key.channel) return i;
      }
    }
  }

  void Link(uint32_t slot, uint64_t hash) {
    uint32_t i = Home(hash);
    while (buckets[i] != 0) i = Next(i);
    buckets[i] = (slot + 1) | Tag(hash);
  }

  // Removes the bucket at `i` by backward-shift deletion (linear probing keeps no tombstones).
  void Unlink(uint32_t i) {
    uint32_t j = i;
    for (;;) {
      j = Next(j);
      const uint32_t b = buckets[j];
      if (b == 0) break;
      const Entry& e = entries[(b & kSlotMask) - 1];
      const uint32_t home = Home(HashOf({e.user, e.channel}));
      // Move b back to i unless its home lies cyclically in (i, j].
      const bool home_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!home_between) {
        buckets[i] = b;
        i = j;
      }
    }
    buckets[i] = 0;
  }

  // A free slot: a never-used one while the shard fills, else the CLOCK victim, unlinked (and saved for
  // write-back when it may be newer than the table).
  uint32_t TakeSlot() {
    if (size < capacity) return size++;
    for (;;) {
      Entry& e = entries[hand];
      const uint32_t slot = hand;
      hand = hand + 1 == capacity ? 0 : hand + 1;
      if (e.word & kReferenced) {
        e.word &= ~kReferenced;
        continue;
      }
      const Key key{e.user, e.channel};
      if ((e.word & kDirty) || writing_back) pending.push_back({key, StateOf(e)});
      Unlink(static_cast<uint32_t>(Find(key, HashOf(key))));
      ++counters.evictions;
      return slot;
    }
  }

  // The newest state of a key that is not in memory.
  ReadState Load(const Key& key, const BackingTable& table) {
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      if (it->key == key) return ++counters.loaded_from_table, it->state;
    }
    for (auto it = writing.rbegin(); it != writing.rend(); ++it) {
      if (it->key == key) return ++counters.loaded_from_table, it->state;
    }
    if (std::optional<ReadState> stored = table.Read(key)) return ++counters.loaded_from_table, *stored;
    return InitialState(key);
  }

  // Puts `key` with `state` (clean) into a free slot.
  uint32_t Insert(const Key& key, uint64_t hash, const ReadState& state) {
    const uint32_t slot = TakeSlot();
    entries[slot] = Entry{key.user, key.channel, state.last_read_message_id, state.mention_count};
    Link(slot, hash);
    return slot;
  }
};

ReadStatesStore::ReadStatesStore(uint64_t entries, BackingTable& table)
    : capacity_(entries), table_(table), shards_(new Shard[kShards]) {
  for (int s = 0; s < kShards; ++s) {
    shards_[s].Allocate(
        static_cast<uint32_t>(entries / kShards + (static_cast<uint64_t>(s) < entries % kShards)));
  }
}

ReadStatesStore::~ReadStatesStore() = default;

void ReadStatesStore::Preload() {
  uint64_t held = size();
  for (uint64_t k = 0; k < table_.keys() && held < capacity_; ++k) {
    const Key key = KeyOfIndex(k);
    const uint64_t hash = HashOf(key);
    Shard& shard = shards_[hash >> (64 - kShardBits)];
    std::lock_guard lock(shard.mutex);
    if (shard.size == shard.capacity || shard.Find(key, hash) >= 0) continue;
    shard.Insert(key, hash, InitialState(key));
    ++held;
  }
}

std::optional<ReadState> ReadStatesStore::Execute(const Request& request) {
  if (!IndexOfKey(request.key, table_.keys())) return std::nullopt;
  const uint64_t hash = HashOf(request.key);
  Shard& shard = shards_[hash >> (64 - kShardBits)];
  std::lock_guard lock(shard.mutex);
  ++shard.counters.requests;
  uint32_t slot = 0;
  if (int64_t i = shard.Find(request.key, hash); i >= 0) {
    ++shard.counters.hits;
    slot = (shard.buckets[i] & kSlotMask) - 1;
    shard.entries[slot].word |= kReferenced;  // a second chance for entries used again, not for new ones
  } else {
    ++shard.counters.misses;
    if (shard.capacity == 0) {  // fewer entries than shards: this one holds none, so write through
      const ReadState before = shard.Load(request.key, table_);
      const ReadState after = Apply(before, request);
      if (!(after == before)) shard.pending.push_back({request.key, after});
      return after;
    }
    slot = shard.Insert(request.key, hash, shard.Load(request.key, table_));
  }
  Entry& entry = shard.entries[slot];
  const ReadState before = StateOf(entry);
  const ReadState after = Apply(before, request);
  uint32_t word = entry.word;
  if (!(after == before)) {
    entry.last_read = after.last_read_message_id;
    word = (word & ~kMentionMask) | after.mention_count;
    if (!(word & kDirty)) {
      word |= kDirty;
      shard.dirty_slots.push_back(slot);
    }
  }
  entry.word = word;
  return after;
}

uint64_t ReadStatesStore::WriteBack() {
  uint64_t written = 0;
  for (int s = 0; s < kShards; ++s) written += WriteBackShard(s);
  return written;
}

uint64_t ReadStatesStore::WriteBackShard(int s) {
  Shard& shard = shards_[s];
  std::vector<StoredState>& batch = shard.batch;
  batch.clear();
  {
    std::lock_guard lock(shard.mutex);
    shard.writing.swap(shard.pending);
    for (uint32_t slot : shard.dirty_slots) {
      Entry& e = shard.entries[slot];
      if (!(e.word & kDirty)) continue;  // listed twice, or evicted (then it is in `writing`)
      e.word &= ~kDirty;
      batch.push_back({{e.user, e.channel}, StateOf(e)});
    }
    shard.dirty_slots.clear();
    if (shard.writing.empty() && batch.empty()) return 0;
    shard.writing_back = true;
  }
  // The evicted records first: anything still in memory is newer.
  table_.Write(shard.writing);
  table_.Write(batch);
  const uint64_t written = shard.writing.size() + batch.size();
  std::lock_guard lock(shard.mutex);
  shard.counters.written_back += written;
  shard.writing.clear();
  shard.writing_back = false;
  return written;
}

uint64_t ReadStatesStore::size() const {
  uint64_t total = 0;
  for (int s = 0; s < kShards; ++s) {
    std::lock_guard lock(shards_[s].mutex);
    total += shards_[s].size;
  }
  return total;
}

StoreCounters ReadStatesStore::counters() const {
  StoreCounters total;
  for (int s = 0; s < kShards; ++s) {
    std::lock_guard lock(shards_[s].mutex);
    const StoreCounters& c = shards_[s].counters;
    total.requests += c.requests;
    total.hits += c.hits;
    total.misses += c.misses;
    total.evictions += c.evictions;
    total.loaded_from_table += c.loaded_from_table;
    total.written_back += c.written_back;
  }
  return total;
}

std::optional<ReadState> ReadStatesStore::Peek(const Key& key) {
  if (!IndexOfKey(key, table_.keys())) return std::nullopt;
  const uint64_t hash = HashOf(key);
  Shard& shard = shards_[hash >> (64 - kShardBits)];
  std::lock_guard lock(shard.mutex);
  if (int64_t i = shard.Find(key, hash); i >= 0)
    return StateOf(shard.entries[(shard.buckets[i] & kSlotMask) - 1]);
  StoreCounters saved = shard.counters;
  ReadState state = shard.Load(key, table_);
  shard.counters = saved;
  return state;
}

int ReadStatesStore::ShardOf(const Key& key) { return static_cast<int>(HashOf(key) >> (64 - kShardBits)); }

bool ReadStatesStore::Contains(const Key& key) {
  const uint64_t hash = HashOf(key);
  Shard& shard = shards_[hash >> (64 - kShardBits)];
  std::lock_guard lock(shard.mutex);
  return shard.Find(key, hash) >= 0;
}

}  // namespace claimbench::sync_service
