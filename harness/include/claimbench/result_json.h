// Result files: RunResult <-> JSON, one file per `claimbench run`.
//
// Design: the file is a Google Benchmark JSON report with claimbench's data added beside it, so that
// Google Benchmark's own tools (compare.py) can read it unchanged: `context` holds Google Benchmark's
// standard context keys plus the environment fingerprint, each `benchmarks[]` entry is a Google Benchmark
// "median" aggregate (real_time, cpu_time in ns) plus every field of ImplementationResult, and the
// run-level data sits under `claimbench`. The Google Benchmark keys are derived from claimbench's fields
// and ignored when reading, so ToJson -> RunResultFromJson is lossless. docs/result_format.md documents
// every field; results/schema.json is the JSON Schema.
//
// Non-finite doubles (NaN, +-inf) are written as JSON null and read back as NaN, so a file is always
// valid JSON. Strings that are not valid UTF-8 (e.g. a crashed program's stderr) have their invalid bytes
// written as U+FFFD.
//
// Thread-safety: all functions are reentrant; they share no state.
#pragma once

#include <filesystem>
#include <string_view>

#include <nlohmann/json.hpp>

#include "claimbench/result.h"

namespace claimbench {

// Google Benchmark's `real_time` (ns) is the median of the benchmark's primary metric when that is a time
// (timed_ns for batch cases), else of kPrimaryTimeMetric.
inline constexpr std::string_view kPrimaryTimeMetric = "wall_ns";
// Google Benchmark's `cpu_time` (ns) is the median over ok, non-warm-up samples of kCpuTimeMetric, or, for
// samples without it, of kUserTimeMetric + kSystemTimeMetric.
inline constexpr std::string_view kCpuTimeMetric = "cpu_ns";
inline constexpr std::string_view kUserTimeMetric = "user_cpu_ns";
inline constexpr std::string_view kSystemTimeMetric = "sys_cpu_ns";

// The whole result as JSON (shape above). A null `result.context` is written as an empty object.
// Never throws for any RunResult content (except std::bad_alloc).
nlohmann::json ToJson(const RunResult& result);

// Parses what ToJson produced. Unknown keys are ignored (they may come from a newer, compatible writer).
// Throws SetupError, with a one-line message that names the offending field (e.g.
// "benchmarks[2].samples[0].status: unknown status 'okk'"), when schema_version is missing, newer than
// kResultSchemaVersion ("...; update claimbench") or older than any supported version, when a required
// field is missing, or when a field has the wrong type or an unknown enum value.
RunResult RunResultFromJson(const nlohmann::json& json);

// Writes ToJson(result), pretty-printed with a 2-space indent and a final newline, atomically
// (WriteFileAtomically: the old file stays intact on failure). Throws SetupError naming `path`.
void WriteResultFile(const std::filesystem::path& path, const RunResult& result);

// Reads and parses a result file. Throws SetupError whose message starts with `path` when the file
// cannot be read, is not valid JSON, or fails RunResultFromJson.
RunResult ReadResultFile(const std::filesystem::path& path);

}  // namespace claimbench
