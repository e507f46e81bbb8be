// The word cache shared by every thread of one encode (tokenizer.h says why one table, not one per thread).
#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

#include "tokenizer.h"

namespace claimbench::tokenizer {

namespace {

constexpr int kTagShift = 48;  // user-space pointers fit in 48 bits on x86-64 and AArch64 (checked)
constexpr uint64_t kPointerMask = (uint64_t{1} << kTagShift) - 1;

uint64_t Tag(uint64_t hash) { return hash >> kTagShift; }

}  // namespace

// Written once by the inserting thread before it is published, then only read.
struct WordCache::Record {
  uint16_t key_length;
  uint16_t ids_length;
  // Followed by ids_length ids, then key_length bytes of the word.
  const uint32_t* ids() const { return reinterpret_cast<const uint32_t*>(this + 1); }
  const char* key() const { return reinterpret_cast<const char*>(ids() + ids_length); }
  static size_t Bytes(size_t key_length, size_t ids_length) {
    return sizeof(Record) + ids_length * sizeof(uint32_t) + key_length;
  }
};

WordCache::WordCache(size_t expected_bytes) {
  // Natural text has far fewer distinct words than bytes / 32; a table half full stops caching.
  size_t slots = std::bit_ceil(std::clamp(expected_bytes / 16, kMinSlots, kMaxSlots));
  // calloc: the table starts as zero pages, and only the slots that get used are ever touched.
  slots_ = static_cast<uint64_t*>(std::calloc(slots, sizeof(uint64_t)));
  if (slots_ == nullptr) throw std::bad_alloc();
  mask_ = slots - 1;
  max_entries_ = slots / 2;
}

WordCache::~WordCache() {
  for (size_t i = 0; i <= mask_; ++i) {
    if (slots_[i] != 0) ::operator delete(reinterpret_cast<Record*>(slots_[i] & kPointerMask));
  }
  std::free(slots_);
}

uint64_t WordCache::Hash(std::string_view word) {
  // A multiply-xorshift hash over 8-byte chunks: words are short, so speed matters more than strength.
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
  uint64_t hash = word.size() * kMultiplier;
  size_t i = 0;
  for (; i + 8 <= word.size(); i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, word.data() + i, 8);
    hash = (hash ^ chunk) * kMultiplier;
    hash ^= hash >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, word.data() + i, word.size() - i);
  hash = (hash ^ tail) * kMultiplier;
  hash ^= hash >> 32;
  return hash;
}

const WordCache::Record* WordCache::Matching(uint64_t slot, uint64_t hash, std::string_view word) {
  if ((slot >> kTagShift) != Tag(hash)) return nullptr;
  const Record* record = reinterpret_cast<const Record*>(slot & kPointerMask);
  bool same = record->key_length == word.size() && std::memcmp(record->key(), word.data(), word.size()) == 0;
  return same ? record : nullptr;
}

std::span<const uint32_t> WordCache::Find(std::string_view word) const {
  if (word.size() > kMaxWordBytes) return {};
  uint64_t hash = Hash(word);
  // The table is never full, so the probe ends at an empty slot.
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    uint64_t slot = std::atomic_ref<uint64_t>(slots_[i]).load(std::memory_order_acquire);
    if (slot == 0) return {};
    if (const Record* record = Matching(slot, hash, word)) return {record->ids(), record->ids_length};
  }
}

void WordCache::Insert(std::string_view word, std::span<const uint32_t> ids) {
  // The size check races with other inserters, so the table may pass half full by a few entries per
  // thread; it stays far from full (at least 4,096 slots, at most 1,024 threads).
  if (word.size() > kMaxWordBytes || ids.empty() || ids.size() > 0xFFFF ||
      size_.load(std::memory_order_relaxed) >= max_entries_) {
    return;
  }
  void* memory = ::operator new(Record::Bytes(word.size(), ids.size()));
  Record* record = new (memory) Record{static_cast<uint16_t>(word.size()), static_cast<uint16_t>(ids.size())};
  std::memcpy(const_cast<uint32_t*>(record->ids()), ids.data(), ids.size_bytes());
  std::memcpy(const_cast<char*>(record->key()), word.data(), word.size());
  uint64_t pointer = reinterpret_cast<uintptr_t>(record);
  if ((pointer & ~kPointerMask) != 0) {  // an address above 2^48: not cacheable here, only slower
    ::operator delete(record);
    return;
  }
  uint64_t hash = Hash(word);
  uint64_t value = (Tag(hash) << kTagShift) | pointer;
  for (size_t i = hash & mask_;; i = (i + 1) & mask_) {
    std::atomic_ref<uint64_t> slot(slots_[i]);
    uint64_t seen = slot.load(std::memory_order_acquire);
    while (seen == 0) {
      // Release: a reader that sees the pointer sees the record's contents.
      if (slot.compare_exchange_weak(seen, value, std::memory_order_release, std::memory_order_acquire)) {
        size_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
    }
    if (Matching(seen, hash, word) != nullptr) {  // another thread cached it first
      ::operator delete(record);
      return;
    }
  }
}

}  // namespace claimbench::tokenizer
