#include "claimbench/implementation_tests.h"

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/process.h"

namespace claimbench {
namespace {

namespace fs = std::filesystem;
using Outcome = TestCaseResult::Outcome;

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += '?';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// The last `count` non-empty lines of `text`, for a failure message.
std::string Tail(const std::string& text, size_t count) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
  }
  size_t from = lines.size() > count ? lines.size() - count : 0;
  std::string out;
  for (size_t i = from; i < lines.size(); ++i) out += lines[i] + "\n";
  return out;
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw SetupError(fmt::format("cannot write {}", path.string()));
}

ImplementationTestSummary Summarize(const std::string& name, const std::vector<TestCaseResult>& cases) {
  ImplementationTestSummary summary{name};
  for (const TestCaseResult& c : cases) {
    (c.outcome == Outcome::kPassed ? summary.passed : c.outcome == Outcome::kFailed ? summary.failed
                                                                                      : summary.skipped)++;
  }
  return summary;
}

// Adds up the testsuite counts of a JUnit file the runner wrote (Surefire's TEST-*.xml), without parsing
// XML properly: the attributes of its <testsuite> element are enough for the summary line.
void AddJUnitCounts(const std::string& xml, ImplementationTestSummary& summary) {
  std::smatch suite;
  if (!std::regex_search(xml, suite, std::regex("<testsuite\\b[^>]*>"))) return;
  std::string element = suite.str();
  auto count = [&](const char* attribute) {
    std::smatch m;
    return std::regex_search(element, m, std::regex(std::string("\\b") + attribute + "=\"(\\d+)\""))
               ? std::stoi(m[1].str())
               : 0;
  };
  int failed = count("failures") + count("errors");
  int skipped = count("skipped");
  summary.failed += failed;
  summary.skipped += skipped;
  summary.passed += count("tests") - failed - skipped;
}

}  // namespace

std::vector<TestCaseResult> ParseTestOutput(std::string_view output) {
  static const std::regex libtest(R"(^test (\S+) \.\.\. (ok|FAILED|ignored)\b.*$)");
  static const std::regex go_test(R"(^--- (PASS|FAIL|SKIP): (\S+) \(.*$)");
  std::vector<TestCaseResult> cases;
  std::istringstream in{std::string(output)};
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, libtest)) {
      std::string result = m[2].str();
      cases.push_back({m[1].str(), result == "ok" ? Outcome::kPassed : result == "FAILED" ? Outcome::kFailed
                                                                                          : Outcome::kSkipped,
                       result == "FAILED" ? "failed (see the log)" : result == "ignored" ? "ignored" : ""});
    } else if (std::regex_match(line, m, go_test)) {
      std::string result = m[1].str();
      cases.push_back({m[2].str(), result == "PASS" ? Outcome::kPassed : result == "FAIL" ? Outcome::kFailed
                                                                                          : Outcome::kSkipped,
                       result == "FAIL" ? "failed (see the log)" : result == "SKIP" ? "skipped" : ""});
    }
  }
  return cases;
}

std::string JUnitXml(const std::string& suite, const std::vector<TestCaseResult>& cases) {
  ImplementationTestSummary summary = Summarize(suite, cases);
  std::string xml = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\">\n",
      XmlEscape(suite), cases.size(), summary.failed, summary.skipped);
  for (const TestCaseResult& c : cases) {
    xml += fmt::format("  <testcase classname=\"{}\" name=\"{}\"", XmlEscape(suite), XmlEscape(c.name));
    if (c.outcome == Outcome::kPassed) {
      xml += "/>\n";
    } else {
      const char* tag = c.outcome == Outcome::kFailed ? "failure" : "skipped";
      xml += fmt::format(">\n    <{} message=\"{}\"/>\n  </testcase>\n", tag, XmlEscape(c.message));
    }
  }
  return xml + "</testsuite>\n";
}

std::vector<ImplementationTestSummary> RunImplementationTests(const ProjectPaths& paths,
                                                              const std::vector<std::string>& workloads,
                                                              const fs::path& reports_dir, std::ostream& progress) {
  std::error_code error;
  fs::create_directories(reports_dir, error);
  if (error) throw SetupError(fmt::format("cannot create {}: {}", reports_dir.string(), error.message()));
  std::vector<ImplementationTestSummary> summaries;
  for (const std::string& workload : workloads) {
    for (const Implementation& impl : LoadImplementations(paths, workload)) {
      if (impl.test_command.empty()) continue;
      std::string name = fmt::format("{}/{}", workload, impl.name);
      std::string stem = fmt::format("impl-{}-{}", workload, impl.name);
      fs::path report = reports_dir / (stem + ".xml");
      std::vector<TestCaseResult> cases;
      if (std::string reason = UnavailableReason(impl); !reason.empty()) {
        progress << fmt::format("claimbench: {} tests skipped: unavailable: {}\n", name, reason);
        cases.push_back({name + " tests", Outcome::kSkipped, "unavailable: " + reason});
        WriteText(report, JUnitXml(name, cases));
        summaries.push_back(Summarize(name, cases));
        continue;
      }
      progress << fmt::format("claimbench: running the tests of {} ({})\n", name,
                              fmt::join(impl.test_command, " "));
      if (!impl.test_reports.empty()) fs::remove_all(impl.test_reports, error);  // no stale reports
      fs::create_directories(impl.out_dir, error);
      ProcessSpec spec;
      spec.argv = impl.test_command;
      spec.working_dir = impl.dir;
      spec.stdout_path = reports_dir / (stem + ".log");
      spec.stderr_path = reports_dir / (stem + ".err.log");
      spec.timeout = impl.test_timeout;
      spec.rss_sample_interval = std::chrono::nanoseconds(0);
      spec.use_cgroup = false;
      auto started = std::chrono::steady_clock::now();
      ProcessResult result = RunToCompletion(spec);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      std::string output = ReadFileIfPresent(spec.stdout_path).value_or("");
      std::string errors = ReadFileIfPresent(spec.stderr_path).value_or("");

      ImplementationTestSummary summary{name};
      if (!impl.test_reports.empty()) {
        for (const fs::directory_entry& entry : fs::directory_iterator(impl.test_reports, error)) {
          if (entry.path().extension() != ".xml") continue;
          fs::copy_file(entry.path(), reports_dir / (stem + "-" + entry.path().filename().string()),
                        fs::copy_options::overwrite_existing);
          AddJUnitCounts(ReadWholeFile(entry.path()), summary);
        }
      } else {
        cases = ParseTestOutput(output + "\n" + errors);
      }
      TestCaseResult command{name + " test command exits 0", Outcome::kPassed, ""};
      if (!result.ok()) {
        command.outcome = Outcome::kFailed;
        command.message = fmt::format("{}: {}; last lines (log: {}):\n{}", fmt::join(impl.test_command, " "),
                                      result.error, spec.stderr_path.string(), Tail(output + errors, 15));
      }
      cases.push_back(command);
      WriteText(report, JUnitXml(name, cases));
      ImplementationTestSummary own = Summarize(name, cases);
      summary.passed += own.passed;
      summary.failed += own.failed;
      summary.skipped += own.skipped;
      progress << fmt::format("claimbench: {}: {} passed, {} failed, {} skipped in {:.1f} s{}\n", name, summary.passed,
                              summary.failed, summary.skipped, seconds,
                              result.ok() ? "" : fmt::format(" ({}; log: {})", result.error, spec.stdout_path.string()));
      summaries.push_back(summary);
    }
  }
  return summaries;
}

}  // namespace claimbench
