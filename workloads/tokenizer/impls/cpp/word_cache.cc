// The word cache shared by every thread of one encode (tokenizer.h says why one table, not one per thread).
#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

#include "tokenizer.h"

namespace claimbench::tokenizer {

namespace {

constexpr int kTagShift = 48;  // user-space pointers fit in 48 bits on x86-64 and AArch64 (checked)
constexpr uint64_t kPointerMask = (uint64_t{1} << kTagShift) - 1;
constexpr size_t kFirstSlots = size_t{1} << 12;
constexpr size_t kChunkBytes = size_t{1} << 16;

uint64_t Tag(uint64_t hash) { return hash >> kTagShift; }

}  // namespace

// Written once, under the mutex, before its slot is published; then only read. Aligned for its ids (the
// arena's chunks start on the allocator's alignment, and every record's size is a multiple of 4).
struct alignas(uint32_t) WordCache::Record {
  uint16_t key_length;
  uint16_t ids_length;
  // Followed by ids_length ids, then key_length bytes of the word.
  const uint32_t* ids() const { return reinterpret_cast<const uint32_t*>(this + 1); }
  const char* key() const { return reinterpret_cast<const char*>(ids() + ids_length); }
  std::string_view word() const { return {key(), key_length}; }
  static size_t Bytes(size_t key_length, size_t ids_length) {
    size_t bytes = sizeof(Record) + ids_length * sizeof(uint32_t) + key_length;
    return (bytes + alignof(Record) - 1) & ~(alignof(Record) - 1);  // the next record stays aligned
  }
};

struct WordCache::Table {
  explicit Table(size_t slot_count) : mask(slot_count - 1), slots(new std::atomic<uint64_t>[slot_count]()) {}
  size_t capacity() const { return mask + 1; }
  // The first empty slot on `hash`'s probe sequence (the table is never full).
  size_t EmptySlot(uint64_t hash) const {
    size_t i = hash & mask;
    while (slots[i].load(std::memory_order_relaxed) != 0) i = (i + 1) & mask;
    return i;
  }
  const size_t mask;
  const std::unique_ptr<std::atomic<uint64_t>[]> slots;
};

WordCache::WordCache(size_t max_entries) : max_entries_(max_entries) {
  Publish(std::make_unique<Table>(kFirstSlots));
}

void WordCache::Publish(std::unique_ptr<Table> table) {
  const uint64_t slots = reinterpret_cast<uintptr_t>(table->slots.get());
  if ((slots & ~kPointerMask) != 0) throw std::bad_alloc();  // not on Linux without an explicit mmap hint
  const uint64_t log2_size = std::countr_zero(table->capacity());
  tables_.push_back(std::move(table));
  // Release: a reader that gets this table sees every slot written into it so far.
  table_.store((log2_size << kTagShift) | slots, std::memory_order_release);
}

WordCache::~WordCache() = default;

size_t WordCache::size() const {
  oneapi::tbb::spin_mutex::scoped_lock lock(mutex_);
  return size_;
}

namespace {

// Up to 8 bytes of `text` (size below 8) as one integer, by at most two loads and no memcpy call: the
// two ends, which overlap for 4 to 7 bytes, or for 1 to 3 bytes the first, middle and last. Different
// texts of one size give different integers.
inline uint64_t ShortBytes(const char* text, size_t size) {
  if (size >= 4) {
    uint32_t head, tail;
    std::memcpy(&head, text, 4);
    std::memcpy(&tail, text + size - 4, 4);
    return head | (uint64_t{tail} << 32);
  }
  if (size == 0) return 0;
  const auto byte = [&](size_t i) { return uint64_t{static_cast<unsigned char>(text[i])}; };
  return byte(0) | (byte(size / 2) << 8) | (byte(size - 1) << 16);
}

// Equality of two texts of `size` bytes, by 8-byte words (the last one overlapping), inlined: words are
// short, and a call to memcmp cost more than the comparison (a tenth of Find's time, callgrind).
inline bool SameBytes(const char* a, const char* b, size_t size) {
  if (size < 8) return ShortBytes(a, size) == ShortBytes(b, size);
  for (size_t i = 0; i + 8 < size; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    if (x != y) return false;
  }
  uint64_t x, y;
  std::memcpy(&x, a + size - 8, 8);
  std::memcpy(&y, b + size - 8, 8);
  return x == y;
}

}  // namespace

uint64_t WordCache::Hash(std::string_view word) {
  // A multiply-xorshift hash over 8-byte chunks, the last one overlapping its predecessor: words are
  // short, so speed matters more than strength.
  constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;
  const char* text = word.data();
  const size_t size = word.size();
  uint64_t hash = size * kMultiplier;
  if (size < 8) {
    hash = (hash ^ ShortBytes(text, size)) * kMultiplier;
  } else {
    for (size_t i = 0; i + 8 < size; i += 8) {
      uint64_t chunk;
      std::memcpy(&chunk, text + i, 8);
      hash = (hash ^ chunk) * kMultiplier;
      hash ^= hash >> 29;
    }
    uint64_t last;
    std::memcpy(&last, text + size - 8, 8);
    hash = (hash ^ last) * kMultiplier;
  }
  hash ^= hash >> 32;
  return hash;
}

const WordCache::Record* WordCache::Matching(uint64_t slot, uint64_t hash, std::string_view word) {
  if ((slot >> kTagShift) != Tag(hash)) return nullptr;
  const Record* record = reinterpret_cast<const Record*>(slot & kPointerMask);
  return record->key_length == word.size() && SameBytes(record->key(), word.data(), word.size()) ? record
                                                                                                 : nullptr;
}

std::span<const uint32_t> WordCache::Find(std::string_view word) const {
  if (word.size() > kMaxWordBytes) return {};
  const uint64_t table = table_.load(std::memory_order_acquire);
  const auto* slots = reinterpret_cast<const std::atomic<uint64_t>*>(table & kPointerMask);
  const size_t mask = (size_t{1} << (table >> kTagShift)) - 1;
  const uint64_t hash = Hash(word);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots[i].load(std::memory_order_acquire);
    if (slot == 0) return {};
    if (const Record* record = Matching(slot, hash, word)) return {record->ids(), record->ids_length};
  }
}

