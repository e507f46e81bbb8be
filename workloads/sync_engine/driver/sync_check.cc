#include "sync_check.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace claimbench::sync_engine_workload {

bool ParseSyncStats(std::string_view stdout_text, SyncStats& stats, std::string& error) {
  while (!stdout_text.empty() && (stdout_text.back() == '\n' || stdout_text.back() == ' ')) stdout_text.remove_suffix(1);
  const size_t newline = stdout_text.rfind('\n');
  const std::string_view last = newline == std::string_view::npos ? stdout_text : stdout_text.substr(newline + 1);
  if (last.empty()) {
    error = "no statistics: stdout is empty (SPEC.md: the last line is one JSON object)";
    return false;
  }
  try {
    const nlohmann::json json = nlohmann::json::parse(last);
    stats.tree_hash = json.at("tree_hash").get<std::string>();
    stats.bytes_scanned = json.at("bytes_scanned").get<int64_t>();
    stats.bytes_uploaded = json.at("bytes_uploaded").get<int64_t>();
    stats.chunks_new = json.value("chunks_new", int64_t{0});
    stats.chunks_deduplicated = json.value("chunks_deduplicated", int64_t{0});
    stats.deduplicates = json.value("deduplicates", true);
    stats.chunk_max_bytes = json.value("chunk_max_bytes", int64_t{0});
  } catch (const nlohmann::json::exception& e) {
    error = fmt::format("the last line of stdout is not the statistics object ({}): '{}'", e.what(),
                        last.substr(0, 120));
    return false;
  }
  return true;
}

SyncExpectation Expect(const sync_corpus::CorpusManifest& manifest, SyncKind kind, int64_t max_chunk) {
  SyncExpectation e;
  if (kind == SyncKind::kInitial) {
    e.tree_hash = manifest.v0.tree_hash;
    e.scanned_min = e.scanned_max = manifest.v0.logical_bytes;
    e.uploaded_min = manifest.v0.unique_bytes;
    e.uploaded_slack = max_chunk * manifest.v0.strict_edges;
  } else {
    e.tree_hash = manifest.v1.tree_hash;
    e.scanned_min = manifest.incremental_written_bytes;
    e.scanned_max = manifest.v1.logical_bytes;
    e.uploaded_min = manifest.incremental_new_bytes;
    e.uploaded_slack = max_chunk * manifest.incremental_strict_edges + 2 * max_chunk * manifest.incremental_resync_edges;
  }
  return e;
}

std::string CheckSyncStats(const SyncStats& stats, const SyncExpectation& expected) {
  if (stats.tree_hash != expected.tree_hash) {
    return fmt::format("statistics say tree_hash {}, the corpus's is {}", stats.tree_hash, expected.tree_hash);
  }
  if (stats.bytes_scanned < expected.scanned_min || stats.bytes_scanned > expected.scanned_max) {
    return fmt::format("bytes_scanned {}, expected {}", stats.bytes_scanned,
                       expected.scanned_min == expected.scanned_max
                           ? std::to_string(expected.scanned_min)
                           : fmt::format("{} to {}", expected.scanned_min, expected.scanned_max));
  }
  if (stats.bytes_uploaded < expected.uploaded_min) {
    return fmt::format("bytes_uploaded {} is less than the {} bytes of new content in the corpus", stats.bytes_uploaded,
                       expected.uploaded_min);
  }
  if (stats.deduplicates && stats.bytes_uploaded > expected.uploaded_min + expected.uploaded_slack) {
    return fmt::format("bytes_uploaded {} is above the dedup band: {} bytes of new content plus {} for chunk "
                       "granularity (README.md, Corpus)",
                       stats.bytes_uploaded, expected.uploaded_min, expected.uploaded_slack);
  }
  return "";
}

}  // namespace claimbench::sync_engine_workload
