#include "bpe_model.h"

#include <algorithm>
#include <cstdio>
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
      if (std::optional<std::string> bytes = ByteLevelToBytes(token)) {
        longest_word_ = std::max(longest_word_, bytes->size());
        words_.emplace(std::move(*bytes), id);
      }
    }
  }
  std::vector<bool> id_seen;
  for (const auto& [token, id] : vocab) {
    if (id >= id_seen.size()) id_seen.resize(size_t{id} + 1, false);
    if (id_seen[id]) heap_only_ = true;
    id_seen[id] = true;
  }
  rank_limit_ = static_cast<uint32_t>(merges.size());
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
  batchable_ = BatchableRanks(merges_, rank_limit_);
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

void BpeModel::InitialSymbols(std::string_view word, std::vector<uint32_t>& symbols) const {
  // Every byte has a token in byte-level vocabularies: one pass, no push_back per byte.
  symbols.resize(word.size());
  bool complete = true;
  for (size_t i = 0; i < word.size(); ++i) {
    const int64_t id = byte_id_[static_cast<unsigned char>(word[i])];
    complete &= id >= 0;
    symbols[i] = static_cast<uint32_t>(id);
  }
  if (complete) return;
  symbols.clear();
  // Missing bytes follow HF: byte fallback, else the unk token (fused if asked), else dropped.
  bool previous_unk = false;
  thread_local std::vector<uint32_t> fallback;
  for (size_t i = 0; i < word.size(); ++i) {
    unsigned char byte = static_cast<unsigned char>(word[i]);
    if (byte_id_[byte] >= 0) {
      symbols.push_back(static_cast<uint32_t>(byte_id_[byte]));
      previous_unk = false;
    } else if (options_.byte_fallback && FallbackIds(byte, fallback)) {
      // HF falls back on the UTF-8 bytes of the missing character, here the byte's stand-in character.
      symbols.insert(symbols.end(), fallback.begin(), fallback.end());
      previous_unk = false;
    } else if (options_.unk_id) {
      if (!(options_.fuse_unk && previous_unk)) symbols.push_back(*options_.unk_id);
      previous_unk = true;
    }
  }
}

void BpeModel::EncodeWord(std::string_view word, std::vector<uint32_t>& ids) const {
  if (options_.ignore_merges && word.size() <= longest_word_) {  // no hash of a 40 KB run to find nothing
    if (auto it = words_.find(word); it != words_.end()) {
      ids.push_back(it->second);
      return;
    }
  }
  thread_local std::vector<uint32_t> symbols;
  InitialSymbols(word, symbols);
  if (symbols.size() <= kMaxScanSymbols && !heap_only_) {
    MergeByScan(merges_, symbols);
  } else if (heap_only_) {
    MergeByHeap(merges_, symbols);
  } else {
    MergeByPasses(merges_, batchable_, rank_limit_, symbols);
  }
  ids.insert(ids.end(), symbols.begin(), symbols.end());
}

}  // namespace claimbench::tokenizer
