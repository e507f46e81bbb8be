// Where a columnar_scan case's expected answer comes from; never from an implementation's own measured
// output, and never from the C++ reference:
//   - at SF 1, TPC-H's official answers (data/qN_sf1.csv, from the TPC-H tools' answers/ folder), which
//     DuckDB must reproduce when it is installed (proof that the generated data is dbgen's);
//   - at any other scale, the answer two independent engines agree on: DuckDB (exact decimals) and the
//     first installed of DataFusion (exact decimals), Polars and pandas (Float64 money, judged with TPC-H's
//     tolerances), each run once per dataset, untimed, when the
//     case is prepared, and cached in .cache/columnar_scan/answers-sf<N>/, outside the data directory every
//     implementation reads. If they disagree the case cannot be prepared.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "answer_check.h"
#include "claimbench/workload.h"

namespace claimbench::columnar {

// How closely `implementation`'s answers must match the expected one: kTpchTolerance for the engines that
// hold money in binary floating point (the pandas peer; its impl.toml says so), and
// kExactDecimals for every other implementation, as SPEC.md ("Money is exact") asks of them. Thread-safe.
Precision PrecisionFor(std::string_view implementation);

// One engine's answer to one query.
struct EngineAnswer {
  std::string engine;  // the implementation's name, e.g. "duckdb", "polars"
  std::string text;    // its CSV output
};

// The answer `exact` (an engine that keeps decimals exact) and `second` agree on: `exact`'s text, when
// `second` matches it under PrecisionFor(second.engine). Otherwise throws SetupError naming both engines,
// `what` (e.g. "q3 at SF 0.1") and the first difference. Pure; thread-safe.
std::string AgreedAnswer(const EngineAnswer& exact, const EngineAnswer& second, std::string_view what);

// Throws SetupError when `check` (an engine's answer at SF 1) differs from TPC-H's `official` answer under
// PrecisionFor(check.engine): the data in `data_dir` is then not dbgen's. Pure; thread-safe.
void CheckOfficialAnswer(std::string_view official, const EngineAnswer& check, std::string_view what,
                         const std::filesystem::path& data_dir);

// The answer every implementation of a case must give, and where it came from.
struct ExpectedAnswer {
  std::string text;
  std::string source;  // for messages: "TPC-H's official answer", "the answer DuckDB and Polars agree on"
};

// The expected answer to `query` on the dataset `data` generated at scale factor `sf`, as described at the
// top of this file. Runs the engines it needs (each at most once per dataset: cached in `answers_dir`).
// Throws SetupError when an engine it needs is not installed or fails, or when the engines disagree.
// Not thread-safe for one answers_dir (the runner prepares one case at a time).
ExpectedAnswer FindExpectedAnswer(const WorkloadContext& workload, const std::filesystem::path& data,
                                  const std::filesystem::path& answers_dir, const std::string& sf,
                                  const std::string& query);

}  // namespace claimbench::columnar
