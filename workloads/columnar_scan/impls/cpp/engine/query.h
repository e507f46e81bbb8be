// The queries of the workload (SPEC.md, "Queries") and how the CLI runs them.
//
// Design: compiled-style execution. Each query is one hand-written pipeline per operator stage (filter +
// aggregate fused in a tight loop over a morsel of rows, hash-free joins on dense keys), written once as a
// template over a table accessor, so the column-store and the row-store (array of structs) variants run
// the same code and differ only in memory layout: that difference is the claim being measured. Morsels
// are spread over threads with oneTBB; every partial state is exact (fixed-point, __int128 where a sum
// can pass 2^63) and partials are merged in a fixed order, so the answer does not depend on the thread
// count.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "column_store.h"

namespace claimbench::columnar {

enum class Layout { kColumns, kRows };

struct QueryOutput {
  std::string csv;             // header row, then the result rows, each ending in '\n'
  int64_t bytes_touched = 0;   // bytes of the columns (or rows) the query scans
  int64_t rows_scanned = 0;    // lineitem rows scanned
};

// A query with its inputs mapped (and, for kRows, converted to rows): what the timed part runs.
class PreparedQuery {
 public:
  virtual ~PreparedQuery() = default;
  // Runs the query on up to `threads` threads (>= 1). Thread-safe only against itself not running.
  virtual QueryOutput Execute(int threads) const = 0;
};

// The names SPEC.md defines, in order: q1, q6, q3, q18.
std::vector<std::string> QueryNames();

// The (table, column) pairs `query` reads, to count the bytes it touches. Throws DataError for an unknown
// query.
std::vector<std::pair<std::string, std::string>> QueryColumns(std::string_view query);

// Maps the query's columns (checking them) and builds its inputs. Throws DataError for an unknown query
// (listing the known ones) or unusable data.
std::unique_ptr<PreparedQuery> PrepareQuery(std::string_view query, Layout layout, ColumnStore& store);

}  // namespace claimbench::columnar
