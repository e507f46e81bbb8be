#include "bpe_merge_loops.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>

namespace claimbench::tokenizer {
namespace {

constexpr uint32_t kNoRank = std::numeric_limits<uint32_t>::max();
constexpr uint32_t kDeadId = std::numeric_limits<uint32_t>::max();  // ids are below 2^31
constexpr uint64_t kNoPair = std::numeric_limits<uint64_t>::max();  // ids are below 2^31: no pair's key

inline Merge Find(const MergeTable& merges, uint32_t left, uint32_t right) {
  auto it = merges.find(PairKey(left, right));
  return it == merges.end() ? Merge{kNoRank, 0} : it->second;
}

}  // namespace

void MergeByScan(const MergeTable& merges, std::vector<uint32_t>& symbols) {
  size_t n = symbols.size();
  if (n < 2) return;
  // pairs[i] is the merge of symbols[i] and symbols[i + 1]; both arrays shrink by one per merge.
  thread_local std::vector<Merge> pairs;
  pairs.resize(n - 1);
  uint32_t* ids = symbols.data();
  for (size_t i = 0; i + 1 < n; ++i) pairs[i] = Find(merges, ids[i], ids[i + 1]);
  while (n > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < n; ++i) {
      if (pairs[i].rank < pairs[best].rank) best = i;  // strictly lower: the leftmost of equal ranks wins
    }
    if (pairs[best].rank == kNoRank) break;
    ids[best] = pairs[best].new_id;
    std::copy(ids + best + 2, ids + n, ids + best + 1);
    std::copy(pairs.begin() + best + 1, pairs.begin() + (n - 1), pairs.begin() + best);
    --n;
    if (best > 0) pairs[best - 1] = Find(merges, ids[best - 1], ids[best]);
    if (best + 1 < n) pairs[best] = Find(merges, ids[best], ids[best + 1]);
  }
  symbols.resize(n);
}

void MergeByRankQueue(const MergeTable& merges, uint32_t rank_limit, std::vector<uint32_t>& symbols) {
  // 12 bytes, no `alive` flag (a merged-away symbol's id is kDeadId): a long word's list is walked once
  // per level of merging (all "--" before any "----"), and at 50 KB it no longer fits in L2.
  struct Symbol {
    uint32_t id;
    int32_t prev;
    int32_t next;  // -1 after the last symbol
  };
  // The positions (left symbols) where the rank's pair was seen, in the order pushed; read from `read` on.
  // Each rank is one pair, so an entry is checked by comparing the symbols with the bucket's pair.
  struct Bucket {
    std::vector<int32_t> positions;
    size_t read = 0;
    bool sorted = true;  // positions[read..] are in increasing order
    bool queued = false; // its rank is in `ranks`
    uint32_t rank = 0, left = 0, right = 0, new_id = 0;
  };
  thread_local std::vector<Symbol> list;
  thread_local std::vector<Bucket> buckets;         // buckets[0..used) belong to this word
  thread_local std::vector<int32_t> bucket_of_rank;  // -1 when the rank has no bucket in this word
  thread_local std::vector<uint32_t> ranks;          // min-heap of the ranks with unread positions
  if (bucket_of_rank.size() < rank_limit) bucket_of_rank.resize(rank_limit, -1);
  size_t used = 0;
  ranks.clear();

  // A long word meets few distinct pairs (a run of one character, a handful) many times each: a small
  // direct-mapped memo in front of the merge table answers most lookups with one compare.
  constexpr int kMemoBits = 8;
  struct MemoEntry {
    uint64_t key;
    Merge merge;
  };
  thread_local std::array<MemoEntry, size_t{1} << kMemoBits> memo;
  memo.fill({kNoPair, {kNoRank, 0}});
  auto find = [&](uint32_t left, uint32_t right) {
    const uint64_t key = PairKey(left, right);
    MemoEntry& entry = memo[(key * 0x9E3779B97F4A7C15ULL) >> (64 - kMemoBits)];
    if (entry.key != key) entry = {key, Find(merges, left, right)};
    return entry.merge;
  };

  auto push_pair = [&](int32_t pos) {
    if (pos < 0 || list[pos].next < 0) return;
    const uint32_t left = list[pos].id, right = list[list[pos].next].id;
    const Merge merge = find(left, right);
    if (merge.rank == kNoRank) return;
    const uint32_t rank = merge.rank;
    int32_t index = bucket_of_rank[rank];
    if (index < 0) {
      index = static_cast<int32_t>(used++);
      if (buckets.size() < used) buckets.emplace_back();
      Bucket& fresh = buckets[index];
      fresh.positions.clear();
      fresh.read = 0;
      fresh.sorted = true;
      fresh.queued = false;
      fresh.rank = rank;
      fresh.left = left;
      fresh.right = right;
      fresh.new_id = merge.new_id;
      bucket_of_rank[rank] = index;
    }
    Bucket& bucket = buckets[index];
    if (bucket.read == bucket.positions.size()) {  // all read: start again from the front
      bucket.positions.clear();
      bucket.read = 0;
      bucket.sorted = true;
    } else if (pos < bucket.positions.back()) {
      bucket.sorted = false;
    }
    bucket.positions.push_back(pos);
    if (!bucket.queued) {
      bucket.queued = true;
      ranks.push_back(rank);
      std::push_heap(ranks.begin(), ranks.end(), std::greater<>());
    }
  };

  const int32_t n = static_cast<int32_t>(symbols.size());
  list.resize(n);
  for (int32_t i = 0; i < n; ++i) list[i] = {symbols[i], i - 1, i + 1 < n ? i + 1 : -1};
  for (int32_t i = 0; i + 1 < n; ++i) push_pair(i);
  if (ranks.empty()) return;  // nothing merges (a run of a letter without a merged token): symbols stand
  while (!ranks.empty()) {
    const uint32_t rank = ranks.front();
    Bucket& bucket = buckets[bucket_of_rank[rank]];
    if (bucket.read == bucket.positions.size()) {
      std::pop_heap(ranks.begin(), ranks.end(), std::greater<>());
      ranks.pop_back();
      bucket.queued = false;
      continue;
    }
    if (!bucket.sorted) {
      std::sort(bucket.positions.begin() + static_cast<ptrdiff_t>(bucket.read), bucket.positions.end());
      bucket.sorted = true;
    }
    const int32_t pos = bucket.positions[bucket.read++];
    Symbol& left = list[pos];
    // Stale when either side has changed since the position was pushed (or the left one merged away).
    if (left.id != bucket.left || left.next < 0 || list[left.next].id != bucket.right) {
      continue;
    }
    const int32_t right = left.next;
    left.id = bucket.new_id;
    list[right].id = kDeadId;
    left.next = list[right].next;
    if (left.next >= 0) list[left.next].prev = pos;
    push_pair(left.prev);  // may add a bucket: `bucket` is not used after this
    push_pair(pos);
  }
  // Reset only the ranks this word touched, so that the next word starts from a table of -1.
  for (size_t i = 0; i < used; ++i) bucket_of_rank[buckets[i].rank] = -1;
  symbols.clear();
  for (int32_t i = 0; i >= 0 && n > 0; i = list[i].next) symbols.push_back(list[i].id);
}

