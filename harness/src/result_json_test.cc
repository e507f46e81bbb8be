#include "claimbench/result_json.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "claimbench/error.h"
#include "testing/sample_result.h"
#include "claimbench/testing/temp_dir.h"

namespace claimbench {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// NaN compares unequal to itself; a round trip must keep NaN as NaN.
void ExpectSameDouble(double expected, double actual, const std::string& what) {
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << " = " << actual << ", expected NaN";
  } else {
    EXPECT_EQ(expected, actual) << what;
  }
}

void ExpectSameMap(const std::map<std::string, double>& expected, const std::map<std::string, double>& actual,
                   const std::string& what) {
  ASSERT_EQ(expected.size(), actual.size()) << what;
  for (const auto& [key, value] : expected) {
    ASSERT_EQ(actual.count(key), 1u) << what << "[" << key << "]";
    ExpectSameDouble(value, actual.at(key), what + "[" + key + "]");
  }
}

void ExpectSameMetric(const MetricDescriptor& e, const MetricDescriptor& a) {
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.unit, a.unit);
  EXPECT_EQ(e.higher_is_better, a.higher_is_better);
  EXPECT_EQ(e.self_reported, a.self_reported);
}

void ExpectSameImplementation(const ImplementationResult& e, const ImplementationResult& a) {
  SCOPED_TRACE(e.name);
  EXPECT_EQ(e.name, a.name);
  EXPECT_EQ(e.workload, a.workload);
  EXPECT_EQ(e.case_name, a.case_name);
  EXPECT_EQ(e.implementation, a.implementation);
  EXPECT_EQ(e.language, a.language);
  EXPECT_EQ(e.role, a.role);
  EXPECT_EQ(e.kind, a.kind);
  EXPECT_EQ(e.label, a.label);
  EXPECT_EQ(e.tuned, a.tuned);
  ASSERT_EQ(e.artifact.has_value(), a.artifact.has_value());
  if (e.artifact) {
    EXPECT_EQ(e.artifact->build, a.artifact->build);
    EXPECT_EQ(e.artifact->files, a.artifact->files);
    EXPECT_EQ(e.artifact->elf_interpreter, a.artifact->elf_interpreter);
    EXPECT_EQ(e.artifact->libraries, a.artifact->libraries);
    EXPECT_EQ(e.artifact->runtimes, a.artifact->runtimes);
    EXPECT_EQ(e.artifact->beyond_libc, a.artifact->beyond_libc);
    EXPECT_EQ(e.artifact->incremental_edit, a.artifact->incremental_edit);
  }
  EXPECT_EQ(e.build.toolchain, a.build.toolchain);
  EXPECT_EQ(e.build.toolchain_version, a.build.toolchain_version);
  EXPECT_EQ(e.build.profile, a.build.profile);
  EXPECT_EQ(e.build.flags, a.build.flags);
  EXPECT_EQ(e.build.libraries, a.build.libraries);
  EXPECT_EQ(e.status, a.status);
  EXPECT_EQ(e.error, a.error);
  EXPECT_EQ(e.command, a.command);
  EXPECT_EQ(e.parameters, a.parameters);
  ASSERT_EQ(e.metrics.size(), a.metrics.size());
  for (size_t i = 0; i < e.metrics.size(); ++i) ExpectSameMetric(e.metrics[i], a.metrics[i]);
  ASSERT_EQ(e.samples.size(), a.samples.size());
  for (size_t i = 0; i < e.samples.size(); ++i) {
    EXPECT_EQ(e.samples[i].sequence, a.samples[i].sequence);
    EXPECT_EQ(e.samples[i].repetition, a.samples[i].repetition);
    EXPECT_EQ(e.samples[i].warmup, a.samples[i].warmup);
    EXPECT_EQ(e.samples[i].status, a.samples[i].status);
    EXPECT_EQ(e.samples[i].error, a.samples[i].error);
    ExpectSameMap(e.samples[i].metrics, a.samples[i].metrics, "samples.metrics");
  }
  ASSERT_EQ(e.statistics.size(), a.statistics.size());
  for (size_t i = 0; i < e.statistics.size(); ++i) {
    const MetricStatistics& es = e.statistics[i];
    const MetricStatistics& as = a.statistics[i];
    ExpectSameMetric(es.metric, as.metric);
    EXPECT_EQ(es.n, as.n);
    ExpectSameDouble(es.median, as.median, "median");
    ExpectSameDouble(es.mean, as.mean, "mean");
    ExpectSameDouble(es.min, as.min, "min");
    ExpectSameDouble(es.max, as.max, "max");
    ExpectSameDouble(es.q1, as.q1, "q1");
    ExpectSameDouble(es.q3, as.q3, "q3");
    ExpectSameDouble(es.iqr, as.iqr, "iqr");
    ExpectSameDouble(es.stddev, as.stddev, "stddev");
    ExpectSameDouble(es.cv, as.cv, "cv");
    ExpectSameDouble(es.ci95_low, as.ci95_low, "ci95_low");
    ExpectSameDouble(es.ci95_high, as.ci95_high, "ci95_high");
    EXPECT_EQ(es.low_outliers, as.low_outliers);
    EXPECT_EQ(es.high_outliers, as.high_outliers);
  }
  EXPECT_EQ(e.stop_reason, a.stop_reason);
  ASSERT_EQ(e.rss_timeline.size(), a.rss_timeline.size());
  for (size_t i = 0; i < e.rss_timeline.size(); ++i) {
    EXPECT_EQ(e.rss_timeline[i].t_ns, a.rss_timeline[i].t_ns);
    EXPECT_EQ(e.rss_timeline[i].rss_bytes, a.rss_timeline[i].rss_bytes);
  }
  ASSERT_EQ(e.latency.size(), a.latency.size());
  for (size_t i = 0; i < e.latency.size(); ++i) {
    EXPECT_EQ(e.latency[i].name, a.latency[i].name);
    EXPECT_EQ(e.latency[i].lowest_discernible_value, a.latency[i].lowest_discernible_value);
    EXPECT_EQ(e.latency[i].highest_trackable_value, a.latency[i].highest_trackable_value);
    EXPECT_EQ(e.latency[i].significant_digits, a.latency[i].significant_digits);
    EXPECT_EQ(e.latency[i].buckets, a.latency[i].buckets);
    ExpectSameMap(e.latency[i].percentiles_ns, a.latency[i].percentiles_ns, "percentiles_ns");
  }
  ASSERT_EQ(e.timeline.size(), a.timeline.size());
  for (size_t i = 0; i < e.timeline.size(); ++i) {
    EXPECT_EQ(e.timeline[i].t_ns, a.timeline[i].t_ns);
    ExpectSameMap(e.timeline[i].values, a.timeline[i].values, "timeline.values");
  }
  ExpectSameMap(e.extra, a.extra, "extra");
  ASSERT_EQ(e.service_logs.size(), a.service_logs.size());
  for (size_t i = 0; i < e.service_logs.size(); ++i) {
    EXPECT_EQ(e.service_logs[i].repetition, a.service_logs[i].repetition);
    EXPECT_EQ(e.service_logs[i].path, a.service_logs[i].path);
    EXPECT_EQ(e.service_logs[i].bytes, a.service_logs[i].bytes);
    EXPECT_EQ(e.service_logs[i].truncated, a.service_logs[i].truncated);
  }
  ASSERT_EQ(e.conformance.size(), a.conformance.size());
  for (size_t i = 0; i < e.conformance.size(); ++i) {
    EXPECT_EQ(e.conformance[i].check, a.conformance[i].check);
    EXPECT_EQ(e.conformance[i].expected, a.conformance[i].expected);
    EXPECT_EQ(e.conformance[i].in_body, a.conformance[i].in_body);
    EXPECT_EQ(e.conformance[i].status, a.conformance[i].status);
    EXPECT_EQ(e.conformance[i].forwarded, a.conformance[i].forwarded);
    EXPECT_EQ(e.conformance[i].agrees, a.conformance[i].agrees);
  }
}

