// Verification of a `sync` run's statistics (SPEC.md, Batch sync) against what the corpus generator says
// the run must find: the tree hash, the bytes scanned, and the bytes uploaded within the dedup band
// (corpus/corpus.h and README.md, Corpus).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "corpus.h"

namespace claimbench::sync_engine_workload {

struct SyncStats {
  std::string tree_hash;
  int64_t bytes_scanned = 0;
  int64_t bytes_uploaded = 0;
  int64_t chunks_new = 0;
  int64_t chunks_deduplicated = 0;
  // Peers' wrappers may add these (README.md, Peers): a tool without a dedup store says false, and one
  // whose chunker cuts at most N bytes says chunk_max_bytes N (else the case's --max applies).
  bool deduplicates = true;
  int64_t chunk_max_bytes = 0;
};

// Parses the last non-empty line of `stdout_text` as the statistics object. On failure returns false
// and says why in `error`.
bool ParseSyncStats(std::string_view stdout_text, SyncStats& stats, std::string& error);

enum class SyncKind { kInitial, kIncremental };

// What a correct sync of the corpus must report.
struct SyncExpectation {
  std::string tree_hash;
  int64_t scanned_min = 0, scanned_max = 0;
  int64_t uploaded_min = 0;       // new content: no store can take less
  int64_t uploaded_slack = 0;     // what chunk granularity may add (for chunks at most max_chunk bytes)
};

SyncExpectation Expect(const sync_corpus::CorpusManifest& manifest, SyncKind kind, int64_t max_chunk);

// Empty when `stats` meet `expected`; else one line saying what is wrong.
std::string CheckSyncStats(const SyncStats& stats, const SyncExpectation& expected);

}  // namespace claimbench::sync_engine_workload
