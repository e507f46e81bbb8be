#include "pre_tokenizer.h"

#include <algorithm>

namespace claimbench::tokenizer {
namespace {

struct Piece {
  Span span;
  bool is_match;
};

// HF's NormalizedString::split: the matches and the gaps between them cover the text; the behaviour then
// decides what becomes a piece of its own. Appends the surviving non-empty pieces of `text` to `out`.
void SplitPiece(const PreTokenizerStep& step, std::string_view text, std::vector<std::string_view>& out,
                std::vector<Span>& matches, std::vector<Piece>& pieces) {
  matches.clear();
  pieces.clear();
  step.regex.FindAll(text, matches);
  if (step.behavior == SplitBehavior::kIsolated) {
    // Every match and every gap is a word of its own (GPT-2's and Llama-3's files): straight to `out`,
    // without the pieces the other behaviours merge.
    size_t previous = 0;
    for (const Span& match : matches) {
      if (previous != match.begin) out.push_back(text.substr(previous, match.begin - previous));
      if (match.end > match.begin) out.push_back(text.substr(match.begin, match.end - match.begin));
      previous = match.end;
    }
    if (previous != text.size()) out.push_back(text.substr(previous));
    return;
  }
  size_t previous = 0;
  for (const Span& match : matches) {
    if (previous != match.begin) pieces.push_back({{previous, match.begin}, step.invert});
    pieces.push_back({match, !step.invert});
    previous = match.end;
  }
  if (previous != text.size() || pieces.empty()) pieces.push_back({{previous, text.size()}, step.invert});

  std::vector<Piece> merged;
  switch (step.behavior) {
    case SplitBehavior::kIsolated:
      for (const Piece& piece : pieces) {
        if (piece.span.end > piece.span.begin) out.push_back(text.substr(piece.span.begin, piece.span.end - piece.span.begin));
      }
      return;
    case SplitBehavior::kRemoved:
      for (const Piece& piece : pieces) {
        if (!piece.is_match && piece.span.end > piece.span.begin) {
          out.push_back(text.substr(piece.span.begin, piece.span.end - piece.span.begin));
        }
      }
      return;
    case SplitBehavior::kContiguous:
      for (const Piece& piece : pieces) {
        if (!merged.empty() && merged.back().is_match == piece.is_match) {
          merged.back().span.end = piece.span.end;
        } else {
          merged.push_back(piece);
        }
      }
      break;
    case SplitBehavior::kMergedWithPrevious: {
      bool previous_match = false;
      for (const Piece& piece : pieces) {
        if (piece.is_match && !previous_match && !merged.empty()) {
          merged.back().span.end = piece.span.end;
        } else {
          merged.push_back(piece);
        }
        previous_match = piece.is_match;
      }
      break;
    }
    case SplitBehavior::kMergedWithNext: {
      bool previous_match = false;
      for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
        if (it->is_match && !previous_match && !merged.empty()) {
          merged.back().span.begin = it->span.begin;
        } else {
          merged.push_back(*it);
        }
        previous_match = it->is_match;
      }
      std::reverse(merged.begin(), merged.end());
      break;
    }
  }
  for (const Piece& piece : merged) {
    if (piece.span.end > piece.span.begin) out.push_back(text.substr(piece.span.begin, piece.span.end - piece.span.begin));
  }
}

}  // namespace

void PreTokenizer::Split(std::string_view text, std::vector<std::string_view>& out,
                         std::deque<std::string>& storage) const {
  thread_local std::vector<Span> matches;
  thread_local std::vector<Piece> pieces;
  thread_local std::vector<std::string_view> next;
  out.clear();
  if (!text.empty()) out.push_back(text);
  for (const PreTokenizerStep& step : steps_) {
    // A ByteLevel step without its regex or prefix space leaves every piece as it is (Llama-3's files).
    if (step.byte_level && !step.use_regex && !step.add_prefix_space) continue;
    next.clear();
    for (std::string_view piece : out) {
      if (step.byte_level) {
        if (step.add_prefix_space && piece.front() != ' ') {
          std::string prefixed;
          prefixed.reserve(piece.size() + 1);
          prefixed.push_back(' ');
          prefixed.append(piece);
          storage.push_back(std::move(prefixed));
          piece = storage.back();
        }
        if (!step.use_regex) {
          next.push_back(piece);
          continue;
        }
      }
      SplitPiece(step, piece, next, matches, pieces);
    }
    out.swap(next);
  }
}

}  // namespace claimbench::tokenizer