const WordCache::Record* WordCache::NewRecord(std::string_view word, std::span<const uint32_t> ids) {
  const size_t bytes = Record::Bytes(word.size(), ids.size());
  if (chunks_.empty() || chunk_used_ + bytes > chunk_size_) {  // the rest of the last chunk stays unused
    chunk_size_ = std::max(bytes, kChunkBytes);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* memory = chunks_.back().get() + chunk_used_;
  chunk_used_ += bytes;
  auto* record = new (memory) Record{static_cast<uint16_t>(word.size()), static_cast<uint16_t>(ids.size())};
  std::memcpy(const_cast<uint32_t*>(record->ids()), ids.data(), ids.size_bytes());
  std::memcpy(const_cast<char*>(record->key()), word.data(), word.size());
  return record;
}

WordCache::Table& WordCache::Grow() {
  const Table& old = *tables_.back();
  auto bigger = std::make_unique<Table>(old.capacity() * 2);
  for (size_t i = 0; i < old.capacity(); ++i) {
    uint64_t slot = old.slots[i].load(std::memory_order_relaxed);
    if (slot == 0) continue;
    const Record* record = reinterpret_cast<const Record*>(slot & kPointerMask);
    bigger->slots[bigger->EmptySlot(Hash(record->word()))].store(slot, std::memory_order_relaxed);
  }
  Publish(std::move(bigger));
  return *tables_.back();
}

void WordCache::Insert(std::string_view word, std::span<const uint32_t> ids) {
  if (word.size() > kMaxWordBytes || ids.empty() || ids.size() > 0xFFFF) return;
  const uint64_t hash = Hash(word);
  oneapi::tbb::spin_mutex::scoped_lock lock(mutex_);
  Table* table = tables_.back().get();
  size_t i = hash & table->mask;
  for (;; i = (i + 1) & table->mask) {
    uint64_t slot = table->slots[i].load(std::memory_order_relaxed);
    if (slot == 0) break;
    if (Matching(slot, hash, word) != nullptr) return;  // another thread cached it first
  }
  if (size_ >= max_entries_) return;
  const Record* record = NewRecord(word, ids);
  const uint64_t pointer = reinterpret_cast<uintptr_t>(record);
  if ((pointer & ~kPointerMask) != 0) return;  // an address above 2^48: not cacheable here, only slower
  if ((size_ + 1) * 2 > table->capacity()) {
    table = &Grow();
    i = table->EmptySlot(hash);
  }
  // Release: a reader that sees the pointer sees the record's contents.
  table->slots[i].store((Tag(hash) << kTagShift) | pointer, std::memory_order_release);
  ++size_;
}

}  // namespace claimbench::tokenizer
