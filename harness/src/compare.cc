#include "claimbench/compare.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <ostream>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/result_json.h"
#include "claimbench/statistics.h"
#include "claimbench/summary_table.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;

// A benchmark is the same benchmark only with the same parameters: a changed input size is another one.
using BenchmarkKey = std::pair<std::string, std::map<std::string, std::string>>;

BenchmarkKey KeyOf(const ImplementationResult& r) { return {r.name, r.parameters}; }

std::string Overrides(const std::map<std::string, std::string>& overrides) {
  if (overrides.empty()) return "none";
  std::vector<std::string> parts;
  for (const auto& [key, value] : overrides) parts.push_back(key + "=" + value);
  return fmt::format("{}", fmt::join(parts, " "));
}

// The value at context[object][key] as text ("absent" when it is not there), for RunDifferences.
std::string ContextValue(const nlohmann::json& context, const char* object, const char* key) {
  if (!context.is_object()) return "absent";
  auto outer = context.find(object);
  if (outer == context.end() || !outer->is_object()) return "absent";
  auto inner = outer->find(key);
  if (inner == outer->end()) return "absent";
  return inner->is_string() ? inner->get<std::string>() : inner->dump();
}

// "work_units: 200000 in BASE, 2000000 in NEW" for every parameter that differs.
std::string ParameterDifferences(const std::map<std::string, std::string>& base,
                                 const std::map<std::string, std::string>& next) {
  std::set<std::string> keys;
  for (const auto& [key, value] : base) keys.insert(key);
  for (const auto& [key, value] : next) keys.insert(key);
  std::vector<std::string> parts;
  for (const std::string& key : keys) {
    auto b = base.find(key);
    auto n = next.find(key);
    const std::string in_base = b == base.end() ? "absent" : b->second;
    const std::string in_next = n == next.end() ? "absent" : n->second;
    if (in_base != in_next) parts.push_back(fmt::format("{}: {} in BASE, {} in NEW", key, in_base, in_next));
  }
  return fmt::format("{}", fmt::join(parts, "; "));
}

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

std::vector<std::string> RunDifferences(const RunResult& base, const RunResult& next) {
  std::vector<std::string> differences;
  auto differ = [&](const char* what, const std::string& in_base, const std::string& in_next) {
    if (in_base != in_next) differences.push_back(fmt::format("{}: {} in BASE, {} in NEW", what, in_base, in_next));
  };
  differ("profile", base.profile, next.profile);
  differ("variant", base.variant, next.variant);
  differ("parameter overrides", Overrides(base.parameter_overrides), Overrides(next.parameter_overrides));
  differ("CPU model", ContextValue(base.context, "cpu", "model"), ContextValue(next.context, "cpu", "model"));
  differ("logical cores", ContextValue(base.context, "cpu", "logical_cores"),
         ContextValue(next.context, "cpu", "logical_cores"));
  return differences;
}