std::vector<bool> BatchableRanks(const MergeTable& merges, uint32_t rank_limit) {
  uint32_t id_limit = 0;
  for (const auto& [pair, merge] : merges) {
    id_limit = std::max({id_limit, static_cast<uint32_t>(pair >> 32) + 1, static_cast<uint32_t>(pair) + 1,
                         merge.new_id + 1});
  }
  std::vector<uint32_t> first_use(id_limit, kNoRank);  // the lowest rank of a merge each id is a side of
  for (const auto& [pair, merge] : merges) {
    for (uint32_t side : {static_cast<uint32_t>(pair >> 32), static_cast<uint32_t>(pair)}) {
      first_use[side] = std::min(first_use[side], merge.rank);
    }
  }
  std::vector<bool> batchable(rank_limit, false);
  for (const auto& [pair, merge] : merges) batchable[merge.rank] = first_use[merge.new_id] > merge.rank;
  return batchable;
}

void MergeByPasses(const MergeTable& merges, const std::vector<bool>& batchable, uint32_t rank_limit,
                   std::vector<uint32_t>& symbols) {
  // Pair visits allowed per symbol before the rank queue takes over: a run's passes visit about six per
  // symbol (a few passes per level, each level half as long as the one before).
  constexpr size_t kVisitsPerSymbol = 16;
  size_t n = symbols.size();
  if (n < 2) return;
  // ranks[i] and products[i]: the merge of symbols[i] and symbols[i + 1].
  thread_local std::vector<uint32_t> ranks;
  thread_local std::vector<uint32_t> products;
  if (ranks.size() < n - 1) {  // grown, never shrunk: a resize per word would zero what is about to be written
    ranks.resize(n - 1);
    products.resize(n - 1);
  }
  uint32_t* ids = symbols.data();
  // Runs meet the same few pairs over and over: a small direct-mapped memo answers most lookups with one
  // compare (its fill costs less than the hash probes it saves on any word this long).
  constexpr int kMemoBits = 5;
  struct MemoEntry {
    uint64_t key;
    Merge merge;
  };
  std::array<MemoEntry, size_t{1} << kMemoBits> memo;
  memo.fill({kNoPair, {kNoRank, 0}});
  auto rank_pair = [&](size_t i) {
    const uint64_t key = PairKey(ids[i], ids[i + 1]);
    MemoEntry& entry = memo[(key * 0x9E3779B97F4A7C15ULL) >> (64 - kMemoBits)];
    if (entry.key != key) entry = {key, Find(merges, ids[i], ids[i + 1])};
    ranks[i] = entry.merge.rank;
    products[i] = entry.merge.new_id;
  };
  for (size_t i = 0; i + 1 < n; ++i) rank_pair(i);
  const size_t budget = kVisitsPerSymbol * n;
  size_t visits = 0;
  while (n > 1) {
    uint32_t lowest = kNoRank;
    for (size_t i = 0; i + 1 < n; ++i) lowest = std::min(lowest, ranks[i]);  // vectorised
    if (lowest == kNoRank) break;
    visits += n;
    if (visits > budget) {
      symbols.resize(n);
      MergeByRankQueue(merges, rank_limit, symbols);
      return;
    }
    const bool every_occurrence = batchable[lowest];
    size_t read = 0;
    while (ranks[read] != lowest) ++read;
    // Compaction in place: symbols before `read` stay; from there each step either merges the pair at
    // `read` (writing its product) or copies one symbol. A pair of two copies keeps its merge; a pair
    // with a product is looked up again. Writes stay at or behind reads, so nothing unread is overwritten.
    size_t write = read;
    bool merged = false;
    bool previous_copied = true;  // the symbol before `write` is the unchanged one before `read`
    while (read < n) {
      if (read + 1 < n && ranks[read] == lowest && (every_occurrence || !merged)) {
        ids[write] = products[read];
        if (write > 0) rank_pair(write - 1);
        merged = true;
        previous_copied = false;
        read += 2;
      } else {
        ids[write] = ids[read];
        if (write > 0) {
          if (previous_copied) {
            ranks[write - 1] = ranks[read - 1];
            products[write - 1] = products[read - 1];
          } else {
            rank_pair(write - 1);
          }
        }
        previous_copied = true;
        read += 1;
      }
      ++write;
    }
    n = write;
  }
  symbols.resize(n);
}

