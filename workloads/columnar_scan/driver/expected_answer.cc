#include "expected_answer.h"

#include <algorithm>
#include <array>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "claimbench/atomic_file.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/implementation.h"
#include "claimbench/process.h"

namespace claimbench::columnar {
namespace {

namespace fs = std::filesystem;

// The engines whose answers are the expected ones where TPC-H publishes none: DuckDB, whose decimals are
// exact, and a second engine written by other people in another language, tried in this order (DataFusion
// first: its decimals are exact too).
constexpr std::string_view kExactEngine = "duckdb";
constexpr std::array<std::string_view, 3> kSecondEngines = {"datafusion", "polars", "pandas"};
// The peers that hold money in Float64, as their users' TPC-H code does (their impl.toml says so). Polars
// keeps its Decimal type (exact since it widens the rates' scale), so it is held to the cent like the rest.
constexpr std::array<std::string_view, 1> kFloat64MoneyEngines = {"pandas"};

// The last non-empty line of a file, for an error message; empty when there is none.
std::string LastLine(const fs::path& path) {
  std::string last;
  std::istringstream text(ReadFileIfPresent(path).value_or(""));
  for (std::string line; std::getline(text, line);) {
    if (!line.empty()) last = line;
  }
  return last.substr(0, 200);
}

// `engine`'s answer to `query` on `data`: cached in `answers_dir`, else computed now (untimed, on every
// core, with the environment the suite runner gives implementations) and cached.
EngineAnswer RunEngine(const Implementation& engine, const ProjectPaths& paths, const fs::path& data,
                       const fs::path& answers_dir, const std::string& query) {
  const fs::path cached = answers_dir / fmt::format("{}.{}.csv", query, engine.name);
  if (std::optional<std::string> text = ReadFileIfPresent(cached)) return {engine.name, std::move(*text)};
  if (std::string why = UnavailableReason(engine); !why.empty()) {
    throw SetupError(fmt::format("{} is needed for the expected answer to {} but cannot run: {}", engine.name, query,
                                 why));
  }
  fs::create_directories(answers_dir);
  ProcessSpec run;
  run.argv = engine.command;
  run.argv.insert(run.argv.end(), {"query", "--data", data.string(), "--query", query, "--threads",
                                   std::to_string(std::max(1U, std::thread::hardware_concurrency()))});
  run.env = ImplementationEnvironment(paths);
  run.stdout_path = answers_dir / fmt::format("{}.{}.tmp", query, engine.name);
  run.stderr_path = answers_dir / fmt::format("{}.{}.log", query, engine.name);
  run.timeout = std::chrono::hours(1);
  run.rss_sample_interval = std::chrono::nanoseconds(0);
  const ProcessResult result = RunToCompletion(run);
  if (!result.ok()) {
    const std::string last = LastLine(run.stderr_path);
    throw SetupError(fmt::format("{} could not compute the expected answer to {} ({}{}; log: {})", engine.name, query,
                                 result.error, last.empty() ? "" : ": " + last, run.stderr_path.string()));
  }
  std::string text = ReadWholeFile(run.stdout_path);
  WriteFileAtomically(cached, text);
  fs::remove(run.stdout_path);
  fs::remove(run.stderr_path);
  return {engine.name, std::move(text)};
}

const Implementation& RequireEngine(const WorkloadContext& workload, std::string_view name) {
  const Implementation* engine = workload.Find(name);
  if (engine == nullptr) {
    throw SetupError(fmt::format("columnar_scan has no '{}' implementation (impls/{}/), which the expected answers "
                                 "need; restore it from git",
                                 name, name));
  }
  return *engine;
}

}  // namespace

Precision PrecisionFor(std::string_view implementation) {
  const bool float_money = std::find(kFloat64MoneyEngines.begin(), kFloat64MoneyEngines.end(), implementation) !=
                           kFloat64MoneyEngines.end();
  return float_money ? Precision::kTpchTolerance : Precision::kExactDecimals;
}

std::string AgreedAnswer(const EngineAnswer& exact, const EngineAnswer& second, std::string_view what) {
  if (std::string difference = CompareAnswers(exact.text, second.text, PrecisionFor(second.engine));
      !difference.empty()) {
    throw SetupError(fmt::format("{} and {} disagree on {} ({} against {}: {}), so the case has no expected answer; "
                                 "delete .cache/columnar_scan/answers-* to compute both again",
                                 exact.engine, second.engine, what, second.engine, exact.engine, difference));
  }
  return exact.text;
}

void CheckOfficialAnswer(std::string_view official, const EngineAnswer& check, std::string_view what,
                         const fs::path& data_dir) {
  if (std::string difference = CompareAnswers(official, check.text, PrecisionFor(check.engine));
      !difference.empty()) {
    throw SetupError(fmt::format("{}'s {} differs from TPC-H's official answer ({}): the generated data is not "
                                 "dbgen's; delete {} to regenerate it",
                                 check.engine, what, difference, data_dir.string()));
  }
}

ExpectedAnswer FindExpectedAnswer(const WorkloadContext& workload, const fs::path& data, const fs::path& answers_dir,
                                  const std::string& sf, const std::string& query) {
  const std::string what = fmt::format("{} at SF {}", query, sf);
  const Implementation& duckdb = RequireEngine(workload, kExactEngine);
  const fs::path official_path = workload.dir / "data" / fmt::format("{}_sf{}.csv", query, sf);
  if (std::optional<std::string> official = ReadFileIfPresent(official_path)) {
    // DuckDB confirms the data is dbgen's where it can run; the answer is TPC-H's either way.
    if (fs::exists(answers_dir / fmt::format("{}.duckdb.csv", query)) || UnavailableReason(duckdb).empty()) {
      CheckOfficialAnswer(*official, RunEngine(duckdb, workload.paths, data, answers_dir, query), what, data);
    }
    return {std::move(*official), fmt::format("TPC-H's official answer ({})", official_path.filename().string())};
  }
  // The second engine: one whose answer is already cached, else the first that can run and finishes. One that
  // cannot finish (DataFusion's Q18 at SF 10 outgrows a 24 GiB machine's memory) hands over to the next, and
  // the answer's description says so; one that finishes and disagrees stops the case (AgreedAnswer).
  std::vector<const Implementation*> seconds;
  for (std::string_view name : kSecondEngines) {
    const Implementation* candidate = workload.Find(name);
    if (candidate == nullptr) continue;
    const bool cached = fs::exists(answers_dir / fmt::format("{}.{}.csv", query, name));
    if (cached) {
      seconds.insert(seconds.begin(), candidate);
    } else if (UnavailableReason(*candidate).empty()) {
      seconds.push_back(candidate);
    }
  }
  if (seconds.empty()) {
    throw SetupError(fmt::format("no second engine for the expected answer to {}: {} needs DuckDB and one of "
                                 "DataFusion, Polars and pandas to agree on it; install them with ./claimbench setup, or use SF 1 "
                                 "(TPC-H's official answers)",
                                 what, what));
  }
  const EngineAnswer exact = RunEngine(duckdb, workload.paths, data, answers_dir, query);
  std::vector<std::string> failures;
  for (const Implementation* second : seconds) {
    std::optional<EngineAnswer> other;
    try {
      other = RunEngine(*second, workload.paths, data, answers_dir, query);
    } catch (const SetupError& error) {
      failures.push_back(error.what());
      continue;
    }
    std::string description = fmt::format("the answer {} and {} agree on", exact.engine, other->engine);
    if (!failures.empty()) description += fmt::format(" ({})", fmt::join(failures, "; "));
    return {AgreedAnswer(exact, *other, what), std::move(description)};
  }
  throw SetupError(fmt::format("no second engine could compute the expected answer to {}: {}", what,
                               fmt::join(failures, "; ")));
}

}  // namespace claimbench::columnar
