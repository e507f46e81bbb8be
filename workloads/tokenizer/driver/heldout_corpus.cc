#include "heldout_corpus.h"

#include <unordered_set>

#include <fmt/format.h>

#include "claimbench/error.h"

namespace claimbench::tokenizer_workload {
namespace {

constexpr std::string_view kLineSpace = " \t\r\f\v";

// One stream's documents and how many of its bytes have been written.
struct StreamCursor {
  const SourceStream* stream = nullptr;
  std::vector<std::string> documents;
  size_t next = 0;
  uint64_t total_bytes = 0;
  uint64_t consumed_bytes = 0;
  bool Done() const { return next == documents.size(); }
};

}  // namespace

std::vector<std::string> Paragraphs(std::string_view text) {
  std::vector<std::string> paragraphs;
  std::string current;
  for (size_t begin = 0; begin <= text.size();) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    const size_t first = line.find_first_not_of(kLineSpace);
    if (first == std::string_view::npos) {
      if (!current.empty()) paragraphs.push_back(std::move(current));
      current.clear();
    } else {
      line = line.substr(first, line.find_last_not_of(kLineSpace) - first + 1);
      if (!current.empty()) current.push_back(' ');
      current.append(line);
    }
    begin = end + 1;
  }
  if (!current.empty()) paragraphs.push_back(std::move(current));
  return paragraphs;
}

std::vector<std::string_view> SplitNonEmpty(std::string_view text, char separator) {
  std::vector<std::string_view> pieces;
  for (size_t begin = 0; begin < text.size();) {
    size_t end = text.find(separator, begin);
    if (end == std::string_view::npos) end = text.size();
    if (end > begin) pieces.push_back(text.substr(begin, end - begin));
    begin = end + 1;
  }
  return pieces;
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    int length = 0;
    uint32_t code_point = 0;
    if ((byte & 0xE0) == 0xC0) {
      length = 2, code_point = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3, code_point = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4, code_point = byte & 0x07;
    } else {
      return false;
    }
    if (text.size() - i < static_cast<size_t>(length)) return false;
    for (int k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kSmallest[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

AssembledCorpus AssembleHeldOutCorpus(const std::vector<SourceStream>& streams, int64_t target_bytes) {
  std::vector<StreamCursor> cursors;
  for (const SourceStream& stream : streams) {
    StreamCursor cursor{&stream, {}, 0, 0, 0};
    for (const std::string& text : stream.texts) {
      for (std::string& paragraph : Paragraphs(text)) {
        if (!IsValidUtf8(paragraph)) {
          throw SetupError(fmt::format("a paragraph of corpus stream '{}' is not valid UTF-8: '{}'", stream.name,
                                       paragraph.substr(0, 60)));
        }
        cursor.total_bytes += paragraph.size() + 1;
        cursor.documents.push_back(std::move(paragraph));
      }
    }
    if (!cursor.documents.empty()) cursors.push_back(std::move(cursor));
  }
  AssembledCorpus corpus;
  std::unordered_set<std::string_view> written;  // views into the cursors' documents, which stay put
  while (static_cast<int64_t>(corpus.text.size()) < target_bytes) {
    StreamCursor* pick = nullptr;
    for (StreamCursor& cursor : cursors) {
      // consumed/total smallest, compared exactly: a/b < c/d  <=>  a*d < c*b (byte counts fit 64 bits squared
      // for any corpus below 4 GB).
      if (!cursor.Done() && (pick == nullptr || cursor.consumed_bytes * pick->total_bytes <
                                                    pick->consumed_bytes * cursor.total_bytes)) {
        pick = &cursor;
      }
    }
    if (pick == nullptr) {
      corpus.exhausted = true;
      break;
    }
    const std::string& document = pick->documents[pick->next++];
    pick->consumed_bytes += document.size() + 1;
    if (!written.insert(document).second) continue;
    corpus.text.append(document);
    corpus.text.push_back('\n');
    ++corpus.documents;
  }
  return corpus;
}

}  // namespace claimbench::tokenizer_workload
