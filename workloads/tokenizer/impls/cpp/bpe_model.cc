#include "bpe_model.h"

#include <cstdio>
#include <queue>
#include <stdexcept>

#include "byte_level.h"

namespace claimbench::tokenizer {

BpeModel::BpeModel(const std::unordered_map<std::string, uint32_t>& vocab,
                   const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions options)
    : options_(options) {
  byte_id_.fill(-1);
  fallback_id_.fill(-1);
  for (int byte = 0; byte < 256; ++byte) {
    std::string symbol;
    AppendUtf8(ByteToCodePoint()[byte], symbol);
    if (auto it = vocab.find(symbol); it != vocab.end()) byte_id_[byte] = it->second;
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", byte);
    if (auto it = vocab.find(name); it != vocab.end()) fallback_id_[byte] = it->second;
  }
  if (options_.ignore_merges) {
    for (const auto& [token, id] : vocab) {
      if (std::optional<std::string> bytes = ByteLevelToBytes(token)) words_.emplace(std::move(*bytes), id);
    }
  }
  merges_.reserve(merges.size());
  for (uint32_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [left, right] = merges[rank];
    auto left_it = vocab.find(left);
    auto right_it = vocab.find(right);
    auto merged_it = vocab.find(left + right);
    if (left_it == vocab.end() || right_it == vocab.end()) {
      throw std::invalid_argument("merge " + std::to_string(rank) + " ('" + left + "' '" + right +
                                  "') names a token that is not in model.vocab");
    }
    if (merged_it == vocab.end()) {
      throw std::invalid_argument("merge " + std::to_string(rank) + " ('" + left + "' '" + right +
                                  "') makes '" + left + right + "', which is not in model.vocab");
    }
    // A repeated merge keeps its last rank, as HF's map does (later entries overwrite earlier ones).
    merges_.insert_or_assign(PairKey(left_it->second, right_it->second), Merge{rank, merged_it->second});
  }
}

bool BpeModel::FallbackIds(unsigned char byte, std::vector<uint32_t>& ids) const {
  ids.clear();
  std::string character;
  AppendUtf8(ByteToCodePoint()[byte], character);
  for (char c : character) {
    if (fallback_id_[static_cast<unsigned char>(c)] < 0) return false;
    ids.push_back(static_cast<uint32_t>(fallback_id_[static_cast<unsigned char>(c)]));
  }
  return true;
}

void BpeModel::EncodeWord(std::string_view word, std::vector<uint32_t>& ids) const {
  if (options_.ignore_merges) {
    if (auto it = words_.find(std::string(word)); it != words_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  struct Symbol {
    uint32_t id;
    int32_t prev;
    int32_t next;
    bool alive;
  };
  thread_local std::vector<Symbol> symbols;
  symbols.clear();
  // Initial symbols, one per byte (HF goes per character, but each character of the byte-level alphabet
  // is one byte). Missing bytes follow HF: byte fallback, else the unk token (fused if asked), else dropped.
  bool previous_unk = false;
  std::vector<uint32_t> fallback;
  for (size_t i = 0; i < word.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(word[i]);
    if (byte_id_[byte] >= 0) {
      symbols.push_back({static_cast<uint32_t>(byte_id_[byte]), 0, 0, true});
      previous_unk = false;
    } else if (options_.byte_fallback && FallbackIds(byte, fallback)) {
      // HF falls back on the UTF-8 bytes of the missing character, here the byte's stand-in character.
      for (uint32_t id : fallback) symbols.push_back({id, 0, 0, true});
      previous_unk = false;
    } else if (options_.unk_id) {
      if (!(options_.fuse_unk && previous_unk)) symbols.push_back({*options_.unk_id, 0, 0, true});
      previous_unk = true;
    }
  }
  const int32_t n = static_cast<int32_t>(symbols.size());
  for (int32_t i = 0; i < n; ++i) {
    symbols[i].prev = i - 1;
    symbols[i].next = i + 1 < n ? i + 1 : -1;
  }

  struct Candidate {
    uint32_t rank;
    int32_t pos;
    uint32_t new_id;
    bool operator>(const Candidate& other) const {
      return rank != other.rank ? rank > other.rank : pos > other.pos;
    }
  };
  thread_local std::vector<Candidate> heap_storage;
  heap_storage.clear();
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue(std::greater<>{},
                                                                               std::move(heap_storage));
  auto push_pair = [&](int32_t pos) {
    if (pos < 0 || symbols[pos].next < 0) return;
    auto it = merges_.find(PairKey(symbols[pos].id, symbols[symbols[pos].next].id));
    if (it != merges_.end()) queue.push({it->second.rank, pos, it->second.new_id});
  };
  for (int32_t i = 0; i + 1 < n; ++i) push_pair(i);

  while (!queue.empty()) {
    Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.pos];
    if (!left.alive || left.next < 0) continue;
    // An entry is stale when either side has changed since it was pushed.
    auto it = merges_.find(PairKey(left.id, symbols[left.next].id));
    if (it == merges_.end() || it->second.new_id != top.new_id) continue;
    int32_t right = left.next;
    left.id = top.new_id;
    symbols[right].alive = false;
    left.next = symbols[right].next;
    if (left.next >= 0) symbols[left.next].prev = top.pos;
    push_pair(left.prev);
    push_pair(top.pos);
  }
  for (int32_t i = 0; i < n; ++i) {
    if (symbols[i].alive) ids.push_back(symbols[i].id);
  }
}

}  // namespace claimbench::tokenizer
