// Tests of the read-states store: the SPEC's initial-state function and key space, hits and misses,
// CLOCK eviction, write-back and reload, and the capacity bound.
#include "read_states_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "backing_table.h"

namespace claimbench::sync_service {
namespace {

namespace fs = std::filesystem;

// A backing table in a fresh file, removed afterwards.
class TempTable {
 public:
  explicit TempTable(uint64_t keys)
      : path_(fs::temp_directory_path() /
              ("read_states_store_test." + std::to_string(::getpid()) + "." + std::to_string(counter_++))),
        table_(path_, keys) {}
  ~TempTable() { fs::remove(path_); }
  BackingTable& get() { return table_; }

 private:
  static inline std::atomic<int> counter_{0};
  fs::path path_;
  BackingTable table_;
};

Request Get(const Key& key) { return {Op::kGet, key, 0}; }
Request Ack(const Key& key, uint64_t message_id) { return {Op::kAck, key, message_id}; }
Request Mention(const Key& key) { return {Op::kMention, key, 0}; }

// `count` keys of the key space [0, keys) that all live in `shard`, in index order.
std::vector<Key> KeysInShard(int shard, uint64_t keys, size_t count) {
  std::vector<Key> found;
  for (uint64_t k = 0; k < keys && found.size() < count; ++k) {
    if (ReadStatesStore::ShardOf(KeyOfIndex(k)) == shard) found.push_back(KeyOfIndex(k));
  }
  return found;
}

TEST(ReadStatesFormat, InitialStateKnownAnswers) {
  // Pinned: ports compute the same numbers (SPEC.md, Service mode).
  EXPECT_EQ(SplitMix64(0), 0xE220A8397B1DCDAFULL);
  ReadState s = InitialState({0, 0});
  EXPECT_EQ(s.last_read_message_id, 0xE220A8397B1DCDAFULL >> 24);
  EXPECT_EQ(s.mention_count, 0xE220A8397B1DCDAFULL & 7);
  const uint64_t h = SplitMix64(5 * 0x9E3779B97F4A7C15ULL + 3);
  EXPECT_EQ(InitialState({5, 3}), (ReadState{h >> 24, static_cast<uint32_t>(h & 7)}));
  EXPECT_EQ(InitialState({5, 3}).last_read_message_id, 699533833993u);
  EXPECT_EQ(InitialState({5, 3}).mention_count, 7u);
}

TEST(ReadStatesFormat, KeySpace) {
  EXPECT_EQ(KeyOfIndex(0), (Key{0, 0}));
  EXPECT_EQ(KeyOfIndex(37), (Key{2, 5}));
  EXPECT_EQ(IndexOfKey({2, 5}, 38), 37u);
  EXPECT_FALSE(IndexOfKey({2, 5}, 37));        // past the end
  EXPECT_FALSE(IndexOfKey({0, 16}, 1000));     // channel out of range
  EXPECT_FALSE(IndexOfKey({~0ULL, 0}, 1000));  // no overflow into range
  for (uint64_t k = 0; k < 1000; ++k) EXPECT_EQ(IndexOfKey(KeyOfIndex(k), 1000), k);
}

TEST(ReadStatesFormat, Transitions) {
  const Key key{1, 1};
  ReadState s{100, 4};
  EXPECT_EQ(Apply(s, Get(key)), s);
  EXPECT_EQ(Apply(s, Ack(key, 150)), (ReadState{150, 0}));
  EXPECT_EQ(Apply(s, Ack(key, 50)), (ReadState{100, 0}));  // never goes back
  EXPECT_EQ(Apply(s, Mention(key)), (ReadState{100, 5}));
  EXPECT_EQ(Apply(ReadState{1, kMaxMentions}, Mention(key)), (ReadState{1, kMaxMentions}));
}

TEST(ReadStatesStore, PreloadFillsToCapacityWithInitialStates) {
  TempTable table(20'000);  // enough keys of every shard
  ReadStatesStore store(4000, table.get());
  EXPECT_EQ(store.size(), 0u);
  store.Preload();
  EXPECT_EQ(store.size(), 4000u);
  EXPECT_EQ(store.Execute(Get(KeyOfIndex(0))), InitialState(KeyOfIndex(0)));
  EXPECT_EQ(store.counters().hits, 1u);
}

TEST(ReadStatesStore, PreloadStopsAtTheEndOfTheKeySpace) {
  TempTable table(100);
  ReadStatesStore store(1000, table.get());
  store.Preload();
  EXPECT_EQ(store.size(), 100u);
}

TEST(ReadStatesStore, HitsAndMisses) {
  TempTable table(1000);
  ReadStatesStore store(640, table.get());
  const Key key = KeyOfIndex(999);
  EXPECT_EQ(store.Execute(Get(key)), InitialState(key));  // miss: the initial state
  EXPECT_EQ(store.Execute(Get(key)), InitialState(key));  // hit
  StoreCounters c = store.counters();
  EXPECT_EQ(c.requests, 2u);
  EXPECT_EQ(c.misses, 1u);
  EXPECT_EQ(c.hits, 1u);
  EXPECT_EQ(store.Execute(Get({0, 16})), std::nullopt);  // outside the key space
  EXPECT_EQ(store.Execute(Get(KeyOfIndex(1000))), std::nullopt);
}

TEST(ReadStatesStore, ClockEvictsAnEntryNotUsedAgainBeforeOneThatWas) {
  TempTable table(100'000);
  ReadStatesStore store(2 * ReadStatesStore::kShards, table.get());  // two entries per shard
  std::vector<Key> keys = KeysInShard(7, 100'000, 4);
  ASSERT_EQ(keys.size(), 4u);
  store.Execute(Get(keys[0]));
  store.Execute(Get(keys[1]));
  store.Execute(Get(keys[0]));  // used again: a second chance
  store.Execute(Get(keys[2]));  // evicts keys[1]
  EXPECT_TRUE(store.Contains(keys[0]));
  EXPECT_FALSE(store.Contains(keys[1]));
  EXPECT_TRUE(store.Contains(keys[2]));
  store.Execute(Get(keys[3]));  // keys[0]'s chance was used up by the last sweep
  EXPECT_FALSE(store.Contains(keys[0]));
  EXPECT_TRUE(store.Contains(keys[2]));
  EXPECT_TRUE(store.Contains(keys[3]));
  EXPECT_EQ(store.counters().evictions, 2u);
}

TEST(ReadStatesStore, EvictedChangesComeBackBeforeAndAfterWriteBack) {
  TempTable table(100'000);
  ReadStatesStore store(ReadStatesStore::kShards, table.get());  // one entry per shard
  std::vector<Key> keys = KeysInShard(3, 100'000, 3);
  const Key a = keys[0], b = keys[1], c = keys[2];
  const uint64_t newer = InitialState(a).last_read_message_id + 10;
  EXPECT_EQ(store.Execute(Ack(a, newer)), (ReadState{newer, 0}));
  EXPECT_EQ(store.Execute(Mention(a)), (ReadState{newer, 1}));
  store.Execute(Get(b));  // evicts a, dirty: kept for the next write-back
  EXPECT_FALSE(store.Contains(a));
  EXPECT_EQ(store.Execute(Get(a)), (ReadState{newer, 1}));  // reloaded from the pending list
  EXPECT_EQ(store.Execute(Mention(a)), (ReadState{newer, 2}));
  EXPECT_EQ(store.WriteBack(), 2u);  // the evicted record, then the entry in memory
  store.Execute(Get(c));             // evicts a, clean now
  EXPECT_EQ(table.get().Read(a), (ReadState{newer, 2}));
  EXPECT_EQ(store.Execute(Get(a)), (ReadState{newer, 2}));  // reloaded from the table
  EXPECT_EQ(store.counters().loaded_from_table, 2u);
  EXPECT_EQ(store.WriteBack(), 0u);  // nothing dirty
}

TEST(ReadStatesStore, FewerEntriesThanShardsLosesNothing) {
  TempTable table(1'000);
  ReadStatesStore store(3, table.get());  // most shards hold no entry at all
  for (uint64_t k = 0; k < 200; ++k) store.Execute(Ack(KeyOfIndex(k), uint64_t{1} << 50 | k));
  store.WriteBack();
  for (uint64_t k = 0; k < 200; ++k) {
    ASSERT_EQ(store.Execute(Mention(KeyOfIndex(k))), (ReadState{uint64_t{1} << 50 | k, 1})) << k;
  }
  EXPECT_LE(store.size(), 3u);
}

TEST(ReadStatesStore, NeverHoldsMoreThanItsCapacity) {
  TempTable table(20'000);
  ReadStatesStore store(1'000, table.get());
  store.Preload();
  std::mt19937_64 random(7);
  for (int i = 0; i < 20'000; ++i) {
    store.Execute(Mention(KeyOfIndex(random() % 20'000)));
    if (i % 1000 == 0) {
      ASSERT_LE(store.size(), 1'000u);
      store.WriteBack();
    }
  }
  EXPECT_EQ(store.size(), 1'000u);
  EXPECT_GT(store.counters().evictions, 10'000u);
}

// Threads change disjoint keys while write-back runs all the time; afterwards every key reads back as a
// plain model says it must, from memory or from the table.
TEST(ReadStatesStore, ConcurrentRequestsAndWriteBackLoseNothing) {
  constexpr uint64_t kKeys = 4'000;
  constexpr int kThreads = 2;
  TempTable table(kKeys);
  ReadStatesStore store(500, table.get());
  store.Preload();
  std::atomic<bool> stop{false};
  std::thread write_back([&] {
    while (!stop) store.WriteBack();
  });
  std::vector<std::map<uint64_t, ReadState>> models(kThreads);
  std::vector<std::thread> clients;
  std::atomic<int> wrong{0};
  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      std::mt19937_64 random(static_cast<uint64_t>(t) + 1);
      auto& model = models[static_cast<size_t>(t)];
      for (int i = 0; i < 20'000; ++i) {
        const uint64_t k = (random() % (kKeys / kThreads)) * kThreads + static_cast<uint64_t>(t);
        const Key key = KeyOfIndex(k);
        auto known = model.find(k);
        const ReadState before = known == model.end() ? InitialState(key) : known->second;
        const uint64_t pick = random() % 3;
        Request request = pick == 0   ? Get(key)
                          : pick == 1 ? Ack(key, before.last_read_message_id + random() % 100)
                                      : Mention(key);
        const ReadState want = Apply(before, request);
        if (store.Execute(request) != want) ++wrong;
        model[k] = want;
      }
    });
  }
  for (std::thread& client : clients) client.join();
  stop = true;
  write_back.join();
  EXPECT_EQ(wrong.load(), 0);
  store.WriteBack();
  for (const auto& model : models) {
    for (const auto& [k, state] : model) {
      ASSERT_EQ(store.Peek(KeyOfIndex(k)), state) << "key " << k;
      if (store.Contains(KeyOfIndex(k))) continue;
      // Evicted: the table holds it, or it was never changed (a GET only).
      ASSERT_EQ(table.get().Read(KeyOfIndex(k)).value_or(InitialState(KeyOfIndex(k))), state) << "key " << k;
    }
  }
}

}  // namespace
}  // namespace claimbench::sync_service
