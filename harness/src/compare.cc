#include "claimbench/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/result_json.h"
#include "claimbench/statistics.h"
#include "claimbench/summary_table.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

bool IsTimeLike(const MetricDescriptor& metric) {
  return metric.unit == "ns" || metric.unit.ends_with("_per_s");
}

MetricChange Judge(const ImplementationResult& base, const ImplementationResult& next, const MetricDescriptor& metric,
                   const CompareOptions& options) {
  MetricChange change;
  change.benchmark = next.name;
  change.metric = metric.name;
  change.unit = metric.unit;
  change.higher_is_better = metric.higher_is_better;
  change.primary = metric.name == next.primary_metric;
  std::vector<double> a = CountedValues(base.samples, metric.name);
  std::vector<double> b = CountedValues(next.samples, metric.name);
  change.base_n = static_cast<int64_t>(a.size());
  change.new_n = static_cast<int64_t>(b.size());
  if (a.size() < 3 || b.size() < 3) {
    change.verdict = "inconclusive";
    if (!a.empty()) change.base_median = stats::Summarize(a).median;
    if (!b.empty()) change.new_median = stats::Summarize(b).median;
    return change;
  }
  change.base_median = stats::Summarize(a).median;
  change.new_median = stats::Summarize(b).median;
  if (change.base_median == 0) {
    // No ratio exists; equal zeros (e.g. no system time at all) are no change.
    change.verdict = change.new_median == 0 ? "within noise" : "inconclusive";
    change.ratio = change.new_median == 0 ? 1.0 : 0.0;
    return change;
  }
  stats::Interval ratio = stats::RatioOfMediansCi(b, a, 0.95, 10000, 11);
  change.ratio = ratio.point;
  change.ci95_low = ratio.low;
  change.ci95_high = ratio.high;
  change.p_value = stats::MannWhitneyU(b, a).p_value;
  bool significant = change.p_value < options.alpha && (ratio.low > 1.0 || ratio.high < 1.0);
  bool worse = (ratio.point > 1.0) != metric.higher_is_better;
  if (ratio.low >= 1.0 - options.threshold && ratio.high <= 1.0 + options.threshold) {
    // The whole interval is smaller than the threshold: whatever changed is too small to matter.
    change.verdict = "within noise";
  } else if (significant) {
    if (IsTimeLike(metric)) {
      change.verdict = worse ? "slower" : "faster";
    } else {
      change.verdict = worse ? "worse" : "better";
    }
    bool large = std::abs(ratio.point - 1.0) > options.threshold;
    change.regression = worse && large && (change.primary || options.all_metrics);
  } else if (std::abs(ratio.point - 1.0) <= options.threshold) {
    // Not significant and small: benchstat's "~".
    change.verdict = "within noise";
  } else {
    // A large apparent change that the noise can neither confirm nor rule out.
    change.verdict = "inconclusive";
  }
  return change;
}

std::string FormatRatio(const MetricChange& c) {
  if (c.ratio == 0) return "-";
  return fmt::format("{:.3f} [{:.3f}, {:.3f}]", c.ratio, c.ci95_low, c.ci95_high);
}

}  // namespace

CompareReport CompareRuns(const RunResult& base, const RunResult& next, const CompareOptions& options) {
  CompareReport report;
  std::map<std::string, const ImplementationResult*> base_by_name;
  for (const ImplementationResult& r : base.benchmarks) base_by_name[r.name] = &r;
  std::map<std::string, bool> seen;
  for (const ImplementationResult& n : next.benchmarks) {
    seen[n.name] = true;
    auto it = base_by_name.find(n.name);
    if (it == base_by_name.end()) {
      report.notes.push_back(fmt::format("{}: only in NEW ({})", n.name, ToString(n.status)));
      continue;
    }
    const ImplementationResult& b = *it->second;
    if (b.status == RunStatus::kOk && n.status != RunStatus::kOk) {
      report.notes.push_back(fmt::format("{}: was ok, now {}: {}", n.name, ToString(n.status), n.error));
      if (n.status == RunStatus::kFailed || n.status == RunStatus::kInvalid) report.regression = true;
      continue;
    }
    if (b.status != RunStatus::kOk || n.status != RunStatus::kOk) {
      if (b.status != n.status) {
        report.notes.push_back(fmt::format("{}: {} in BASE, {} in NEW", n.name, ToString(b.status), ToString(n.status)));
      }
      continue;
    }
    for (const MetricDescriptor& metric : n.metrics) {
      bool in_base = std::any_of(b.metrics.begin(), b.metrics.end(),
                                 [&](const MetricDescriptor& m) { return m.name == metric.name; });
      if (!in_base) continue;
      MetricChange change = Judge(b, n, metric, options);
      if (change.base_n == 0 && change.new_n == 0) continue;
      report.regression = report.regression || change.regression;
      report.changes.push_back(std::move(change));
    }
  }
  for (const ImplementationResult& b : base.benchmarks) {
    if (!seen.contains(b.name)) report.notes.push_back(fmt::format("{}: only in BASE", b.name));
  }
  return report;
}