CompareReport CompareRuns(const RunResult& base, const RunResult& next, const CompareOptions& options) {
  CompareReport report;
  report.differences = RunDifferences(base, next);
  std::map<BenchmarkKey, const ImplementationResult*> base_by_key;
  std::multimap<std::string, const ImplementationResult*> base_by_name;
  for (const ImplementationResult& r : base.benchmarks) {
    base_by_key[KeyOf(r)] = &r;
    base_by_name.emplace(r.name, &r);
  }
  std::multimap<std::string, const ImplementationResult*> next_by_name;
  for (const ImplementationResult& r : next.benchmarks) next_by_name.emplace(r.name, &r);
  // " (the other side has it with: k: a in BASE, b in NEW)" when the name is there with other parameters.
  auto with_other_parameters = [](const std::multimap<std::string, const ImplementationResult*>& other,
                                  const ImplementationResult& r, bool r_is_base) {
    auto it = other.find(r.name);
    if (it == other.end()) return std::string();
    const std::string differences = r_is_base ? ParameterDifferences(r.parameters, it->second->parameters)
                                              : ParameterDifferences(it->second->parameters, r.parameters);
    return fmt::format(" (with other parameters in {}: {})", r_is_base ? "NEW" : "BASE", differences);
  };

  std::set<BenchmarkKey> matched;
  for (const ImplementationResult& n : next.benchmarks) {
    auto it = base_by_key.find(KeyOf(n));
    if (it == base_by_key.end()) {
      report.notes.push_back(
          fmt::format("{}: only in NEW ({}){}", n.name, ToString(n.status), with_other_parameters(base_by_name, n, false)));
      continue;
    }
    matched.insert(it->first);
    const ImplementationResult& b = *it->second;
    if (b.status == RunStatus::kOk && n.status != RunStatus::kOk) {
      // Failed, invalid, unavailable or interrupted: whatever the reason, it is no longer measured.
      report.notes.push_back(fmt::format("{}: was ok, now {}: {}", n.name, ToString(n.status), n.error));
      report.regression = true;
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
    if (matched.contains(KeyOf(b))) continue;
    if (b.status == RunStatus::kOk) {
      report.notes.push_back(fmt::format("{}: was ok, missing in NEW{}", b.name, with_other_parameters(next_by_name, b, true)));
      report.regression = true;
    } else {
      report.notes.push_back(fmt::format("{}: only in BASE ({})", b.name, ToString(b.status)));
    }
  }
  return report;
}

namespace {

// A file naming one benchmark twice cannot say which of the two to compare: refuse it, naming both.
void RequireUniqueBenchmarks(const RunResult& run, const fs::path& path) {
  std::map<BenchmarkKey, size_t> first_index;
  for (size_t i = 0; i < run.benchmarks.size(); ++i) {
    auto [it, inserted] = first_index.emplace(KeyOf(run.benchmarks[i]), i);
    if (!inserted) {
      throw SetupError(fmt::format("{}: benchmarks[{}] ({}) repeats benchmarks[{}] with the same parameters; a run "
                                   "writes each benchmark once, so this file was edited or merged by hand",
                                   path.string(), i, run.benchmarks[i].name, it->second));
    }
  }
}

RunResult ReadComparable(const fs::path& path) {
  RunResult run = ReadResultFile(path);
  RequireUniqueBenchmarks(run, path);
  return run;
}

}  // namespace

RunResult LoadRunOrDirectory(const fs::path& path, bool allow_different) {
  std::error_code error;
  if (!fs::is_directory(path, error)) {
    if (!fs::exists(path, error)) {
      throw SetupError(fmt::format("{} does not exist; give a result file (results/run-*.json) or a directory of them",
                                   path.string()));
    }
    return ReadComparable(path);
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("run-") && name.ends_with(".json")) files.push_back(entry.path());
  }
  if (files.empty()) throw SetupError(fmt::format("{} holds no run-*.json result files", path.string()));
  std::sort(files.begin(), files.end());
  RunResult merged = ReadComparable(files.front());
  for (size_t i = 1; i < files.size(); ++i) {
    RunResult more = ReadComparable(files[i]);
    if (std::vector<std::string> differences = RunDifferences(merged, more); !differences.empty() && !allow_different) {
      throw SetupError(fmt::format("{}: cannot be merged with {} ({}); keep runs of one profile, variant, parameters "
                                   "and machine in a directory, or pass --allow-different",
                                   files[i].string(), files.front().string(), fmt::join(differences, "; ")));
    }
    for (ImplementationResult& r : more.benchmarks) {
      std::erase_if(merged.benchmarks, [&](const ImplementationResult& m) { return KeyOf(m) == KeyOf(r); });
      merged.benchmarks.push_back(std::move(r));
    }
  }
  return merged;
}

void WriteCompareText(std::ostream& out, const CompareReport& report, const CompareOptions& options) {
  if (!report.differences.empty()) {
    out << "WARNING: these runs measured different things (--allow-different); their ratios are not a fair "
           "comparison:\n";
    for (const std::string& difference : report.differences) out << "WARNING:   " << difference << "\n";
  }
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
  if (!report.differences.empty()) {
    out << "> **Warning:** these runs measured different things (`--allow-different`); their ratios are not a "
           "fair comparison:\n";
    for (const std::string& difference : report.differences) out << "> - " << difference << "\n";
    out << "\n";
  }
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
