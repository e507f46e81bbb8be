#include "strictness_case.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "claimbench/case_parameters.h"
#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/process.h"
#include "claimbench/service_measurement.h"

namespace claimbench::http_proxy_workload {
namespace {

namespace fs = std::filesystem;

// 39 rows, each at most the tool's 1.5 s answer wait and 0.05 s settle: about 62 s when no proxy answers.
constexpr std::chrono::seconds kProbeTimeout{150};

// The last non-empty line of a log, for an error message; empty when there is none.
std::string LastLine(const fs::path& path) {
  std::optional<std::string> text;
  try {
    text = ReadFileIfPresent(path);
  } catch (const SetupError&) {
    return "";
  }
  if (!text) return "";
  while (!text->empty() && (text->back() == '\n' || text->back() == '\r')) text->pop_back();
  const size_t newline = text->rfind('\n');
  return newline == std::string::npos ? *text : text->substr(newline + 1);
}

class StrictnessCase final : public PreparedCase {
 public:
  StrictnessCase(ProjectPaths paths, fs::path tool) : paths_(std::move(paths)), tool_(std::move(tool)) {}

  // A fresh port for the recording origin: the tool binds it only once the proxy is ready, and the proxy
  // connects upstream only when it forwards a request, so the port is free meanwhile.
  Verdict BeforeRepetition(const CaseSpec&, const RunContext&) override {
    origin_port_ = FreeLoopbackPort();
    return Verdict::Ok();
  }

  std::vector<std::string> Arguments(const CaseSpec& spec, const RunContext& context) override {
    return {"serve",      "--listen",    fmt::format("127.0.0.1:{}", context.port),
            "--upstream", fmt::format("127.0.0.1:{}", origin_port_),
            "--threads",  std::to_string(CaseParameters(spec).Int("threads", 1, 1024))};
  }

  Verdict Drive(const CaseSpec&, const RunContext& context, ChildProcess& proxy,
                ServiceMeasurement& measurement) override {
    ProcessSpec run;
    const fs::path answers = context.scratch_dir / "strictness.json";
    run.argv = {paths_.python.string(), tool_.string(),  "--probe", std::to_string(context.port),
                "--origin-port",        std::to_string(origin_port_), "--json", answers.string()};
    run.working_dir = context.scratch_dir;
    run.stdout_path = context.scratch_dir / "strictness.stdout";
    run.stderr_path = context.scratch_dir / "strictness.stderr";
    run.timeout = kProbeTimeout;
    run.rss_sample_interval = std::chrono::nanoseconds(0);
    run.use_cgroup = false;
    ProcessResult probed = ChildProcess::Spawn(run).Wait();
    if (!probed.ok()) {
      const std::string said = LastLine(run.stderr_path);
      return Verdict::Invalid(fmt::format("the strictness rows could not be sent: {}{}", probed.error,
                                          said.empty() ? "" : ": " + said));
    }
    if (!proxy.Running()) return Verdict::Invalid("the proxy exited while it was sent the strictness rows");
    return ReadStrictnessAnswers(answers, measurement);
  }

 private:
  ProjectPaths paths_;
  fs::path tool_;
  uint16_t origin_port_ = 0;
};

}  // namespace

std::vector<MetricDescriptor> StrictnessMetricDescriptors() {
  return {{"strictness_rows", "count", true}, {"strictness_agreeing_rows", "count", true}};
}

std::unique_ptr<PreparedCase> PrepareStrictnessCase(const ProjectPaths& paths, fs::path tool) {
  if (!fs::exists(tool)) throw SetupError(fmt::format("{} is missing; the strictness case needs it", tool.string()));
  return std::make_unique<StrictnessCase>(paths, std::move(tool));
}

Verdict ReadStrictnessAnswers(const fs::path& path, ServiceMeasurement& measurement) {
  nlohmann::json rows;
  try {
    rows = nlohmann::json::parse(ReadWholeFile(path));
  } catch (const std::exception& error) {
    return Verdict::Invalid(fmt::format("{}: {}", path.string(), error.what()));
  }
  if (!rows.is_array() || rows.empty()) return Verdict::Invalid(fmt::format("{}: expected a non-empty array", path.string()));
  std::vector<ConformanceCheck> checks;
  for (size_t i = 0; i < rows.size(); ++i) {
    const nlohmann::json& row = rows[i];
    auto text = [&](const char* key) { return row.contains(key) && row[key].is_string(); };
    auto flag = [&](const char* key) { return row.contains(key) && row[key].is_boolean(); };
    if (!row.is_object() || !text("check") || !text("expected") || !text("status") || !flag("in_body") ||
        !flag("forwarded") || !flag("agrees")) {
      return Verdict::Invalid(fmt::format("{}: row {}: expected check, expected, status (strings) and in_body, "
                                          "forwarded, agrees (booleans)",
                                          path.string(), i));
    }
    checks.push_back({row["check"], row["expected"], row["in_body"], row["status"], row["forwarded"], row["agrees"]});
  }
  int agreeing = 0;
  for (const ConformanceCheck& check : checks) agreeing += check.agrees ? 1 : 0;
  measurement.metrics["strictness_rows"] = static_cast<double>(checks.size());
  measurement.metrics["strictness_agreeing_rows"] = agreeing;
  measurement.conformance = std::move(checks);
  return Verdict::Ok();
}

}  // namespace claimbench::http_proxy_workload
