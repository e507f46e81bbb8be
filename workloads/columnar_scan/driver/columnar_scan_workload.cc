#include "columnar_scan_workload.h"

#include <map>
#include <thread>

#include <fmt/format.h>

#include "answer_check.h"
#include "bandwidth_probe.h"
#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "column_store.h"
#include "expected_answer.h"
#include "generate.h"
#include "query.h"

namespace claimbench::columnar_scan_workload {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

struct ProfileSizes {
  std::string sf;
  std::vector<int> scan_threads;  // thread counts for the Q1 and Q6 cases
  int min_repetitions;
  int max_repetitions;
  double budget_s;  // per case, all implementations; pandas at SF 1 takes seconds per repetition
};

ProfileSizes SizesFor(std::string_view profile) {
  // "All threads" is a case of its own only where it is more than two.
  const int all = static_cast<int>(std::thread::hardware_concurrency());
  std::vector<int> full_threads = {1, 2};
  if (all > 2) full_threads.push_back(all);
  if (profile == "quick") return {"0.1", {1}, 3, 10, 15};
  if (profile == "standard") return {"1", {1, 2}, 5, 15, 60};
  if (profile == "full") return {"10", full_threads, 5, 20, 300};
  throw SetupError(fmt::format("unknown profile '{}'; choose quick, standard or full", profile));
}

// A case's parameters, read once.
struct ColumnarSettings {
  std::string query;
  std::string sf;
  int threads = 1;

  static ColumnarSettings From(const CaseSpec& spec) {
    CaseParameters params(spec);
    return {params.Choice("query", {"q1", "q6", "q3", "q18"}), params.String("sf"),
            static_cast<int>(params.Int("threads", 1, 1024))};
  }
};

// One prepared case: the dataset, the answer every implementation must give, and the figures its derived
// metrics need (bytes the query reads, rows, and this minute's read bandwidth on each thread count it runs).
class ColumnarCase final : public PreparedCase {
 public:
  ColumnarCase(fs::path data, columnar::ExpectedAnswer expected, double bytes_touched, double lineitem_rows,
               std::map<int, double> probe_bytes_per_s)
      : data_(std::move(data)),
        expected_(std::move(expected)),
        bytes_touched_(bytes_touched),
        lineitem_rows_(lineitem_rows),
        probe_bytes_per_s_(std::move(probe_bytes_per_s)) {}

  std::vector<Calibration> Calibrations() const override {
    std::vector<Calibration> out;
    for (const auto& [threads, bytes_per_s] : probe_bytes_per_s_) {
      out.push_back({fmt::format("probe_read_bytes_per_s_t{}", threads), bytes_per_s, "bytes_per_s",
                     fmt::format("best pass of a {}-thread sum over {} MiB, measured when the case was prepared; "
                                 "read_bandwidth_pct divides by it",
                                 threads, columnar::BandwidthProbeBytes() >> 20)});
    }
    return out;
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext&) override {
    const ColumnarSettings settings = ColumnarSettings::From(spec);
    return {"query", "--data", data_.string(), "--query", settings.query, "--threads", std::to_string(settings.threads)};
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) override {
    // Each implementation is held to what its money allows: exact decimals, or TPC-H's tolerances for the
    // engines that compute in Float64 (expected_answer.h).
    const std::string difference = columnar::CompareAnswers(expected_.text, ReadWholeFile(context.stdout_path),
                                                            columnar::PrecisionFor(context.implementation->name));
    if (!difference.empty()) return Verdict::Invalid(fmt::format("differs from {}: {}", expected_.source, difference));
    auto timed = metrics.find("timed_ns");
    if (timed != metrics.end() && timed->second > 0) {
      const double seconds = timed->second / 1e9;
      const double probe = probe_bytes_per_s_.at(ColumnarSettings::From(spec).threads);
      metrics["rows_per_s"] = lineitem_rows_ / seconds;
      metrics["bytes_per_s"] = bytes_touched_ / seconds;
      metrics["probe_read_bytes_per_s"] = probe;
      metrics["read_bandwidth_pct"] = 100.0 * bytes_touched_ / seconds / probe;
    }
    return Verdict::Ok();
  }

 private:
  fs::path data_;
  columnar::ExpectedAnswer expected_;
  double bytes_touched_;
  double lineitem_rows_;
  std::map<int, double> probe_bytes_per_s_;
};

class ColumnarScanWorkload final : public Workload {
 public:
  std::string Name() const override { return "columnar_scan"; }
  std::string Description() const override {
    return "TPC-H Q1, Q6, Q3, Q18 over columnar data: C++ (columns and rows) against DuckDB, Polars, pandas";
  }

