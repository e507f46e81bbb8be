#include "added_vocabulary.h"

#include <algorithm>

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
    set.tokens.push_back(i);
    set.first_byte[static_cast<unsigned char>(token.content[0])] = true;
  }
}

void AddedVocabulary::FindMatches(const Set& set, std::string_view text, size_t base, std::vector<Segment>& out) const {
  size_t start_offset = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    if (!set.first_byte[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    // Leftmost-longest: of the tokens that match here, the longest (the first listed on a tie).
    const AddedToken* best = nullptr;
    for (uint32_t index : set.tokens) {
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