void MergeByHeap(const MergeTable& merges, std::vector<uint32_t>& symbols) {
  struct Symbol {
    uint32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  // The key orders entries as HF's heap does: rank, then position (the left symbol's index).
  struct Candidate {
    uint64_t key;  // rank << 32 | position
    uint32_t new_id;
  };
  auto later = [](const Candidate& a, const Candidate& b) { return a.key > b.key; };
  thread_local std::vector<Symbol> list;
  thread_local std::vector<Candidate> heap;  // cleared, never moved out: its storage is kept
  const int32_t n = static_cast<int32_t>(symbols.size());
  list.resize(n);
  for (int32_t i = 0; i < n; ++i) list[i] = {symbols[i], i - 1, i + 1 < n ? i + 1 : -1, true};
  heap.clear();
  auto push_pair = [&](int32_t pos) {
    if (pos < 0 || list[pos].next < 0) return;
    auto it = merges.find(PairKey(list[pos].id, list[list[pos].next].id));
    if (it == merges.end()) return;
    heap.push_back({(uint64_t{it->second.rank} << 32) | static_cast<uint32_t>(pos), it->second.new_id});
    std::push_heap(heap.begin(), heap.end(), later);
  };
  for (int32_t i = 0; i + 1 < n; ++i) push_pair(i);
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate top = heap.back();
    heap.pop_back();
    const int32_t pos = static_cast<int32_t>(static_cast<uint32_t>(top.key));
    Symbol& left = list[pos];
    if (!left.alive || left.next < 0) continue;
    // An entry is stale when either side has changed since it was pushed; HF tells by the merged id.
    auto it = merges.find(PairKey(left.id, list[left.next].id));
    if (it == merges.end() || it->second.new_id != top.new_id) continue;
    const int32_t right = left.next;
    left.id = top.new_id;
    list[right].alive = false;
    left.next = list[right].next;
    if (left.next >= 0) list[left.next].prev = pos;
    push_pair(left.prev);
    push_pair(pos);
  }
  symbols.clear();
  for (int32_t i = 0; i < n; ++i) {
    if (list[i].alive) symbols.push_back(list[i].id);
  }
}

}  // namespace claimbench::tokenizer