void ExpectSameResult(const RunResult& e, const RunResult& a) {
  EXPECT_EQ(e.schema_version, a.schema_version);
  EXPECT_EQ(e.run_id, a.run_id);
  EXPECT_EQ(e.started_at, a.started_at);
  EXPECT_EQ(e.finished_at, a.finished_at);
  EXPECT_EQ(e.profile, a.profile);
  EXPECT_EQ(e.variant, a.variant);
  EXPECT_EQ(e.seed, a.seed);
  EXPECT_EQ(e.command_line, a.command_line);
  EXPECT_EQ(e.parameter_overrides, a.parameter_overrides);
  EXPECT_EQ(e.context, a.context);
  EXPECT_EQ(e.warnings, a.warnings);
  ASSERT_EQ(e.benchmarks.size(), a.benchmarks.size());
  for (size_t i = 0; i < e.benchmarks.size(); ++i) ExpectSameImplementation(e.benchmarks[i], a.benchmarks[i]);
  ASSERT_EQ(e.comparisons.size(), a.comparisons.size());
  for (size_t i = 0; i < e.comparisons.size(); ++i) {
    const Comparison& ec = e.comparisons[i];
    const Comparison& ac = a.comparisons[i];
    EXPECT_EQ(ec.workload, ac.workload);
    EXPECT_EQ(ec.case_name, ac.case_name);
    EXPECT_EQ(ec.metric, ac.metric);
    EXPECT_EQ(ec.baseline, ac.baseline);
    EXPECT_EQ(ec.contender, ac.contender);
    ExpectSameDouble(ec.ratio, ac.ratio, "ratio");
    ExpectSameDouble(ec.ci95_low, ac.ci95_low, "ci95_low");
    ExpectSameDouble(ec.ci95_high, ac.ci95_high, "ci95_high");
    EXPECT_EQ(ec.pairs, ac.pairs);
    EXPECT_EQ(ec.higher_is_better, ac.higher_is_better);
    EXPECT_EQ(ec.min_pairs, ac.min_pairs);
    ExpectSameDouble(ec.wilcoxon_p, ac.wilcoxon_p, "wilcoxon_p");
  }
}