  std::vector<CaseSpec> Cases(std::string_view profile) const override {
    const ProfileSizes sizes = SizesFor(profile);
    std::vector<CaseSpec> cases;
    auto add = [&](const std::string& query, int threads) {
      CaseSpec spec;
      spec.name = fmt::format("{}_t{}", query, threads);
      spec.description = fmt::format("TPC-H {} at SF {} on {} thread(s), answer verified", query, sizes.sf, threads);
      spec.parameters = {{"query", query}, {"sf", sizes.sf}, {"threads", std::to_string(threads)}};
      spec.warmup_repetitions = 1;
      spec.stopping.min_repetitions = sizes.min_repetitions;
      spec.stopping.max_repetitions = sizes.max_repetitions;
      spec.stopping.time_budget_s = sizes.budget_s;
      spec.timeout = seconds(sizes.sf == "10" ? 600 : 120);
      spec.primary_metric = "timed_ns";
      if (threads > 1) spec.thread_baseline = 1;  // the reference's speed-up over one thread, paired
      spec.extra_metrics = {{"rows_per_s", "items_per_s", true},
                            {"bytes_per_s", "bytes_per_s", true},
                            {"read_bandwidth_pct", "ratio", true},
                            {"probe_read_bytes_per_s", "bytes_per_s", true}};
      cases.push_back(std::move(spec));
    };
    // Q3 joins on a parallel build side: its scaling is measured with Q1's and Q6's.
    for (const char* query : {"q1", "q6", "q3"}) {
      for (int threads : sizes.scan_threads) add(query, threads);
    }
    add("q18", 1);
    return cases;
  }

  void Validate(const CaseSpec& spec) const override { (void)ColumnarSettings::From(spec); }

  std::unique_ptr<PreparedCase> Prepare(const CaseSpec& spec, const WorkloadContext& workload,
                                        const CaseDirs&) const override {
    const ColumnarSettings settings = ColumnarSettings::From(spec);
    // Shared by every case of one scale factor: generating SF 1 takes half a minute, so it is done once and
    // kept (a directory with a manifest is complete; see impls/cpp/engine/generate.h).
    const fs::path data = workload.cache_dir / ("data-sf" + settings.sf);
    // The engines' answers are kept beside the dataset, never inside it: no --data reaches them.
    const fs::path answers = workload.cache_dir / ("answers-sf" + settings.sf);
    int64_t bytes = 0;
    int64_t rows = 0;
    try {
      if (!fs::exists(data / "manifest.json") || !fs::exists(data / "parquet" / "lineitem.parquet")) {
        fs::remove_all(answers);  // answers about the dataset being replaced
        columnar::GenerateOptions options;
        options.scale_factor = settings.sf;
        options.out_dir = data;
        options.generator = (workload.paths.root / ".venv" / "bin" / "tpchgen-cli").string();
        options.parquet = true;
        columnar::Generate(options);
      }
      // Bytes the query reads in the columnar format: the same figure for every implementation.
      columnar::ColumnStore store(data);
      for (const auto& [table, column] : columnar::QueryColumns(settings.query)) {
        const columnar::ColumnEntry* entry = store.Table(table).FindColumn(column);
        if (entry == nullptr) {
          throw SetupError(fmt::format("{} has no column {}.{}; delete it to regenerate", data.string(), table, column));
        }
        for (const columnar::FileEntry& file : entry->files) bytes += file.bytes;
      }
      rows = store.Rows("lineitem");
    } catch (const columnar::DataError& error) {
      throw SetupError(error.what());
    }
    columnar::ExpectedAnswer expected =
        columnar::FindExpectedAnswer(workload, data, answers, settings.sf, settings.query);
    // One probe per thread count the case runs at, its own and the reference's thread baseline, in the same
    // minutes as the case: this machine's bandwidth drifts.
    std::map<int, double> probes;
    for (int threads : {settings.threads, spec.thread_baseline}) {
      if (threads >= 1 && !probes.contains(threads)) probes[threads] = columnar::MeasureReadBandwidth(threads);
    }
    return std::make_unique<ColumnarCase>(data, std::move(expected), static_cast<double>(bytes),
                                          static_cast<double>(rows), std::move(probes));
  }

};

}  // namespace

std::unique_ptr<Workload> MakeColumnarScanWorkload() { return std::make_unique<ColumnarScanWorkload>(); }

}  // namespace claimbench::columnar_scan_workload
