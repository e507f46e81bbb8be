// The word cache shared by every thread of one encode (tokenizer.h says why one table, not one per thread).
#include <algorithm>
#include <bit>
#include <cstring>
#include <memory>
#include <new>

#include "huge_pages.h"
#include "tokenizer.h"

namespace claimbench::tokenizer {

namespace {

constexpr int kSizeShift = 48;  // user-space pointers fit in 48 bits on x86-64 and AArch64 (checked)
constexpr uint64_t kPointerMask = (uint64_t{1} << kSizeShift) - 1;
constexpr size_t kFirstSlots = size_t{1} << 12;
constexpr size_t kChunkBytes = size_t{1} << 16;
constexpr size_t kInlineIds = 3;
constexpr size_t kInlineKeyBytes = 16;

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

// Equality of two texts of `size` bytes, by 8-byte words (the last one overlapping), inlined: a call to
// memcmp cost more than the comparison.
inline bool SameBytes(const char* a, const char* b, size_t size) {
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

// The key of a word of at most 16 bytes, exact: its first and last 8 bytes (overlapping from 9 to 15), or
// ShortBytes below 8. With the length beside it, different words give different keys.
struct ShortKey {
  uint64_t head, tail;
};
inline ShortKey KeyOf(const char* text, size_t size) {
  if (size < 8) return {ShortBytes(text, size), 0};
  uint64_t head, tail;
  std::memcpy(&head, text, 8);
  std::memcpy(&tail, text + size - 8, 8);
  return {head, tail};
}

constexpr uint64_t kMultiplier = 0x9E3779B97F4A7C15ULL;

inline uint64_t Mix(uint64_t hash) {
  hash *= kMultiplier;
  return hash ^ (hash >> 32);
}

inline uint64_t ShortHash(ShortKey key, size_t size) {
  return Mix((key.head * kMultiplier) ^ std::rotl(key.tail, 29) ^ size);
}

// Longer words: a multiply-xorshift over 8-byte chunks, the last one overlapping its predecessor.
[[gnu::noinline]] uint64_t LongHash(const char* text, size_t size) {
  uint64_t hash = size * kMultiplier;
  for (size_t i = 0; i + 8 < size; i += 8) {
    uint64_t chunk;
    std::memcpy(&chunk, text + i, 8);
    hash = (hash ^ chunk) * kMultiplier;
    hash ^= hash >> 29;
  }
  uint64_t last;
  std::memcpy(&last, text + size - 8, 8);
  return Mix(hash ^ last);
}

}  // namespace

// One cached word in 32 bytes, two to a cache line, so that a lookup reads one line: a word of up to 16
// bytes is its own key, and up to three ids (most words) sit beside it. Longer words keep their hash here
// and their bytes in the arena; longer encodings keep their ids in the arena. Written once, under the
// mutex, before `meta` is published (release); read only after `meta` is seen (acquire).
struct WordCache::Slot {
  uint64_t key[2];          // KeyOf(word), or for a word of more than 16 bytes {its hash, its bytes' address}
  uint32_t ids[kInlineIds]; // the ids, or for more than three the address of the arena's copy (ids[0..1])
  std::atomic<uint32_t> meta;  // 0: empty; else the word's length (low 8 bits) and the id count (above)