json SampleContext() {
  return {{"host_name", "bench-box"}, {"num_cpus", 8}, {"load_avg", {0.5, 0.25, 0.125}},
          {"cpu", {{"model", "Example CPU"}, {"mhz", 2600.5}}}};
}

RunResult Sample() { return testing::MakeSampleResult(SampleContext()); }

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The message of the SetupError that RunResultFromJson(j) throws; fails the test if it does not.
std::string ParseError(const json& j) {
  try {
    RunResultFromJson(j);
  } catch (const SetupError& e) {
    return e.what();
  }
  ADD_FAILURE() << "RunResultFromJson accepted " << j.dump().substr(0, 200);
  return "";
}

TEST(ResultJsonTest, RoundTripIsLosslessForEveryField) {
  const RunResult original = Sample();
  ExpectSameResult(original, RunResultFromJson(ToJson(original)));
}

TEST(ResultJsonTest, RoundTripThroughAFileIsLossless) {
  testing::TempDir dir;
  const RunResult original = Sample();
  WriteResultFile(dir.path() / "run.json", original);
  ExpectSameResult(original, ReadResultFile(dir.path() / "run.json"));
}

TEST(ResultJsonTest, DefaultResultRoundTripsAndNullContextBecomesAnEmptyObject) {
  RunResult empty;
  json j = ToJson(empty);
  EXPECT_TRUE(j["context"].is_object());
  RunResult back = RunResultFromJson(j);
  EXPECT_EQ(back.context, json::object());
  back.context = nullptr;
  ExpectSameResult(empty, back);
}

TEST(ResultJsonTest, NonFiniteDoublesAreWrittenAsNullAndReadAsNaN) {
  RunResult result = Sample();
  result.benchmarks[0].extra["inf"] = std::numeric_limits<double>::infinity();
  result.benchmarks[0].extra["minus_inf"] = -std::numeric_limits<double>::infinity();
  const json j = ToJson(result);
  EXPECT_TRUE(j["benchmarks"][0]["statistics"][2]["cv"].is_null());
  EXPECT_TRUE(j["claimbench"]["comparisons"][1]["ratio"].is_null());
  EXPECT_TRUE(j["benchmarks"][0]["extra"]["inf"].is_null());
  EXPECT_TRUE(j["benchmarks"][0]["extra"]["minus_inf"].is_null());
  const std::string text = j.dump();
  EXPECT_EQ(text.find("NaN"), std::string::npos);
  EXPECT_EQ(text.find("nan"), std::string::npos);
  EXPECT_EQ(text.find("Infinity"), std::string::npos);
  const RunResult back = RunResultFromJson(json::parse(text));
  EXPECT_TRUE(std::isnan(back.benchmarks[0].statistics[2].cv));
  EXPECT_TRUE(std::isnan(back.benchmarks[0].extra.at("inf")));
  EXPECT_TRUE(std::isnan(back.comparisons[1].wilcoxon_p));
  EXPECT_TRUE(j["claimbench"]["comparisons"][2]["ci95_low"].is_null()) << "too few pairs: no interval";
  EXPECT_EQ(j["claimbench"]["comparisons"][2]["ratio"], 0.93) << "but the ratio is kept";
}

