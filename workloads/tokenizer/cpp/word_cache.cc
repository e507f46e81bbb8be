#include <atomic>
#include <cstring>
#include <functional>

#include <oneapi/tbb/concurrent_unordered_map.h>

#include "tokenizer.h"

namespace claimbench::tokenizer {

namespace {

// Lets the table be searched with a string_view (no std::string made per lookup): oneTBB's spelling of a
// transparent hash names its equality as Hash::transparent_key_equal.
struct WordEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
struct WordHash {
  using transparent_key_equal = WordEqual;
  size_t operator()(std::string_view word) const { return std::hash<std::string_view>{}(word); }
};

}  // namespace

struct SharedWordCache::Table {
  oneapi::tbb::concurrent_unordered_map<std::string, std::vector<uint32_t>, WordHash, WordEqual> words;
  std::atomic<size_t> size{0};  // approximate under races; only bounds memory
};

SharedWordCache::SharedWordCache() : table_(std::make_unique<Table>()) {}
SharedWordCache::~SharedWordCache() = default;

bool SharedWordCache::Find(std::string_view word, std::vector<uint32_t>& ids) const {
  auto it = table_->words.find(word);
  if (it == table_->words.end()) return false;
  ids.insert(ids.end(), it->second.begin(), it->second.end());
  return true;
}

void SharedWordCache::Insert(std::string_view word, std::span<const uint32_t> ids) {
  if (word.size() > WordCache::kMaxWordBytes || ids.empty() ||
      table_->size.load(std::memory_order_relaxed) >= WordCache::kMaxEntries) {
    return;
  }
  if (table_->words.emplace(std::string(word), std::vector<uint32_t>(ids.begin(), ids.end())).second) {
    table_->size.fetch_add(1, std::memory_order_relaxed);
  }
}

WordCache::WordCache(SharedWordCache* shared) : shared_(shared), slots_(1 << 12) {}

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

bool WordCache::SameKey(const Slot& slot, std::string_view word) const {
  if (slot.key_length != word.size()) return false;
  if (word.size() <= kInlineKeyBytes) return std::memcmp(slot.key, word.data(), word.size()) == 0;
  uint32_t offset;
  std::memcpy(&offset, slot.key, sizeof offset);
  return std::memcmp(keys_.data() + offset, word.data(), word.size()) == 0;
}

std::span<const uint32_t> WordCache::Find(std::string_view word) const {
  if (word.size() > kMaxWordBytes) return {};
  uint64_t hash = Hash(word);
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& slot = slots_[i];
    if (slot.ids_length == 0) return {};
    if (slot.hash == hash && SameKey(slot, word)) return {ids_.data() + slot.ids_offset, slot.ids_length};
  }
}

void WordCache::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.size() * 2, Slot{});
  size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.ids_length == 0) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].ids_length != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

void WordCache::Insert(std::string_view word, std::span<const uint32_t> ids) {
  if (word.size() > kMaxWordBytes || ids.empty() || ids.size() > 0xFFFF || size_ >= kMaxEntries) return;
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  uint64_t hash = Hash(word);
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].ids_length != 0) {
    if (slots_[i].hash == hash && SameKey(slots_[i], word)) return;  // already cached
    i = (i + 1) & mask;
  }
  Slot& slot = slots_[i];
  slot.hash = hash;
  slot.ids_offset = static_cast<uint32_t>(ids_.size());
  slot.key_length = static_cast<uint16_t>(word.size());
  slot.ids_length = static_cast<uint16_t>(ids.size());
  if (word.size() <= kInlineKeyBytes) {
    std::memcpy(slot.key, word.data(), word.size());
  } else {
    uint32_t offset = static_cast<uint32_t>(keys_.size());
    std::memcpy(slot.key, &offset, sizeof offset);
    keys_.append(word);
  }
  ids_.insert(ids_.end(), ids.begin(), ids.end());
  ++size_;
}

}  // namespace claimbench::tokenizer