  static uint32_t Meta(size_t word_size, size_t id_count) {
    return static_cast<uint32_t>(word_size | (id_count << 8));
  }
  static size_t WordSize(uint32_t meta) { return meta & 0xFF; }
  static size_t IdCount(uint32_t meta) { return meta >> 8; }
  const uint32_t* IdsData(uint32_t meta) const {
    if (IdCount(meta) <= kInlineIds) return ids;
    const uint32_t* spilled;
    std::memcpy(&spilled, ids, sizeof spilled);
    return spilled;
  }
};

inline uint64_t WordCache::Hash(std::string_view word) {
  return word.size() <= kInlineKeyBytes ? ShortHash(KeyOf(word.data(), word.size()), word.size())
                                        : LongHash(word.data(), word.size());
}

// A word as a lookup sees it: its hash and its key (exact when short).
struct WordCache::Probe {
  Probe(std::string_view word, uint64_t word_hash) : text(word.data()), size(word.size()), hash(word_hash) {
    key = size <= kInlineKeyBytes ? KeyOf(text, size) : ShortKey{hash, 0};
  }
  bool Matches(const Slot& slot, uint32_t meta) const {
    if (Slot::WordSize(meta) != size || slot.key[0] != key.head) return false;
    if (size <= kInlineKeyBytes) return slot.key[1] == key.tail;
    const char* bytes;
    std::memcpy(&bytes, &slot.key[1], sizeof bytes);
    return SameBytes(bytes, text, size);
  }
  const char* text;
  size_t size;
  uint64_t hash;
  ShortKey key;
};

struct WordCache::Table {
  explicit Table(size_t slot_count) : mask(slot_count - 1), slots(NewSlots(slot_count)) {}
  size_t capacity() const { return mask + 1; }
  // The first empty slot on `hash`'s probe sequence (the table is never full).
  Slot& EmptySlot(uint64_t hash) const {
    size_t i = hash & mask;
    while (slots[i].meta.load(std::memory_order_relaxed) != 0) i = (i + 1) & mask;
    return slots[i];
  }
  // A table of 2 MiB or more starts on a huge page and asks for huge pages before it is zeroed: its slots
  // are read at random, one per word.
  static size_t Alignment(size_t slot_count) {
    return slot_count * sizeof(Slot) >= kHugePageBytes ? kHugePageBytes : alignof(Slot);
  }
  struct FreeSlots {
    size_t slot_count;
    void operator()(Slot* slots) const { ::operator delete(slots, std::align_val_t{Alignment(slot_count)}); }
  };
  static std::unique_ptr<Slot[], FreeSlots> NewSlots(size_t slot_count) {
    void* memory = ::operator new(slot_count * sizeof(Slot), std::align_val_t{Alignment(slot_count)});
    AdviseHugePages(memory, slot_count * sizeof(Slot));
    Slot* slots = static_cast<Slot*>(memory);
    std::uninitialized_value_construct_n(slots, slot_count);
    return {slots, FreeSlots{slot_count}};
  }
  const size_t mask;
  const std::unique_ptr<Slot[], FreeSlots> slots;
};

WordCache::WordCache(size_t max_entries) : max_entries_(max_entries) {
  static_assert(sizeof(Slot) == 32, "two slots to a cache line");
  static_assert(kMaxWordBytes <= 0xFF, "a slot keeps the word's length in 8 bits");
  Publish(std::make_unique<Table>(kFirstSlots));
}

void WordCache::Publish(std::unique_ptr<Table> table) {
  const uint64_t slots = reinterpret_cast<uintptr_t>(table->slots.get());
  if ((slots & ~kPointerMask) != 0) throw std::bad_alloc();  // not on Linux without an explicit mmap hint
  const uint64_t log2_size = std::countr_zero(table->capacity());
  tables_.push_back(std::move(table));
  // Release: a reader that gets this table sees every slot written into it so far.
  table_.store((log2_size << kSizeShift) | slots, std::memory_order_release);
}

WordCache::~WordCache() = default;

size_t WordCache::size() const {
  oneapi::tbb::spin_mutex::scoped_lock lock(mutex_);
  return size_;
}


std::span<const uint32_t> WordCache::Find(std::string_view word) const {
  if (word.empty() || word.size() > kMaxWordBytes) return {};
  const uint64_t table = table_.load(std::memory_order_acquire);
  const Slot* slots = reinterpret_cast<const Slot*>(table & kPointerMask);
  const size_t mask = (size_t{1} << (table >> kSizeShift)) - 1;
  const Probe probe(word, Hash(word));
  for (size_t i = probe.hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots[i];
    const uint32_t meta = slot.meta.load(std::memory_order_acquire);
    if (meta == 0) return {};
    if (probe.Matches(slot, meta)) return {slot.IdsData(meta), Slot::IdCount(meta)};
  }
}

void* WordCache::Allocate(size_t bytes) {
  bytes = (bytes + alignof(uint64_t) - 1) & ~(alignof(uint64_t) - 1);  // the next block stays aligned
  if (chunks_.empty() || chunk_used_ + bytes > chunk_size_) {  // the rest of the last chunk stays unused
    chunk_size_ = std::max(bytes, kChunkBytes);
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* memory = chunks_.back().get() + chunk_used_;
  chunk_used_ += bytes;
  return memory;
}

WordCache::Table& WordCache::Grow() {
  const Table& old = *tables_.back();
  auto bigger = std::make_unique<Table>(old.capacity() * 2);
  for (size_t i = 0; i < old.capacity(); ++i) {
    const Slot& slot = old.slots[i];
    const uint32_t meta = slot.meta.load(std::memory_order_relaxed);
    if (meta == 0) continue;
    const size_t size = Slot::WordSize(meta);
    const uint64_t hash = size <= kInlineKeyBytes ? ShortHash({slot.key[0], slot.key[1]}, size) : slot.key[0];
    Slot& moved = bigger->EmptySlot(hash);
    std::memcpy(moved.key, slot.key, sizeof slot.key);
    std::memcpy(moved.ids, slot.ids, sizeof slot.ids);
    moved.meta.store(meta, std::memory_order_relaxed);  // the whole table is published with release
  }
  Publish(std::move(bigger));
  return *tables_.back();
}

void WordCache::Insert(std::string_view word, std::span<const uint32_t> ids) {
  if (word.empty() || word.size() > kMaxWordBytes || ids.empty() || ids.size() > 0xFFFF) return;
  const Probe probe(word, Hash(word));
  oneapi::tbb::spin_mutex::scoped_lock lock(mutex_);
  Table* table = tables_.back().get();
  for (size_t i = probe.hash & table->mask;; i = (i + 1) & table->mask) {
    const uint32_t meta = table->slots[i].meta.load(std::memory_order_relaxed);
    if (meta == 0) break;
    if (probe.Matches(table->slots[i], meta)) return;  // another thread cached it first
  }
  if (size_ >= max_entries_) return;
  if ((size_ + 1) * 4 > table->capacity() * 3) table = &Grow();
  Slot& slot = table->EmptySlot(probe.hash);
  slot.key[0] = probe.key.head;
  slot.key[1] = probe.key.tail;
  if (word.size() > kInlineKeyBytes) {
    void* bytes = Allocate(word.size());
    std::memcpy(bytes, word.data(), word.size());
    std::memcpy(&slot.key[1], &bytes, sizeof bytes);
  }
  if (ids.size() <= kInlineIds) {
    std::copy(ids.begin(), ids.end(), slot.ids);
  } else {
    void* spilled = Allocate(ids.size_bytes());
    std::memcpy(spilled, ids.data(), ids.size_bytes());
    std::memcpy(slot.ids, &spilled, sizeof spilled);
  }
  // Release: a reader that sees the meta word sees the key and the ids.
  slot.meta.store(Slot::Meta(word.size(), ids.size()), std::memory_order_release);
  ++size_;
}

}  // namespace claimbench::tokenizer
