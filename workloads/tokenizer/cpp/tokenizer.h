// A byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json, giving exactly HF's ids.
//
// Design: encoding is HF's pipeline (added tokens, pre-tokenizer chain, BPE per word) with the byte-level
// mapping folded into the vocabulary at load time, so the hot path works on the document's own bytes and
// copies nothing. A word's ids depend only on the word, so each thread keeps a WordCache (and threads share
// a SharedWordCache behind them): on natural text most words repeat and the merge loop runs once per
// distinct word. The Tokenizer itself is
// immutable after loading and shared by all threads.
#pragma once

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

// The words every thread of one encode has learned: a second level behind each thread's WordCache, so with
// several threads a word goes through the merge loop once per process rather than once per thread (measured:
// with per-thread caches alone, two threads ran 12% more instructions than one on a 1 MiB corpus, all of
// it the second thread re-learning the first one's words). Thread-safe; a lookup takes no lock (oneTBB's
// concurrent_unordered_map), and it is only asked on a thread's own miss, so it is rarely touched.
class SharedWordCache {
 public:
  SharedWordCache();
  ~SharedWordCache();
  SharedWordCache(const SharedWordCache&) = delete;
  SharedWordCache& operator=(const SharedWordCache&) = delete;

  // Appends the cached ids of `word` to `ids` and returns true, or returns false when it is not cached.
  bool Find(std::string_view word, std::vector<uint32_t>& ids) const;
  // Caches `ids` for `word` under WordCache's limits (word length, entry count). If two threads race to
  // insert one word, the first wins; both hold the same ids.
  void Insert(std::string_view word, std::span<const uint32_t> ids);

 private:
  struct Table;
  std::unique_ptr<Table> table_;
};

// Remembers the ids of words already encoded. One per thread; not thread-safe. It may sit in front of a
// SharedWordCache (not owned; it must outlive this cache), which Tokenizer::Encode asks on a miss.
//
// An open-addressing table (linear probing, 64-bit hashes stored alongside) over two arenas, one for the
// words' bytes and one for their ids: a lookup is one hash, usually one probe and one memcmp, with no
// per-entry allocation. It only grows, up to kMaxEntries; after that new words are simply not cached.
class WordCache {
 public:
  explicit WordCache(SharedWordCache* shared = nullptr);

  SharedWordCache* shared() const { return shared_; }

  // The cached ids of `word`, or an empty span when it is not cached. The span is valid until the next
  // Insert.
  std::span<const uint32_t> Find(std::string_view word) const;
  // Caches `ids` for `word` unless the word is too long, the cache is full, or `ids` is empty.
  void Insert(std::string_view word, std::span<const uint32_t> ids);

  static constexpr size_t kMaxWordBytes = 128;       // longer words are rare and not worth the memory
  static constexpr size_t kMaxEntries = 1 << 20;     // bounds memory on adversarial input

 private:
  // 32 bytes: words of up to kInlineKeyBytes live in the slot itself (most words), so a hit costs one
  // cache line for the slot and one for the ids; longer words keep their bytes in keys_.
  static constexpr size_t kInlineKeyBytes = 16;
  struct Slot {
    uint64_t hash = 0;
    uint32_t ids_offset = 0;
    uint16_t key_length = 0;
    uint16_t ids_length = 0;  // 0: an empty slot
    char key[kInlineKeyBytes] = {};  // the word, or (when longer) its offset in keys_
  };
  static uint64_t Hash(std::string_view word);
  bool SameKey(const Slot& slot, std::string_view word) const;
  void Grow();

  SharedWordCache* shared_;
  std::vector<Slot> slots_;  // size is a power of two, at most half full
  size_t size_ = 0;
  std::string keys_;
  std::vector<uint32_t> ids_;
};

class Tokenizer {
 public:
  // Throws TokenizerError (what is wrong and where) or std::system_error-free TokenizerError when the
  // file cannot be read.
  static Tokenizer FromFile(const std::filesystem::path& path);
  static Tokenizer FromJson(std::string_view json_text);

  // Appends the ids of `text` (one document, valid UTF-8; the caller checks) to `ids`, exactly as HF's
  // encode(text, add_special_tokens=False). Thread-safe with one WordCache per thread.
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
