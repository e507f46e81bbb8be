#include "claimbench/summary_table.h"

#include <cmath>
#include <ostream>

#include <fmt/format.h>

namespace claimbench {
namespace {

const MetricStatistics* Find(const ImplementationResult& result, const std::string& metric) {
  for (const MetricStatistics& s : result.statistics) {
    if (s.metric.name == metric) return &s;
  }
  return nullptr;
}

// The comparison of `result` against its case's reference, on its primary metric.
const Comparison* FindComparison(const RunResult& run, const ImplementationResult& result) {
  std::string reference;
  for (const ImplementationResult& r : run.benchmarks) {
    if (r.workload == result.workload && r.case_name == result.case_name && r.role == "reference") {
      reference = r.implementation;
    }
  }
  for (const Comparison& c : run.comparisons) {
    if (c.workload == result.workload && c.case_name == result.case_name && c.contender == result.implementation &&
        c.metric == result.primary_metric && c.baseline == reference) {
      return &c;
    }
  }
  return nullptr;
}

// An implementation that has no equivalent of the case (impl.toml `cases`; NotInCaseReason's wording):
// the JSON keeps the row, the table leaves it out, since a peer without the case is not news in every case.
bool HasNoEquivalent(const ImplementationResult& result) {
  return result.status == RunStatus::kUnavailable && result.error.starts_with("takes part only in ");
}

std::string FormatRatio(const Comparison& c) {
  if (std::isnan(c.ci95_low) || std::isnan(c.ci95_high)) {
    return fmt::format("{:.2f}x, too few pairs ({})", c.ratio, c.pairs);
  }
  return fmt::format("{:.2f}x [{:.2f}, {:.2f}]", c.ratio, c.ci95_low, c.ci95_high);
}

}  // namespace

std::string FormatQuantity(double value, const std::string& unit) {
  if (unit == "ns") {
    if (value >= 1e9) return fmt::format("{:.3g} s", value / 1e9);
    if (value >= 1e6) return fmt::format("{:.3g} ms", value / 1e6);
    if (value >= 1e3) return fmt::format("{:.3g} us", value / 1e3);
    return fmt::format("{:.3g} ns", value);
  }
  if (unit == "bytes") {
    if (value >= 1024.0 * 1024 * 1024) return fmt::format("{:.3g} GiB", value / (1024.0 * 1024 * 1024));
    if (value >= 1024.0 * 1024) return fmt::format("{:.3g} MiB", value / (1024.0 * 1024));
    return fmt::format("{:.3g} KiB", value / 1024.0);
  }
  if (unit.ends_with("_per_s")) return fmt::format("{:.3g}/s", value);
  return fmt::format("{:.4g}", value);
}

void WriteSummaryTable(std::ostream& out, const RunResult& run) {
  out << fmt::format("\nclaimbench {} run {} ({} variant)\n", run.profile, run.run_id, run.variant);
  out << fmt::format("{:<40} {:<8} {:>4} {:>16} {:>24} {:>22} {:>10}\n", "benchmark", "status", "n", "metric",
                     "median [95% CI]", "vs reference [95% CI]", "peak RSS");
  for (const ImplementationResult& result : run.benchmarks) {
    if (HasNoEquivalent(result)) continue;
    if (result.status == RunStatus::kUnavailable || (result.status != RunStatus::kOk && result.statistics.empty())) {
      out << fmt::format("{:<40} {:<8} {}\n", result.name, ToString(result.status), result.error);
      continue;
    }
    const MetricStatistics* primary = Find(result, result.primary_metric);
    const MetricStatistics* rss = Find(result, "peak_rss_bytes");
    std::string median = primary == nullptr ? "-"
                                            : fmt::format("{} [{}, {}]", FormatQuantity(primary->median, primary->metric.unit),
                                                          FormatQuantity(primary->ci95_low, primary->metric.unit),
                                                          FormatQuantity(primary->ci95_high, primary->metric.unit));
    std::string ratio = result.role == "reference" ? "reference" : "-";
    if (const Comparison* c = FindComparison(run, result)) {
      ratio = FormatRatio(*c);
    }
    out << fmt::format("{:<40} {:<8} {:>4} {:>16} {:>24} {:>22} {:>10}\n", result.name, ToString(result.status),
                       primary == nullptr ? 0 : primary->n, result.primary_metric, median, ratio,
                       rss == nullptr ? "-" : FormatQuantity(rss->median, "bytes"));
    if (result.status != RunStatus::kOk) out << fmt::format("{:<40} {}\n", "", result.error);
  }
  for (const std::string& warning : run.warnings) out << "warning: " << warning << "\n";
}

}  // namespace claimbench
