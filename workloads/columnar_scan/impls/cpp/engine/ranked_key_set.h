// A set of integer keys from [0, max_key] that also gives each member its rank: its index among the
// members in key order. A bitmap with, for every 64-bit word, the number of members before it.
//
// Q3 joins about 1.45 million candidate orders against lineitem's orderkeys, which span 60 million values at
// SF 10. A dense slot array over that range is 240 MB whose every page the query must fault in and
// fill; this set is 12 bytes per 64 keys (11 MB at SF 10), so it is built in a few milliseconds and its
// probes stay in the last-level cache. Q18 numbers its groups, the orders, the same way.
// Ranks are 32-bit: fewer than 2^32 members (TPC-H has 1.5 million orders per SF).
#pragma once

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

#include "dense_keys.h"

namespace claimbench::columnar {

class RankedKeySet {
 public:
  // An empty set of keys from [0, max_key] (max_key >= 0), its words zeroed on `threads`.
  RankedKeySet(int64_t max_key, int threads)
      : words_count_(max_key / 64 + 1),
        words_(std::make_unique_for_overwrite<uint64_t[]>(static_cast<size_t>(words_count_))),
        ranks_(std::make_unique_for_overwrite<uint32_t[]>(static_cast<size_t>(words_count_))) {
    ForEachMorsel(words_count_, threads, [&](int64_t, int64_t begin, int64_t end) {
      std::fill(words_.get() + begin, words_.get() + end, uint64_t{0});
    });
  }

  // Adds `key` (in [0, max_key]); safe from several threads at once. Only before Rank().
  void Insert(int64_t key) {
    std::atomic_ref<uint64_t>(words_[static_cast<size_t>(key >> 6)])
        .fetch_or(uint64_t{1} << (key & 63), std::memory_order_relaxed);
  }

  // Inserts through a one-word buffer, so that a run of keys in the same 64-key word (sorted keys: TPC-H's
  // orderkeys come in order) costs one atomic OR instead of one each. One per thread; flushes when it goes.
  class Inserter {
   public:
    explicit Inserter(RankedKeySet& set) : set_(set) {}
    ~Inserter() { Flush(); }
    Inserter(const Inserter&) = delete;
    Inserter& operator=(const Inserter&) = delete;

    void Insert(int64_t key) {
      if ((key >> 6) != word_) {
        Flush();
        word_ = key >> 6;
      }
      bits_ |= uint64_t{1} << (key & 63);
    }

    void Flush() {
      if (bits_ != 0) {
        std::atomic_ref<uint64_t>(set_.words_[static_cast<size_t>(word_)]).fetch_or(bits_, std::memory_order_relaxed);
      }
      bits_ = 0;
    }

   private:
    RankedKeySet& set_;
    int64_t word_ = -1;
    uint64_t bits_ = 0;
  };

  // Counts the members before each word, on `threads`; call once, after the last Insert.
  void FinishInserts(int threads) {
    const int64_t chunks = (words_count_ + kMorselRows - 1) / kMorselRows;
    std::vector<uint64_t> before(static_cast<size_t>(chunks) + 1, 0);
    ForEachMorsel(words_count_, threads, [&](int64_t chunk, int64_t begin, int64_t end) {
      uint32_t members = 0;
      for (int64_t w = begin; w < end; ++w) members += static_cast<uint32_t>(std::popcount(words_[w]));
      before[static_cast<size_t>(chunk) + 1] = members;
    });
    for (size_t chunk = 1; chunk < before.size(); ++chunk) before[chunk] += before[chunk - 1];
    if (before.back() > UINT32_MAX) throw std::length_error("a ranked key set holds fewer than 2^32 keys");
    size_ = static_cast<int64_t>(before.back());
    ForEachMorsel(words_count_, threads, [&](int64_t chunk, int64_t begin, int64_t end) {
      auto members = static_cast<uint32_t>(before[static_cast<size_t>(chunk)]);
      for (int64_t w = begin; w < end; ++w) {
        ranks_[w] = members;
        members += static_cast<uint32_t>(std::popcount(words_[w]));
      }
    });
  }

  // How many distinct keys were inserted (after FinishInserts).
  int64_t Size() const { return size_; }

  // The rank of `key` (in [0, max_key]) if it is a member, else -1 (after FinishInserts).
  int64_t Rank(int64_t key) const {
    const uint64_t word = words_[static_cast<size_t>(key >> 6)];
    const uint64_t bit = uint64_t{1} << (key & 63);
    if ((word & bit) == 0) return -1;
    return static_cast<int64_t>(ranks_[static_cast<size_t>(key >> 6)]) + std::popcount(word & (bit - 1));
  }

 private:
  int64_t words_count_;
  std::unique_ptr<uint64_t[]> words_;
  std::unique_ptr<uint32_t[]> ranks_;  // members in the words before this one
  int64_t size_ = 0;
};

}  // namespace claimbench::columnar
