#include "columnar_scan_workload.h"

#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "answer_check.h"
#include "bandwidth_probe.h"
#include "claimbench/atomic_file.h"
#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "column_store.h"
#include "generate.h"
#include "query.h"

namespace claimbench::columnar_scan_workload {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

fs::path ProjectRoot() {
  const char* root = std::getenv("CLAIMBENCH_ROOT");
  return root != nullptr && *root != '\0' ? fs::path(root) : fs::path(CLAIMBENCH_COLUMNAR_SOURCE_DIR);
}


// Shared by every case of one scale factor: generating SF 1 takes half a minute, so it is done once and
// kept in the harness's cache (a directory with a manifest is complete; see engine/generate.h).
fs::path DataDir(const fs::path& case_dir, const std::string& sf) { return case_dir.parent_path() / ("data-sf" + sf); }

// The probe's bytes per second for `threads`, measured once per harness run (the same session as the
// queries) and reused by every case with that thread count.
// Where Prepare leaves the probe's bytes per second on `threads` threads, for Verify.
fs::path ProbeFile(const fs::path& case_dir, int threads) {
  return case_dir / fmt::format("probe_read_bytes_per_s_t{}", threads);
}

double ReadBandwidth(int threads) {
  static std::mutex mutex;
  static std::map<int, double> measured;
  std::lock_guard lock(mutex);
  auto it = measured.find(threads);
  if (it == measured.end()) it = measured.emplace(threads, columnar::MeasureReadBandwidth(threads)).first;
  return it->second;
}

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

  void Prepare(const CaseSpec& spec, const fs::path& case_dir) const override {
    CaseParameters params(spec);
    const std::string sf = params.String("sf");
    const std::string query = params.Choice("query", {"q1", "q6", "q3", "q18"});
    const int threads = static_cast<int>(params.Int("threads", 1, 1024));
    const fs::path root = ProjectRoot();
    const fs::path data = DataDir(case_dir, sf);
    try {
      if (!fs::exists(data / "manifest.json") || !fs::exists(data / "parquet" / "lineitem.parquet")) {
        columnar::GenerateOptions options;
        options.scale_factor = sf;
        options.out_dir = data;
        options.generator = (root / ".venv" / "bin" / "tpchgen-cli").string();
        options.parquet = true;
        columnar::Generate(options);
      }
      // Bytes the query reads in the columnar format: the same figure for every implementation.
      columnar::ColumnStore store(data);
      int64_t bytes = 0;
      for (const auto& [table, column] : columnar::QueryColumns(query)) {
        const columnar::ColumnEntry* entry = store.Table(table).FindColumn(column);
        if (entry == nullptr) throw SetupError(fmt::format("{} has no column {}.{}; delete it to regenerate", data.string(), table, column));
        for (const columnar::FileEntry& file : entry->files) bytes += file.bytes;
      }
      WriteFileAtomically(case_dir / "bytes_touched", std::to_string(bytes));
      WriteFileAtomically(case_dir / "lineitem_rows", std::to_string(store.Rows("lineitem")));
    } catch (const columnar::DataError& error) {
      throw SetupError(error.what());
    }
    WriteFileAtomically(case_dir / "expected.csv", ExpectedAnswer(root, data, sf, query));
    // One probe per thread count the case runs at: its own, and the reference's thread baseline.
    for (int probe_threads : {threads, spec.thread_baseline}) {
      if (probe_threads < 1) continue;
      WriteFileAtomically(ProbeFile(case_dir, probe_threads), fmt::format("{:.0f}", ReadBandwidth(probe_threads)));
    }
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) const override {
    CaseParameters params(spec);
    return {"query",   "--data", DataDir(context.case_dir, params.String("sf")).string(),
            "--query", params.String("query"), "--threads", std::to_string(params.Int("threads", 1, 1024))};
  }

  Verdict Verify(const CaseSpec& spec, const RunContext& context, std::map<std::string, double>& metrics) const override {
    const int threads = static_cast<int>(CaseParameters(spec).Int("threads", 1, 1024));
    const std::string difference = columnar::CompareAnswers(ReadWholeFile(context.case_dir / "expected.csv"),
                                                            ReadWholeFile(context.stdout_path));
    if (!difference.empty()) return Verdict::Invalid(difference);
    auto timed = metrics.find("timed_ns");
    if (timed != metrics.end() && timed->second > 0) {
      const double seconds = timed->second / 1e9;
      const double bytes = std::stod(ReadWholeFile(context.case_dir / "bytes_touched"));
      const double probe = std::stod(ReadWholeFile(ProbeFile(context.case_dir, threads)));
      metrics["rows_per_s"] = std::stod(ReadWholeFile(context.case_dir / "lineitem_rows")) / seconds;
      metrics["bytes_per_s"] = bytes / seconds;
      metrics["probe_read_bytes_per_s"] = probe;
      metrics["read_bandwidth_pct"] = 100.0 * bytes / seconds / probe;
    }
    return Verdict::Ok();
  }

 private:
  // The answer every implementation must give. At SF 1, Q1 and Q6 have TPC-H's official answers
  // (data/); every query at every scale also gets DuckDB's answer, computed once per dataset, when
  // DuckDB is installed, and at SF 1 DuckDB must agree with the official answer (which also proves the
  // generated data is dbgen's). Never the C++ reference's own output.
  static std::string ExpectedAnswer(const fs::path& root, const fs::path& data, const std::string& sf,
                                    const std::string& query) {
    const fs::path workload = root / "workloads" / "columnar_scan";
    const fs::path golden = workload / "data" / fmt::format("{}_sf{}.csv", query, sf);
    const fs::path cached = data / "expected" / fmt::format("{}.duckdb.csv", query);
    std::string duckdb_answer;
    if (!fs::exists(cached)) {
      fs::create_directories(cached.parent_path());
      const fs::path temp = cached.string() + ".tmp";
      try {
        columnar::RunProgram({(root / ".venv" / "bin" / "python").string(), (workload / "impls" / "duckdb" / "duckdb_impl.py").string(),
                              "query", "--data", data.string(), "--query", query, "--threads",
                              std::to_string(std::max(1U, std::thread::hardware_concurrency()))},
                             temp);
        fs::rename(temp, cached);
      } catch (const columnar::DataError&) {
        fs::remove(temp);  // DuckDB is not installed or failed: fall back to the golden, if there is one
      }
    }
    if (fs::exists(cached)) duckdb_answer = ReadWholeFile(cached);
    if (fs::exists(golden)) {
      const std::string official = ReadWholeFile(golden);
      if (!duckdb_answer.empty()) {
        if (std::string difference = columnar::CompareAnswers(official, duckdb_answer); !difference.empty()) {
          throw SetupError(fmt::format("DuckDB's {} at SF {} differs from TPC-H's official answer ({}): the generated "
                                       "data is not dbgen's; delete {} to regenerate",
                                       query, sf, difference, data.string()));
        }
      }
      return official;
    }
    if (duckdb_answer.empty()) {
      throw SetupError(fmt::format("no independent answer for {} at SF {}: install DuckDB with ./claimbench setup, or "
                                   "use SF 1 for q1 and q6 (official answers)",
                                   query, sf));
    }
    return duckdb_answer;
  }
};

}  // namespace

std::unique_ptr<Workload> MakeColumnarScanWorkload() { return std::make_unique<ColumnarScanWorkload>(); }

}  // namespace claimbench::columnar_scan_workload
