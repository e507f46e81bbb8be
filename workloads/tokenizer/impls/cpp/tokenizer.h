// A byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json, giving exactly HF's ids.
//
// Design: encoding is HF's pipeline (added tokens, pre-tokenizer chain, BPE per word) with the byte-level
// mapping folded into the vocabulary at load time, so the hot path works on the document's own bytes and
// copies nothing. A word's ids depend only on the word, so all threads share one WordCache: on natural text
// most words repeat and the merge loop runs once per distinct word. The Tokenizer itself is immutable after
// loading and shared by all threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <oneapi/tbb/spin_mutex.h>

#include "added_vocabulary.h"
#include "bpe_model.h"
#include "pre_tokenizer.h"

namespace claimbench::tokenizer {

// A tokenizer.json that cannot be used: malformed JSON, a missing or mistyped field, an unsupported model
// or component. The message names the field and says what would work.
class TokenizerError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Remembers the ids of words already encoded, for every thread of one encode: a word's ids depend only on
// the word, so on natural text the merge loop runs once per distinct word per process. Thread-safe: any
// number of threads may Find and Insert at once.
//
// One table for all threads, not one per thread: with a cache per thread, each thread had to fill its own.
// Measured on the quick profile's 1 MiB corpus with two threads (thread CPU time inside the timed window):
// each thread missed ~5,700 of the corpus's ~6,400 distinct words, and with a oneTBB
// concurrent_unordered_map behind the per-thread caches (so that each word was merged once) the two threads
// together still spent 23.6 ms against one thread's 19.1 ms, most of it in that map's pointer-chasing
// lookups and in filling the second cache.
//
// An open-addressing table (linear probing) of 32-byte slots, two to a cache line, each holding a word of up
// to 16 bytes as its own key and up to three ids (most words of natural text), so that a lookup reads one
// line: with a table of pointers to records, a lookup read two, and on held-out text (80,000 distinct words
// in 6 MB, a table larger than L2) those two misses were a fifth of the encode. Longer words and encodings
// keep the rest in an arena. A lookup takes no lock: one hash, usually one slot. Inserts (once per distinct
// word) take a spin lock; a slot is complete before its meta word is published (release/acquire), so a
// reader sees nothing or the whole entry. The table doubles when three quarters full (linear probing with
// 32-byte slots: a longer probe mostly stays in the line it started in): the new one is published
// whole, and the old ones stay until the cache is destroyed, so a reader still probing an old table is
// safe and at worst misses a word and merges it again (to the same ids).
class WordCache {
 public:
  // `max_entries`: new words are not cached beyond this many (bounds memory on adversarial input).
  explicit WordCache(size_t max_entries = size_t{1} << 20);
  ~WordCache();
  WordCache(const WordCache&) = delete;
  WordCache& operator=(const WordCache&) = delete;

  // The cached ids of `word`, or an empty span when it is not cached. The span is valid as long as the
  // cache.
  std::span<const uint32_t> Find(std::string_view word) const;
  // Caches `ids` for `word` unless the word is too long, the cache holds max_entries words, or `ids` is
  // empty. When two threads insert one word, the first wins; both hold the same ids.
  void Insert(std::string_view word, std::span<const uint32_t> ids);

  size_t size() const;  // words cached

  static constexpr size_t kMaxWordBytes = 128;  // longer words are rare and not worth the memory

 private:
  struct Slot;
  struct Probe;
  struct Table;
  static uint64_t Hash(std::string_view word);
  void* Allocate(size_t bytes);  // from the arena, 8-byte aligned; under mutex_
  Table& Grow();                 // under mutex_
  void Publish(std::unique_ptr<Table> table);  // under mutex_

  // The newest table, what readers probe: its slots' address in the low 48 bits and log2 of its size in
  // the top 16, so that a lookup starts with one load, not two dependent ones.
  std::atomic<uint64_t> table_;
  // Below, only inserts touch: a separate cache line, so an insert does not evict readers' table_. A spin
  // lock, not std::mutex: a thread that finds it taken would sleep on a futex, and waking it again took
  // ~1.5 ms on the development VM (an idle vCPU's wake-up), a tenth of a 2-thread run on the quick corpus.
  // The lock is held for a probe and a copy of one record (or, a few times per run, a table's doubling).
  alignas(64) mutable oneapi::tbb::spin_mutex mutex_;
  size_t size_ = 0;
  size_t max_entries_;
  std::vector<std::unique_ptr<Table>> tables_;   // every table made; the last is table_
  std::vector<std::unique_ptr<char[]>> chunks_;  // the arena: long words' bytes, long encodings' ids
  size_t chunk_size_ = 0;                        // of chunks_.back()
  size_t chunk_used_ = 0;
};

class Tokenizer {
 public:
  // Throws TokenizerError (what is wrong and where) or std::system_error-free TokenizerError when the
  // file cannot be read.
  static Tokenizer FromFile(const std::filesystem::path& path);
  static Tokenizer FromJson(std::string_view json_text);

  // Appends the ids of `text` (one document, valid UTF-8; the caller checks) to `ids`, exactly as HF's
  // encode(text, add_special_tokens=False). Thread-safe; threads may share one WordCache.
  void Encode(std::string_view text, WordCache& cache, std::vector<uint32_t>& ids) const;

  // HF's decode(ids, skip_special_tokens=False) with the ByteLevel decoder: token bytes concatenated,
  // invalid UTF-8 replaced by U+FFFD, unknown ids skipped. Throws TokenizerError when the file's decoder
  // is not ByteLevel.
  std::string Decode(std::span<const uint32_t> ids) const;

  // The pipeline's parts, for the micro-benchmarks and tests that measure or probe one stage.
  const PreTokenizer& pre_tokenizer() const { return pre_tokenizer_; }
  const BpeModel& model() const { return *model_; }

 private:
  Tokenizer() = default;

  std::unique_ptr<BpeModel> model_;
  PreTokenizer pre_tokenizer_;
  AddedVocabulary added_;
  bool byte_level_decoder_ = false;
  std::vector<std::string> id_bytes_;  // decoded bytes of each id
  std::vector<bool> id_known_;
};

}  // namespace claimbench::tokenizer
