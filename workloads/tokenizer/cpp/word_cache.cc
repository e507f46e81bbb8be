#include "tokenizer.h"

namespace claimbench::tokenizer {

std::span<const uint32_t> WordCache::Find(std::string_view word) const {
  auto it = index_.find(word);
  if (it == index_.end()) return {};
  return {ids_.data() + it->second.offset, it->second.length};
}

void WordCache::Insert(std::string_view word, std::span<const uint32_t> ids) {
  if (word.size() > kMaxWordBytes || index_.size() >= kMaxEntries || ids.empty()) return;
  index_.emplace(std::string(word), Slice{static_cast<uint32_t>(ids_.size()), static_cast<uint32_t>(ids.size())});
  ids_.insert(ids_.end(), ids.begin(), ids.end());
}

}  // namespace claimbench::tokenizer
