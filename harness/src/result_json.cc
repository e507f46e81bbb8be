#include "claimbench/result_json.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "claimbench/atomic_file.h"
#include "claimbench/error.h"

namespace claimbench {
namespace {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------------
// Writing

json Number(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

json NumberMap(const std::map<std::string, double>& values) {
  json out = json::object();
  for (const auto& [key, value] : values) out[key] = Number(value);
  return out;
}

json PairArray(const std::vector<std::pair<int64_t, int64_t>>& pairs) {
  json out = json::array();
  for (const auto& [first, second] : pairs) out.push_back(json::array({first, second}));
  return out;
}

json MetricJson(const MetricDescriptor& metric) {
  return {{"name", metric.name},
          {"unit", metric.unit},
          {"higher_is_better", metric.higher_is_better},
          {"self_reported", metric.self_reported}};
}

json SampleJson(const Sample& sample) {
  return {{"sequence", sample.sequence},      {"repetition", sample.repetition},
          {"warmup", sample.warmup},          {"status", ToString(sample.status)},
          {"error", sample.error},            {"metrics", NumberMap(sample.metrics)}};
}

// Flat (metric name beside the numbers) so that a report can filter rows by "metric" directly.
json StatisticsJson(const MetricStatistics& s) {
  return {{"metric", s.metric.name},
          {"unit", s.metric.unit},
          {"higher_is_better", s.metric.higher_is_better},
          {"n", s.n},
          {"median", Number(s.median)},
          {"mean", Number(s.mean)},
          {"min", Number(s.min)},
          {"max", Number(s.max)},
          {"q1", Number(s.q1)},
          {"q3", Number(s.q3)},
          {"iqr", Number(s.iqr)},
          {"stddev", Number(s.stddev)},
          {"cv", Number(s.cv)},
          {"ci95_low", Number(s.ci95_low)},
          {"ci95_high", Number(s.ci95_high)},
          {"low_outliers", s.low_outliers},
          {"high_outliers", s.high_outliers}};
}

json LatencyJson(const LatencyDistribution& latency) {
  return {{"name", latency.name},
          {"lowest_discernible_value", latency.lowest_discernible_value},
          {"highest_trackable_value", latency.highest_trackable_value},
          {"significant_digits", latency.significant_digits},
          {"buckets", PairArray(latency.buckets)},
          {"percentiles_ns", NumberMap(latency.percentiles_ns)}};
}

json ComparisonJson(const Comparison& c) {
  return {{"workload", c.workload},
          {"case_name", c.case_name},
          {"metric", c.metric},
          {"higher_is_better", c.higher_is_better},
          {"baseline", c.baseline},
          {"contender", c.contender},
          {"ratio", Number(c.ratio)},
          {"ci95_low", Number(c.ci95_low)},
          {"ci95_high", Number(c.ci95_high)},
          {"pairs", c.pairs},
          {"min_pairs", c.min_pairs},
          {"wilcoxon_p", Number(c.wilcoxon_p)}};
}


// Median of `values` (average of the two middle ones for an even count); NaN when empty.
double Median(std::vector<double> values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const size_t mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + mid, values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + mid);
  return lower + (upper - lower) / 2;
}

const MetricStatistics* FindStatistics(const ImplementationResult& r, std::string_view metric) {
  for (const MetricStatistics& s : r.statistics) {
    if (s.metric.name == metric) return &s;
  }
  return nullptr;
}

double MetricOr(const Sample& sample, std::string_view name, double fallback) {
  auto it = sample.metrics.find(std::string(name));
  return it == sample.metrics.end() ? fallback : it->second;
}

// Google Benchmark's cpu_time: see kCpuTimeMetric.
double MedianCpuTimeNs(const ImplementationResult& r) {
  if (const MetricStatistics* s = FindStatistics(r, kCpuTimeMetric)) return s->median;
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> cpu_ns;
  for (const Sample& sample : r.samples) {
    if (!CountsInStatistics(sample)) continue;
    double cpu = MetricOr(sample, kCpuTimeMetric, kNaN);
    if (std::isnan(cpu)) {
      cpu = MetricOr(sample, kUserTimeMetric, kNaN) + MetricOr(sample, kSystemTimeMetric, kNaN);
    }
    if (std::isfinite(cpu)) cpu_ns.push_back(cpu);
  }
  return Median(std::move(cpu_ns));
}

json ImplementationJson(const ImplementationResult& r) {
  const MetricStatistics* primary = FindStatistics(r, r.primary_metric);
  if (primary == nullptr || primary->metric.unit != "ns") primary = FindStatistics(r, kPrimaryTimeMetric);
  int64_t measured = 0;
  int64_t measured_ok = 0;
  for (const Sample& sample : r.samples) {
    measured += sample.warmup ? 0 : 1;
    measured_ok += CountsInStatistics(sample) ? 1 : 0;
  }

  json out;
  // Google Benchmark's keys: this entry reads as the "median" aggregate of `repetitions` repetitions.
  out["name"] = r.name;
  out["run_name"] = r.name;
  out["run_type"] = "aggregate";
  out["aggregate_name"] = "median";
  out["aggregate_unit"] = "time";
  out["repetitions"] = measured;
  out["threads"] = 1;
  out["iterations"] = measured_ok;
  out["real_time"] = Number(primary != nullptr ? primary->median : std::numeric_limits<double>::quiet_NaN());
  out["cpu_time"] = Number(MedianCpuTimeNs(r));
  out["time_unit"] = "ns";
  if (r.status != RunStatus::kOk) {
    // Google Benchmark's tools skip entries flagged like this instead of comparing their times.
    out["error_occurred"] = true;
    out["error_message"] = r.error.empty() ? std::string(ToString(r.status)) : r.error;
  }

  // claimbench's keys: every field of ImplementationResult.
  out["workload"] = r.workload;
  out["case_name"] = r.case_name;
  out["implementation"] = r.implementation;
  out["language"] = r.language;
  out["role"] = r.role;
  out["kind"] = r.kind;
  if (!r.label.empty()) out["label"] = r.label;  // every implementation has one; results read from old files may not
  out["tuned"] = r.tuned;
  out["build"] = {{"toolchain", r.build.toolchain},
                  {"toolchain_version", r.build.toolchain_version},
                  {"profile", r.build.profile},
                  {"flags", r.build.flags},
                  {"libraries", r.build.libraries}};
  out["status"] = ToString(r.status);
  out["error"] = r.error;
  out["command"] = r.command;
  out["parameters"] = r.parameters;
  out["calibration"] = json::object();
  for (const Calibration& c : r.calibration) {
    out["calibration"][c.name] = {{"value", Number(c.value)}, {"unit", c.unit}, {"description", c.description}};
  }
  out["primary_metric"] = r.primary_metric;
  out["metrics"] = json::array();
  for (const MetricDescriptor& m : r.metrics) out["metrics"].push_back(MetricJson(m));
  out["samples"] = json::array();
  for (const Sample& s : r.samples) out["samples"].push_back(SampleJson(s));
  out["statistics"] = json::array();
  for (const MetricStatistics& s : r.statistics) out["statistics"].push_back(StatisticsJson(s));
  out["stop_reason"] = r.stop_reason;
  // [t_ns, rss_bytes] pairs rather than objects: a timeline has thousands of points.
  out["rss_timeline"] = json::array();
  for (const RssPoint& p : r.rss_timeline) out["rss_timeline"].push_back(json::array({p.t_ns, p.rss_bytes}));
  out["latency"] = json::array();
  for (const LatencyDistribution& l : r.latency) out["latency"].push_back(LatencyJson(l));
  out["timeline"] = json::array();
  for (const TimePoint& p : r.timeline) {
    out["timeline"].push_back({{"t_ns", p.t_ns}, {"values", NumberMap(p.values)}});
  }
  out["extra"] = NumberMap(r.extra);
  if (!r.service_logs.empty()) {
    out["service_logs"] = json::array();
    for (const ServiceLog& log : r.service_logs) {
      out["service_logs"].push_back(
          {{"repetition", log.repetition}, {"path", log.path}, {"bytes", log.bytes}, {"truncated", log.truncated}});
    }
  }
  if (!r.conformance.empty()) {
    out["conformance"] = json::array();
    for (const ConformanceCheck& c : r.conformance) {
      out["conformance"].push_back({{"check", c.check},
                                    {"expected", c.expected},
                                    {"in_body", c.in_body},
                                    {"status", c.status},
                                    {"forwarded", c.forwarded},
                                    {"agrees", c.agrees}});
    }
  }
  if (r.artifact) {
    const ArtifactRecord& a = *r.artifact;
    out["artifact"] = {{"build", a.build},
                       {"files", a.files},
                       {"elf_interpreter", a.elf_interpreter},
                       {"libraries", a.libraries},
                       {"runtimes", a.runtimes},
                       {"beyond_libc", a.beyond_libc},
                       {"incremental_edit", a.incremental_edit}};
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reading. Every accessor takes the JSON path of its object so that errors name the exact field.

[[noreturn]] void Bad(const std::string& path, std::string_view problem) {
  throw SetupError(path.empty() ? std::string(problem) : fmt::format("{}: {}", path, problem));
}

std::string Child(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}
std::string Element(const std::string& path, size_t index) { return fmt::format("{}[{}]", path, index); }

const json& Field(const json& object, std::string_view key, const std::string& path) {
  if (!object.is_object()) Bad(path, fmt::format("expected an object, found {}", object.type_name()));
  auto it = object.find(key);
  if (it == object.end()) Bad(path, fmt::format("missing required field '{}'", key));
  return *it;
}

void ExpectType(bool ok, const json& value, std::string_view expected, const std::string& path) {
  if (!ok) Bad(path, fmt::format("expected {}, found {}", expected, value.type_name()));
}

std::string ReadString(const json& value, const std::string& path) {
  ExpectType(value.is_string(), value, "a string", path);
  return value.get<std::string>();
}

bool ReadBool(const json& value, const std::string& path) {
  ExpectType(value.is_boolean(), value, "true or false", path);
  return value.get<bool>();
}

int64_t ReadInt64(const json& value, const std::string& path) {
  ExpectType(value.is_number_integer(), value, "an integer", path);
  if (value.is_number_unsigned() && value.get<uint64_t>() > uint64_t{INT64_MAX}) {
    Bad(path, "integer too large");
  }
  return value.get<int64_t>();
}

int ReadInt(const json& value, const std::string& path) {
  int64_t wide = ReadInt64(value, path);
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max()) {
    Bad(path, "integer out of range");
  }
  return static_cast<int>(wide);
}

uint64_t ReadUint64(const json& value, const std::string& path) {
  ExpectType(value.is_number_integer(), value, "a non-negative integer", path);
  if (!value.is_number_unsigned() && value.get<int64_t>() < 0) Bad(path, "expected a non-negative integer");
  return value.get<uint64_t>();
}

// null stands for a non-finite value (see the header).
double ReadDouble(const json& value, const std::string& path) {
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  ExpectType(value.is_number(), value, "a number or null", path);
  return value.get<double>();
}

std::string ReadKind(const json& value, const std::string& path) {
  std::string kind = ReadString(value, path);
  if (kind != "batch" && kind != "service" && kind != "build") {
    Bad(path, fmt::format("unknown case kind '{}' (expected batch, service or build)", kind));
  }
  return kind;
}

RunStatus ReadStatus(const json& value, const std::string& path) {
  std::string name = ReadString(value, path);
  try {
    return RunStatusFromString(name);
  } catch (const std::invalid_argument&) {
    Bad(path,
        fmt::format("unknown status '{}' (expected ok, failed, invalid, unavailable or interrupted)", name));
  }
}

const json& ReadArray(const json& value, const std::string& path) {
  ExpectType(value.is_array(), value, "an array", path);
  return value;
}

const json& ReadObject(const json& value, const std::string& path) {
  ExpectType(value.is_object(), value, "an object", path);
  return value;
}

// Reads the array at object[key] with `read_element(element, element_path)` for each element.
template <typename T, typename ReadElement>
std::vector<T> ReadVector(const json& object, std::string_view key, const std::string& path,
                          ReadElement read_element) {
  const std::string array_path = Child(path, key);
  const json& array = ReadArray(Field(object, key, path), array_path);
  std::vector<T> out;
  out.reserve(array.size());
  for (size_t i = 0; i < array.size(); ++i) out.push_back(read_element(array[i], Element(array_path, i)));
  return out;
}

std::vector<std::string> ReadStrings(const json& object, std::string_view key, const std::string& path) {
  return ReadVector<std::string>(object, key, path, ReadString);
}

std::map<std::string, double> ReadNumberMap(const json& object, std::string_view key,
                                            const std::string& path) {
  const std::string map_path = Child(path, key);
  std::map<std::string, double> out;
  for (const auto& [name, value] : ReadObject(Field(object, key, path), map_path).items()) {
    out[name] = ReadDouble(value, Child(map_path, name));
  }
  return out;
}

std::map<std::string, std::string> ReadStringMap(const json& object, std::string_view key,
                                                 const std::string& path) {
  const std::string map_path = Child(path, key);
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : ReadObject(Field(object, key, path), map_path).items()) {
    out[name] = ReadString(value, Child(map_path, name));
  }
  return out;
}

std::pair<int64_t, int64_t> ReadPair(const json& value, const std::string& path) {
  ReadArray(value, path);
  if (value.size() != 2) Bad(path, fmt::format("expected a pair [a, b], found {} elements", value.size()));
  return {ReadInt64(value[0], Element(path, 0)), ReadInt64(value[1], Element(path, 1))};
}

// The field `key` of `object` (at `path`), read with kRead.
template <auto kRead>
auto Get(const json& object, std::string_view key, const std::string& path) {
  return kRead(Field(object, key, path), Child(path, key));
}

MetricDescriptor ReadMetric(const json& j, const std::string& path) {
  MetricDescriptor m;
  m.name = Get<ReadString>(j, "name", path);
  m.unit = Get<ReadString>(j, "unit", path);
  m.higher_is_better = Get<ReadBool>(j, "higher_is_better", path);
  // Written always since it was added; absent in files written before, whose metrics were all the harness's.
  if (j.contains("self_reported")) m.self_reported = Get<ReadBool>(j, "self_reported", path);
  return m;
}

Sample ReadSample(const json& j, const std::string& path) {
  Sample s;
  s.sequence = Get<ReadInt64>(j, "sequence", path);
  s.repetition = Get<ReadInt>(j, "repetition", path);
  s.warmup = Get<ReadBool>(j, "warmup", path);
  s.status = Get<ReadStatus>(j, "status", path);
  s.error = Get<ReadString>(j, "error", path);
  s.metrics = ReadNumberMap(j, "metrics", path);
  return s;
}

ServiceLog ReadServiceLog(const json& j, const std::string& path) {
  ServiceLog log;
  log.repetition = Get<ReadInt>(j, "repetition", path);
  log.path = Get<ReadString>(j, "path", path);
  log.bytes = Get<ReadInt64>(j, "bytes", path);
  log.truncated = Get<ReadBool>(j, "truncated", path);
  return log;
}

MetricStatistics ReadStatistics(const json& j, const std::string& path) {
  MetricStatistics s;
  s.metric.name = Get<ReadString>(j, "metric", path);
  s.metric.unit = Get<ReadString>(j, "unit", path);
  s.metric.higher_is_better = Get<ReadBool>(j, "higher_is_better", path);
  s.n = Get<ReadInt64>(j, "n", path);
  s.median = Get<ReadDouble>(j, "median", path);
  s.mean = Get<ReadDouble>(j, "mean", path);
  s.min = Get<ReadDouble>(j, "min", path);
  s.max = Get<ReadDouble>(j, "max", path);
  s.q1 = Get<ReadDouble>(j, "q1", path);
  s.q3 = Get<ReadDouble>(j, "q3", path);
  s.iqr = Get<ReadDouble>(j, "iqr", path);
  s.stddev = Get<ReadDouble>(j, "stddev", path);
  s.cv = Get<ReadDouble>(j, "cv", path);
  s.ci95_low = Get<ReadDouble>(j, "ci95_low", path);
  s.ci95_high = Get<ReadDouble>(j, "ci95_high", path);
  s.low_outliers = Get<ReadInt64>(j, "low_outliers", path);
  s.high_outliers = Get<ReadInt64>(j, "high_outliers", path);
  return s;
}

RssPoint ReadRssPoint(const json& j, const std::string& path) {
  auto [t_ns, rss_bytes] = ReadPair(j, path);
  return RssPoint{t_ns, rss_bytes};
}

LatencyDistribution ReadLatency(const json& j, const std::string& path) {
  LatencyDistribution l;
  l.name = Get<ReadString>(j, "name", path);
  l.lowest_discernible_value = Get<ReadInt64>(j, "lowest_discernible_value", path);
  l.highest_trackable_value = Get<ReadInt64>(j, "highest_trackable_value", path);
  l.significant_digits = Get<ReadInt>(j, "significant_digits", path);
  l.buckets = ReadVector<std::pair<int64_t, int64_t>>(j, "buckets", path, ReadPair);
  l.percentiles_ns = ReadNumberMap(j, "percentiles_ns", path);
  return l;
}

std::vector<Calibration> ReadCalibrations(const json& object, const std::string& path) {
  const std::string where = Child(path, "calibration");
  std::vector<Calibration> out;
  if (!object.contains("calibration")) return out;  // optional: earlier files have none
  for (const auto& [name, entry] : ReadObject(object.at("calibration"), where).items()) {
    const std::string at = Child(where, name);
    ReadObject(entry, at);
    out.push_back({name, Get<ReadDouble>(entry, "value", at), Get<ReadString>(entry, "unit", at),
                   Get<ReadString>(entry, "description", at)});
  }
  return out;
}

TimePoint ReadTimePoint(const json& j, const std::string& path) {
  TimePoint p;
  p.t_ns = Get<ReadInt64>(j, "t_ns", path);
  p.values = ReadNumberMap(j, "values", path);
  return p;
}

// `build` of a benchmark (absent in results written before it was recorded).
BuildRecord ReadBuild(const json& j, const std::string& path) {
  ReadObject(j, path);
  BuildRecord b;
  b.toolchain = Get<ReadString>(j, "toolchain", path);
  b.toolchain_version = Get<ReadString>(j, "toolchain_version", path);
  b.profile = Get<ReadString>(j, "profile", path);
  b.flags = ReadStrings(j, "flags", path);
  b.libraries = ReadStrings(j, "libraries", path);
  return b;
}

// One entry of `conformance` (absent in results without a conformance case).
ConformanceCheck ReadConformanceCheck(const json& j, const std::string& path) {
  ReadObject(j, path);
  ConformanceCheck c;
  c.check = Get<ReadString>(j, "check", path);
  c.expected = Get<ReadString>(j, "expected", path);
  c.in_body = Get<ReadBool>(j, "in_body", path);
  c.status = Get<ReadString>(j, "status", path);
  c.forwarded = Get<ReadBool>(j, "forwarded", path);
  c.agrees = Get<ReadBool>(j, "agrees", path);
  return c;
}

// `artifact` of a benchmark of the build case.
ArtifactRecord ReadArtifact(const json& j, const std::string& path) {
  ReadObject(j, path);
  ArtifactRecord a;
  a.build = Get<ReadString>(j, "build", path);
  a.files = ReadStrings(j, "files", path);
  a.elf_interpreter = Get<ReadString>(j, "elf_interpreter", path);
  a.libraries = ReadStrings(j, "libraries", path);
  a.runtimes = ReadStrings(j, "runtimes", path);
  a.beyond_libc = ReadStrings(j, "beyond_libc", path);
  a.incremental_edit = Get<ReadString>(j, "incremental_edit", path);
  return a;
}

ImplementationResult ReadImplementation(const json& j, const std::string& path) {
  ImplementationResult r;
  r.name = Get<ReadString>(j, "name", path);
  r.workload = Get<ReadString>(j, "workload", path);
  r.case_name = Get<ReadString>(j, "case_name", path);
  r.implementation = Get<ReadString>(j, "implementation", path);
  r.language = Get<ReadString>(j, "language", path);
  r.role = Get<ReadString>(j, "role", path);
  r.kind = Get<ReadKind>(j, "kind", path);
  if (j.contains("label")) r.label = Get<ReadString>(j, "label", path);
  if (j.contains("tuned")) r.tuned = ReadStrings(j, "tuned", path);
  if (j.contains("build")) r.build = Get<ReadBuild>(j, "build", path);
  r.status = Get<ReadStatus>(j, "status", path);
  r.error = Get<ReadString>(j, "error", path);
  r.command = ReadStrings(j, "command", path);
  r.parameters = ReadStringMap(j, "parameters", path);
  r.calibration = ReadCalibrations(j, path);
  r.primary_metric = Get<ReadString>(j, "primary_metric", path);
  r.metrics = ReadVector<MetricDescriptor>(j, "metrics", path, ReadMetric);
  r.samples = ReadVector<Sample>(j, "samples", path, ReadSample);
  r.statistics = ReadVector<MetricStatistics>(j, "statistics", path, ReadStatistics);
  r.stop_reason = Get<ReadString>(j, "stop_reason", path);
  r.rss_timeline = ReadVector<RssPoint>(j, "rss_timeline", path, ReadRssPoint);
  r.latency = ReadVector<LatencyDistribution>(j, "latency", path, ReadLatency);
  r.timeline = ReadVector<TimePoint>(j, "timeline", path, ReadTimePoint);
  r.extra = ReadNumberMap(j, "extra", path);
  if (j.contains("service_logs")) r.service_logs = ReadVector<ServiceLog>(j, "service_logs", path, ReadServiceLog);
  if (j.contains("conformance")) {
    r.conformance = ReadVector<ConformanceCheck>(j, "conformance", path, ReadConformanceCheck);
  }
  if (j.contains("artifact")) r.artifact = Get<ReadArtifact>(j, "artifact", path);
  return r;
}

Comparison ReadComparison(const json& j, const std::string& path) {
  Comparison c;
  c.workload = Get<ReadString>(j, "workload", path);
  c.case_name = Get<ReadString>(j, "case_name", path);
  c.metric = Get<ReadString>(j, "metric", path);
  c.higher_is_better = Get<ReadBool>(j, "higher_is_better", path);
  c.baseline = Get<ReadString>(j, "baseline", path);
  c.contender = Get<ReadString>(j, "contender", path);
  c.ratio = Get<ReadDouble>(j, "ratio", path);
  c.ci95_low = Get<ReadDouble>(j, "ci95_low", path);
  c.ci95_high = Get<ReadDouble>(j, "ci95_high", path);
  c.pairs = Get<ReadInt64>(j, "pairs", path);
  c.min_pairs = Get<ReadInt64>(j, "min_pairs", path);
  c.wilcoxon_p = Get<ReadDouble>(j, "wilcoxon_p", path);
  return c;
}

// Only this checkout's version is read: version 1 lacks the fields comparisons and verdicts now rest on
// (the direction of a ratio, the minimum number of pairs), and guessing them would be worse than asking.
int ReadSchemaVersion(const json& j) {
  if (!j.is_object()) {
    Bad("", fmt::format("expected a JSON object at the top level, found {}", j.type_name()));
  }
  auto it = j.find("schema_version");
  if (it == j.end()) Bad("", "not a claimbench result: it has no schema_version");
  int version = ReadInt(*it, "schema_version");
  if (version > kResultSchemaVersion) {
    Bad("", fmt::format("schema_version {} is newer than this claimbench understands ({}); update claimbench, or "
                        "read it with the checkout that wrote it (context.git.commit)",
                        version, kResultSchemaVersion));
  }
  if (version >= 1 && version < kResultSchemaVersion) {
    Bad("", fmt::format("schema_version {} was written by an older claimbench, this one reads {}; re-run the "
                        "measurement with this checkout, or read it with the checkout that wrote it "
                        "(context.git.commit)",
                        version, kResultSchemaVersion));
  }
  if (version < 1) {
    Bad("", fmt::format("schema_version {} is not a valid claimbench result version (expected {})", version,
                        kResultSchemaVersion));
  }
  return version;
}

std::string ReadFileOrThrow(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (in && std::filesystem::is_directory(path, ec)) {
    throw SetupError(
        fmt::format("{}: is a directory, not a result file; pass the .json file", path.string()));
  }
  if (!in) {
    throw SetupError(fmt::format("{}: cannot open the result file: {}; check the path and its permissions",
                                 path.string(), std::strerror(errno)));
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw SetupError(fmt::format("{}: error while reading the result file", path.string()));
  return std::move(content).str();
}

}  // namespace

json ToJson(const RunResult& result) {
  json out;
  out["schema_version"] = result.schema_version;
  out["context"] = result.context.is_null() ? json::object() : result.context;
  out["benchmarks"] = json::array();
  for (const ImplementationResult& r : result.benchmarks) out["benchmarks"].push_back(ImplementationJson(r));
  json comparisons = json::array();
  for (const Comparison& c : result.comparisons) comparisons.push_back(ComparisonJson(c));
  out["claimbench"] = {{"run_id", result.run_id},
                       {"started_at", result.started_at},
                       {"finished_at", result.finished_at},
                       {"profile", result.profile},
                       {"variant", result.variant},
                       {"seed", result.seed},
                       {"command_line", result.command_line},
                       {"parameter_overrides", result.parameter_overrides},
                       {"warnings", result.warnings},
                       {"comparisons", std::move(comparisons)}};
  return out;
}

RunResult RunResultFromJson(const json& j) {
  RunResult result;
  result.schema_version = ReadSchemaVersion(j);
  result.context = ReadObject(Field(j, "context", ""), "context");
  result.benchmarks = ReadVector<ImplementationResult>(j, "benchmarks", "", ReadImplementation);
  const std::string cb = "claimbench";
  const json& c = ReadObject(Field(j, cb, ""), cb);
  result.run_id = Get<ReadString>(c, "run_id", cb);
  result.started_at = Get<ReadString>(c, "started_at", cb);
  result.finished_at = Get<ReadString>(c, "finished_at", cb);
  result.profile = Get<ReadString>(c, "profile", cb);
  result.variant = Get<ReadString>(c, "variant", cb);
  result.seed = Get<ReadUint64>(c, "seed", cb);
  result.command_line = ReadStrings(c, "command_line", cb);
  result.parameter_overrides = ReadStringMap(c, "parameter_overrides", cb);
  result.warnings = ReadStrings(c, "warnings", cb);
  result.comparisons = ReadVector<Comparison>(c, "comparisons", cb, ReadComparison);
  return result;
}

void WriteResultFile(const std::filesystem::path& path, const RunResult& result) {
  // `replace`: an implementation's error text may hold invalid UTF-8; it must not make the file unwritable.
  std::string text = ToJson(result).dump(2, ' ', false, json::error_handler_t::replace);
  text.push_back('\n');
  WriteFileAtomically(path, text);
}

RunResult ReadResultFile(const std::filesystem::path& path) {
  const std::string text = ReadFileOrThrow(path);
  json parsed;
  try {
    parsed = json::parse(text);
  } catch (const json::parse_error& e) {
    throw SetupError(
        fmt::format("{}: not valid JSON (at byte {}; the file may be truncated or hand-edited): {}",
                    path.string(), e.byte, e.what()));
  }
  try {
    return RunResultFromJson(parsed);
  } catch (const SetupError& e) {
    throw SetupError(fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace claimbench