TEST(ResultJsonTest, TopLevelShapeFollowsGoogleBenchmark) {
  const json j = ToJson(Sample());
  EXPECT_EQ(j["schema_version"], kResultSchemaVersion);
  EXPECT_EQ(j["context"], SampleContext());
  ASSERT_TRUE(j["benchmarks"].is_array());
  EXPECT_EQ(j["benchmarks"].size(), 5u);
  EXPECT_EQ(j["benchmarks"][4]["kind"], "build");
  EXPECT_EQ(j["benchmarks"][4]["artifact"]["libraries"], json::array({"libgcc_s.so.1", "libc.so.6"}));
  EXPECT_FALSE(j["benchmarks"][0].contains("artifact"));
  const json& cb = j["claimbench"];
  for (const char* key : {"run_id", "started_at", "finished_at", "profile", "variant", "seed", "command_line",
                          "warnings", "comparisons"}) {
    EXPECT_TRUE(cb.contains(key)) << key;
  }
  EXPECT_EQ(cb["seed"].get<uint64_t>(), 18'446'744'073'709'551'557u);
}

TEST(ResultJsonTest, BenchmarkEntriesCarryGoogleBenchmarkAggregateKeys) {
  const json ok = ToJson(Sample())["benchmarks"][0];
  EXPECT_EQ(ok["name"], "kv_service/small/cpp");
  EXPECT_EQ(ok["run_name"], "kv_service/small/cpp");
  EXPECT_EQ(ok["run_type"], "aggregate");
  EXPECT_EQ(ok["aggregate_name"], "median");
  EXPECT_EQ(ok["time_unit"], "ns");
  EXPECT_EQ(ok["repetitions"], 6);  // 7 samples, one warm-up
  EXPECT_EQ(ok["iterations"], 5);   // of which one invalid
  EXPECT_EQ(ok["real_time"].get<double>(), 1.002e9);  // the wall_ns statistics' median
  // Median of user_cpu_ns + sys_cpu_ns over the ok, non-warm-up repetitions 1, 2, 4, 5, 6.
  EXPECT_DOUBLE_EQ(ok["cpu_time"].get<double>(), 7.0e8 + 4.0e5 + 1.0e8);
  EXPECT_FALSE(ok.contains("error_occurred"));

  const json failed = ToJson(Sample())["benchmarks"][1];
  EXPECT_EQ(failed["error_occurred"], true);
  EXPECT_EQ(failed["error_message"], "exited with signal 11 (SIGSEGV) in repetition 1");
  EXPECT_TRUE(failed["real_time"].is_null());
  EXPECT_TRUE(failed["cpu_time"].is_null());
}

TEST(ResultJsonTest, CpuTimePrefersACpuNsStatistic) {
  RunResult result = Sample();
  MetricStatistics cpu;
  cpu.metric = {"cpu_ns", "ns", false};
  cpu.median = 123.0;
  result.benchmarks[0].statistics.push_back(cpu);
  EXPECT_EQ(ToJson(result)["benchmarks"][0]["cpu_time"].get<double>(), 123.0);
}

