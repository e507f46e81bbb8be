// The two merge loops of the BPE model: both apply a word's merges in HF's order (the lowest rank first,
// the leftmost of equal ranks) and give the same ids; they differ in cost.
//
// Design: most words are a few symbols long, and for them HF's heap costs more than the merging itself
// (a push and a pop per pair, a lookup to check each popped entry is not stale). MergeByScan keeps the
// symbols and each adjacent pair's merge in two small arrays and scans for the lowest rank: O(n^2), with
// no heap and no stale entries. Long words (runs of one character, long CJK or base64 words) would make
// that n^2 dominate, and HF's heap is O(n log n) with a large constant: a pop sifts through log n levels
// of a heap as long as the word, ~500 instructions per byte on runs of one letter (callgrind).
// MergeByRankQueue gives the same order with one bucket of positions per rank, read in position order,
// and a small heap of the ranks present: a word has few distinct ranks (a run of one character, a
// handful), positions are mostly pushed in increasing order, so each merge is a few appends and reads.
// MergeByPasses serves long words whose merges repeat (runs of one character, or of a few): a pass applies
// the lowest-ranked merge everywhere it occurs, so a run of n spaces takes a few passes per doubling of
// its tokens, each a sequential sweep, where the rank queue popped (and half the time discarded) 2.5
// entries per byte. A word with many distinct merges would make that n^2, so after a budget of pair visits
// the rank queue finishes from the symbols as they stand (BPE's state is just the symbol list).
// MergeByHeap is HF's loop itself, kept for vocabularies that give two strings one id (bpe_model.h).
// Scratch space is per thread and kept, so no loop allocates once warm.
#pragma once

#include <cstdint>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

namespace claimbench::tokenizer {

struct Merge {
  uint32_t rank;    // position in the file's merges list: lower merges first
  uint32_t new_id;  // the merged token
};

// (left id, right id) -> the merge of that pair.
using MergeTable = boost::unordered_flat_map<uint64_t, Merge>;

inline uint64_t PairKey(uint32_t left, uint32_t right) { return (uint64_t{left} << 32) | right; }

// Merges `symbols` (token ids, in order) in place until no adjacent pair has a merge. Thread-safe.
void MergeByScan(const MergeTable& merges, std::vector<uint32_t>& symbols);

// The same result for long words, by rank buckets (above). `rank_limit`: one more than the highest rank.
// Requires a vocabulary in which each id names one string (then a rank names one pair). Thread-safe.
void MergeByRankQueue(const MergeTable& merges, uint32_t rank_limit, std::vector<uint32_t>& symbols);

// Whether each rank's merge may be applied at every occurrence in one pass: true when its product takes
// part in no merge of a lower rank, so that no pair it forms could be due before the merge's next
// occurrence (true of every merge of a trained file, where a token is merged only after it exists).
std::vector<bool> BatchableRanks(const MergeTable& merges, uint32_t rank_limit);

// The same result by passes (above), for long words; `batchable` from BatchableRanks. Requires what
// MergeByRankQueue requires. Thread-safe.
void MergeByPasses(const MergeTable& merges, const std::vector<bool>& batchable, uint32_t rank_limit,
                   std::vector<uint32_t>& symbols);

// The same result by HF's heap, including HF's check of a popped entry (by the merged id, not the rank),
// which matters only for vocabularies that give two strings one id (bpe_model.h). Thread-safe.
void MergeByHeap(const MergeTable& merges, std::vector<uint32_t>& symbols);

}  // namespace claimbench::tokenizer