RunResult LoadRunOrDirectory(const fs::path& path) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    if (!fs::exists(path, error)) {
      throw SetupError(fmt::format("{} does not exist; give a result file (results/run-*.json) or a directory of them",
                                   path.string()));
    }
    return ReadResultFile(path);
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("run-") && name.ends_with(".json")) files.push_back(entry.path());
  }
  if (files.empty()) throw SetupError(fmt::format("{} holds no run-*.json result files", path.string()));
  std::sort(files.begin(), files.end());
  RunResult merged = ReadResultFile(files.front());
  for (size_t i = 1; i < files.size(); ++i) {
    RunResult more = ReadResultFile(files[i]);
    for (ImplementationResult& r : more.benchmarks) {
      std::erase_if(merged.benchmarks, [&](const ImplementationResult& m) { return m.name == r.name; });
      merged.benchmarks.push_back(std::move(r));
    }
  }
  return merged;
}

void WriteCompareText(std::ostream& out, const CompareReport& report, const CompareOptions& options) {
  out << fmt::format("{:<44} {:<20} {:>12} {:>12} {:>28} {:>8}  {}\n", "benchmark", "metric", "base", "new",
                     "new/base [95% CI]", "p", "verdict");
  for (const MetricChange& c : report.changes) {
    if (!c.primary && !options.all_metrics && !c.regression) continue;
    out << fmt::format("{:<44} {:<20} {:>12} {:>12} {:>28} {:>8.3g}  {}{}\n", c.benchmark, c.metric,
                       FormatQuantity(c.base_median, c.unit), FormatQuantity(c.new_median, c.unit), FormatRatio(c),
                       c.p_value, c.verdict, c.regression ? "  REGRESSION" : "");
  }
  for (const std::string& note : report.notes) out << "note: " << note << "\n";
  out << (report.regression
              ? fmt::format("verdict: regression beyond {:.0f}% (significant at p < {})\n", options.threshold * 100,
                            options.alpha)
              : fmt::format("verdict: no significant regression beyond {:.0f}%\n", options.threshold * 100));
}

void WriteCompareMarkdown(std::ostream& out, const CompareReport& report, const CompareOptions& options) {
  out << "| benchmark | metric | base | new | new/base [95% CI] | p | verdict |\n";
  out << "|---|---|---:|---:|---:|---:|---|\n";
  for (const MetricChange& c : report.changes) {
    if (!c.primary && !options.all_metrics && !c.regression) continue;
    out << fmt::format("| `{}` | {} | {} | {} | {} | {:.3g} | {}{} |\n", c.benchmark, c.metric,
                       FormatQuantity(c.base_median, c.unit), FormatQuantity(c.new_median, c.unit), FormatRatio(c),
                       c.p_value, c.verdict, c.regression ? " **regression**" : "");
  }
  if (!report.notes.empty()) {
    out << "\n";
    for (const std::string& note : report.notes) out << "- " << note << "\n";
  }
  out << "\n**Verdict:** "
      << (report.regression ? fmt::format("regression beyond {:.0f}%.", options.threshold * 100)
                            : fmt::format("no significant regression beyond {:.0f}%.", options.threshold * 100))
      << "\n";
}

}  // namespace claimbench
