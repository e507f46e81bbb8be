#include "chunk_check.h"

#include <charconv>
#include <fstream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "tree_hash.h"

namespace claimbench::sync_engine_workload {
namespace {

bool ParseInt(std::string_view field, int64_t& value) {
  auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
  return !field.empty() && error == std::errc() && end == field.data() + field.size() && value >= 0;
}

bool IsLowerHex(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

bool ParseChunks(std::string_view text, bool with_hashes, std::vector<Chunk>& chunks, std::string& error) {
  chunks.clear();
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    std::vector<std::string_view> fields;
    for (size_t start = 0; start <= line.size();) {
      const size_t space = line.find(' ', start);
      fields.push_back(line.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start));
      if (space == std::string_view::npos) break;
      start = space + 1;
    }
    Chunk chunk;
    const size_t want = with_hashes ? 3 : 2;
    if (fields.size() != want || !ParseInt(fields[0], chunk.offset) || !ParseInt(fields[1], chunk.length) ||
        (with_hashes && !IsLowerHex(fields[2]))) {
      error = fmt::format("line {}: expected '<offset> <length>{}', got '{}'", line_number,
                          with_hashes ? " <hash>" : "", line.substr(0, 120));
      return false;
    }
    if (with_hashes) chunk.hash = std::string(fields[2]);
    chunks.push_back(std::move(chunk));
  }
  return true;
}

std::string CheckTiling(const std::vector<Chunk>& chunks, int64_t file_size, int64_t min, int64_t max) {
  int64_t next = 0;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    if (c.offset != next) return fmt::format("chunk {} starts at {}, expected {}", i + 1, c.offset, next);
    if (c.length == 0 || c.length > max) return fmt::format("chunk {} has length {} (max {})", i + 1, c.length, max);
    if (c.length < min && i + 1 != chunks.size()) {
      return fmt::format("chunk {} has length {}, shorter than min {} and not the last", i + 1, c.length, min);
    }
    next += c.length;
  }
  if (next != file_size) return fmt::format("chunk lengths add up to {}, the file has {} bytes", next, file_size);
  return "";
}

std::string CompareChunks(const std::vector<Chunk>& expected, const std::vector<Chunk>& actual, bool compare_hashes) {
  for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
    const Chunk& e = expected[i];
    const Chunk& a = actual[i];
    if (e.offset != a.offset || e.length != a.length) {
      return fmt::format("chunk {}: {} {}, SPEC.md's FastCDC cuts {} {}", i + 1, a.offset, a.length, e.offset,
                         e.length);
    }
    if (compare_hashes && e.hash != a.hash) {
      return fmt::format("chunk {} (offset {}): hash {}, expected {}", i + 1, a.offset, a.hash, e.hash);
    }
  }
  if (expected.size() != actual.size()) {
    return fmt::format("{} chunks, SPEC.md's FastCDC finds {}", actual.size(), expected.size());
  }
  return "";
}

void HashChunks(const std::filesystem::path& file, std::vector<Chunk>& chunks) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw SetupError(fmt::format("cannot read {}; delete the harness cache (.cache/sync_engine)", file.string()));
  std::string buffer;
  for (Chunk& chunk : chunks) {
    buffer.resize(static_cast<size_t>(chunk.length));
    in.seekg(chunk.offset);
    in.read(buffer.data(), chunk.length);
    if (in.gcount() != chunk.length) throw SetupError(fmt::format("{} is shorter than its chunks", file.string()));
    chunk.hash = sync_corpus::Sha256Hex(buffer);
  }
}

std::string FormatChunks(const std::vector<Chunk>& chunks) {
  std::string out;
  for (const Chunk& c : chunks) out += fmt::format("{} {} {}\n", c.offset, c.length, c.hash);
  return out;
}

}  // namespace claimbench::sync_engine_workload
