#include "added_vocabulary.h"

#include <algorithm>
#include <cstring>

#include "byte_level.h"

namespace claimbench::tokenizer {

bool IsWhiteSpace(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool IsWordCharacter(uint32_t cp) {
  if (cp < 0x80) {
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') || cp == '_';
  }
  // Rare (only at the edges of single_word matches): ask PCRE2's Unicode tables.
  static const RegexSplitter word(R"(^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\x{200C}\x{200D}])");
  std::string text;
  AppendUtf8(cp, text);
  std::vector<Span> matches;
  word.FindAll(text, matches);
  return !matches.empty();
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens) : tokens_(std::move(tokens)) {
  for (uint32_t i = 0; i < tokens_.size(); ++i) {
    const AddedToken& token = tokens_[i];
    if (token.content.empty()) continue;
    Set& set = token.normalized ? normalized_ : raw_;
    const auto first = static_cast<unsigned char>(token.content[0]);
    set.tokens.push_back(i);
    set.first_byte[first] = true;
    set.by_first_byte[first].push_back(i);
  }
  for (Set* set : {&raw_, &normalized_}) {
    for (int byte = 0; byte < 256; ++byte) {
      if (set->first_byte[byte]) set->few_first_bytes.push_back(static_cast<unsigned char>(byte));
    }
    if (set->few_first_bytes.size() > kFewFirstBytes) set->few_first_bytes.clear();
  }
}

size_t AddedVocabulary::NextCandidate(const Set& set, std::string_view text, size_t pos) {
  if (set.few_first_bytes.empty()) {
    while (pos < text.size() && !set.first_byte[static_cast<unsigned char>(text[pos])]) ++pos;
    return pos;
  }
  // memchr skips many bytes per step; most text has no token at all (a per-byte test of every byte was
  // a seventh of the encode's instructions on held-out text, callgrind).
  size_t nearest = text.size();
  for (unsigned char byte : set.few_first_bytes) {
    const void* found = std::memchr(text.data() + pos, byte, nearest - pos);
    if (found != nullptr) nearest = static_cast<size_t>(static_cast<const char*>(found) - text.data());
  }
  return nearest;
}

void AddedVocabulary::FindMatches(const Set& set, std::string_view text, size_t base, std::vector<Segment>& out) const {
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    pos = NextCandidate(set, text, pos);
    if (pos == text.size()) break;
    // Leftmost-longest: of the tokens that match here, the longest (the first listed on a tie).
    const AddedToken* best = nullptr;
    for (uint32_t index : set.by_first_byte[static_cast<unsigned char>(text[pos])]) {
      const AddedToken& token = tokens_[index];
      if (text.compare(pos, token.content.size(), token.content) == 0 &&
          (best == nullptr || token.content.size() > best->content.size())) {
        best = &token;
      }
    }
    if (best == nullptr) {
      ++pos;
      continue;
    }
    size_t start = pos;
    size_t stop = pos + best->content.size();
    pos = stop;  // the matcher resumes after the match itself, whatever stripping does below
    if (best->single_word) {
      size_t before = start, after = stop;
      bool start_space = start == 0 || !IsWordCharacter(PreviousCodePoint(text, before));
      bool stop_space = stop == text.size() || !IsWordCharacter(NextCodePoint(text, after));
      if (!start_space || !stop_space) continue;
    }
    if (best->lstrip) {
      size_t new_start = start;
      while (new_start > 0) {
        size_t previous = new_start;
        if (!IsWhiteSpace(PreviousCodePoint(text, previous))) break;
        new_start = previous;
      }
      start = std::max(new_start, start_offset);
    }
    if (best->rstrip) {
      while (stop < text.size()) {
        size_t next = stop;
        if (!IsWhiteSpace(NextCodePoint(text, next))) break;
        stop = next;
      }
    }
    if (start_offset < start) out.push_back({{base + start_offset, base + start}, false, 0});
    out.push_back({{base + start, base + stop}, true, best->id});
    start_offset = stop;
  }
  if (start_offset < text.size()) out.push_back({{base + start_offset, base + text.size()}, false, 0});
}

void AddedVocabulary::Split(std::string_view text, std::vector<Segment>& out) const {
  out.clear();
  if (text.empty()) return;
  if (raw_.tokens.empty() && normalized_.tokens.empty()) {
    out.push_back({{0, text.size()}, false, 0});
    return;
  }
  thread_local std::vector<Segment> first;
  first.clear();
  FindMatches(raw_, text, 0, first);
  for (const Segment& segment : first) {
    if (segment.is_token || normalized_.tokens.empty()) {
      out.push_back(segment);
      continue;
    }
    FindMatches(normalized_, text.substr(segment.span.begin, segment.span.end - segment.span.begin),
                segment.span.begin, out);
  }
}

}  // namespace claimbench::tokenizer