TEST(ResultJsonTest, ClaimbenchKeysUseCompactPairs) {
  const json ok = ToJson(Sample())["benchmarks"][0];
  EXPECT_EQ(ok["rss_timeline"][1], json::array({10'000'000, 40 << 20}));
  EXPECT_EQ(ok["latency"][0]["buckets"][0], json::array({10'007, 12}));
  EXPECT_EQ(ok["samples"][3]["status"], "invalid");
  EXPECT_EQ(ok["statistics"][0]["metric"], "wall_ns");
}

TEST(ResultJsonTest, WrittenFileIsPrettyPrintedValidJson) {
  testing::TempDir dir;
  const auto path = dir.path() / "nested" / "run.json";
  WriteResultFile(path, Sample());
  const std::string text = ReadAll(path);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_THAT(text, StartsWith("{\n  \""));
  EXPECT_TRUE(json::accept(text));
  EXPECT_EQ(json::parse(text), ToJson(Sample()));
}

TEST(ResultJsonTest, InvalidUtf8InAnErrorMessageStillWritesAFile) {
  testing::TempDir dir;
  RunResult result = Sample();
  result.benchmarks[1].error = "stderr: \xff\xfe garbage";
  WriteResultFile(dir.path() / "run.json", result);
  const RunResult back = ReadResultFile(dir.path() / "run.json");
  EXPECT_EQ(back.benchmarks[1].error, "stderr: \xEF\xBF\xBD\xEF\xBF\xBD garbage");  // U+FFFD twice
}

TEST(ResultJsonTest, NewerSchemaVersionSaysToUpdate) {
  json j = ToJson(Sample());
  j["schema_version"] = 3;
  const std::string expected =
      "schema_version 3 is newer than this claimbench understands (2); update claimbench, or read it with the "
      "checkout that wrote it (context.git.commit)";
  EXPECT_EQ(ParseError(j), expected);

  testing::TempDir dir;
  const auto path = dir.path() / "x.json";
  WriteText(path, j.dump());
  try {
    ReadResultFile(path);
    FAIL() << "accepted a newer schema_version";
  } catch (const SetupError& e) {
    EXPECT_EQ(std::string(e.what()), path.string() + ": " + expected);
  }
}

TEST(ResultJsonTest, OlderSchemaVersionSaysToRerunOrUseTheCheckoutThatWroteIt) {
  json j = ToJson(Sample());
  j["schema_version"] = 1;
  EXPECT_EQ(ParseError(j),
            "schema_version 1 was written by an older claimbench, this one reads 2; re-run the measurement with "
            "this checkout, or read it with the checkout that wrote it (context.git.commit)");
}

TEST(ResultJsonTest, VersionTwoFieldsAreRequiredAndChecked) {
  json j = ToJson(Sample());
  j["benchmarks"][0]["kind"] = "daemon";
  EXPECT_EQ(ParseError(j), "benchmarks[0].kind: unknown case kind 'daemon' (expected batch, service or build)");
  j = ToJson(Sample());
  j["claimbench"]["comparisons"][0].erase("min_pairs");
  EXPECT_EQ(ParseError(j), "claimbench.comparisons[0]: missing required field 'min_pairs'");
  j = ToJson(Sample());
  j["claimbench"]["parameter_overrides"] = {{"keys", 10000}};
  EXPECT_EQ(ParseError(j), "claimbench.parameter_overrides.keys: expected a string, found number");
  j = ToJson(Sample());
  EXPECT_TRUE(j["claimbench"]["parameter_overrides"].is_object());
  EXPECT_TRUE(ToJson(RunResult{})["claimbench"]["parameter_overrides"].is_object()) << "{} when there are none";
}

TEST(ResultJsonTest, MissingOrInvalidSchemaVersionIsRejected) {
  json j = ToJson(Sample());
  j.erase("schema_version");
  EXPECT_THAT(ParseError(j), HasSubstr("no schema_version"));
  j["schema_version"] = 0;
  EXPECT_THAT(ParseError(j), HasSubstr("schema_version 0 is not a valid"));
  j["schema_version"] = "1";
  EXPECT_EQ(ParseError(j), "schema_version: expected an integer, found string");
  EXPECT_THAT(ParseError(json::array()), HasSubstr("expected a JSON object at the top level"));
}

TEST(ResultJsonTest, MissingFieldIsNamedWithItsPath) {
  json j = ToJson(Sample());
  j["benchmarks"][0]["samples"][1].erase("status");
  EXPECT_EQ(ParseError(j), "benchmarks[0].samples[1]: missing required field 'status'");

  j = ToJson(Sample());
  j["claimbench"].erase("seed");
  EXPECT_EQ(ParseError(j), "claimbench: missing required field 'seed'");

  j = ToJson(Sample());
  j.erase("context");
  EXPECT_EQ(ParseError(j), "missing required field 'context'");
}

TEST(ResultJsonTest, ResultsWrittenBeforeLabelAndBuildStillRead) {
  json j = ToJson(Sample());
  EXPECT_EQ(j["benchmarks"][0]["label"], "tuned");
  EXPECT_EQ(j["benchmarks"][0]["build"]["flags"].back(), "-march=native");
  j["benchmarks"][0].erase("label");
  j["benchmarks"][0].erase("build");
  RunResult back = RunResultFromJson(j);
  EXPECT_EQ(back.benchmarks[0].label, "");
  EXPECT_EQ(back.benchmarks[0].build.profile, "");
  j["benchmarks"][0]["build"] = {{"toolchain", "rust"}};
  EXPECT_EQ(ParseError(j), "benchmarks[0].build: missing required field 'toolchain_version'");
}

TEST(ResultJsonTest, WrongTypesAndUnknownStatusAreNamed) {
  json j = ToJson(Sample());
  j["benchmarks"][0]["samples"][2]["status"] = "okk";
  EXPECT_THAT(ParseError(j), StartsWith("benchmarks[0].samples[2].status: unknown status 'okk'"));

  j = ToJson(Sample());
  j["benchmarks"][1]["name"] = 7;
  EXPECT_EQ(ParseError(j), "benchmarks[1].name: expected a string, found number");

  j = ToJson(Sample());
  j["benchmarks"][0]["rss_timeline"][0] = json::array({1, 2, 3});
  EXPECT_EQ(ParseError(j), "benchmarks[0].rss_timeline[0]: expected a pair [a, b], found 3 elements");

  j = ToJson(Sample());
  j["claimbench"]["seed"] = -1;
  EXPECT_EQ(ParseError(j), "claimbench.seed: expected a non-negative integer");

  j = ToJson(Sample());
  j["benchmarks"][0]["conformance"][1]["forwarded"] = "yes";
  EXPECT_EQ(ParseError(j), "benchmarks[0].conformance[1].forwarded: expected true or false, found string");

  j = ToJson(Sample());
  j["benchmarks"][0]["extra"]["achieved_rps"] = "fast";
  EXPECT_EQ(ParseError(j), "benchmarks[0].extra.achieved_rps: expected a number or null, found string");
}

TEST(ResultJsonTest, ConformanceIsWrittenOnlyWhenThereIsOneAndOptionalWhenRead) {
  json j = ToJson(Sample());
  ASSERT_EQ(j["benchmarks"][0]["conformance"].size(), 2u);
  EXPECT_EQ(j["benchmarks"][0]["conformance"][0]["status"], "200");
  EXPECT_FALSE(j["benchmarks"][1].contains("conformance"));  // a result without checks stays as it was
  j["benchmarks"][0].erase("conformance");
  EXPECT_TRUE(RunResultFromJson(j).benchmarks[0].conformance.empty());
}

TEST(ResultJsonTest, SelfReportedIsWrittenForEveryMetricAndDefaultsToFalseWhenAbsent) {
  json j = ToJson(Sample());
  const json& metrics = j["benchmarks"][0]["metrics"];
  ASSERT_EQ(metrics.size(), 4u);
  for (const json& metric : metrics) ASSERT_TRUE(metric.contains("self_reported")) << metric.dump();
  EXPECT_EQ(metrics[0]["self_reported"], false);
  EXPECT_EQ(metrics[3]["self_reported"], true);

  j["benchmarks"][0]["metrics"][3].erase("self_reported");  // a file written before the field existed
  EXPECT_FALSE(RunResultFromJson(j).benchmarks[0].metrics[3].self_reported);
  j["benchmarks"][0]["metrics"][3]["self_reported"] = "yes";
  EXPECT_EQ(ParseError(j), "benchmarks[0].metrics[3].self_reported: expected true or false, found string");
}

TEST(ResultJsonTest, UnknownKeysAreIgnored) {
  json j = ToJson(Sample());
  j["benchmarks"][0]["added_in_a_later_version"] = 1;
  j["claimbench"]["another"] = "x";
  ExpectSameResult(Sample(), RunResultFromJson(j));
}

TEST(ResultJsonTest, MalformedFileGivesSetupErrorNamingTheFile) {
  testing::TempDir dir;
  const auto path = dir.path() / "truncated.json";
  std::string text = ToJson(Sample()).dump(2);
  WriteText(path, text.substr(0, text.size() / 2));
  try {
    ReadResultFile(path);
    FAIL() << "accepted truncated JSON";
  } catch (const SetupError& e) {
    EXPECT_THAT(e.what(), StartsWith(path.string() + ": not valid JSON"));
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line";
  }
}

TEST(ResultJsonTest, MissingFileAndDirectoryGiveSetupErrorNamingThePath) {
  testing::TempDir dir;
  try {
    ReadResultFile(dir.path() / "absent.json");
    FAIL() << "read a missing file";
  } catch (const SetupError& e) {
    EXPECT_THAT(e.what(), StartsWith((dir.path() / "absent.json").string() + ": cannot open"));
  }
  try {
    ReadResultFile(dir.path());
    FAIL() << "read a directory";
  } catch (const SetupError& e) {
    EXPECT_THAT(e.what(), StartsWith(dir.path().string() + ": is a directory"));
  }
}

}  // namespace
}  // namespace claimbench
