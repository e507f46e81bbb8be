#include "expected_ids.h"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/file_contents.h"
#include "claimbench/process.h"

namespace claimbench::tokenizer_workload {
namespace {

namespace fs = std::filesystem;

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

size_t CountIds(std::string_view line) {
  return line.empty() ? 0 : static_cast<size_t>(std::count(line.begin(), line.end(), ' ')) + 1;
}

}  // namespace

std::string FirstDifference(std::string_view want, std::string_view got) {
  std::vector<std::string_view> want_lines = Lines(want), got_lines = Lines(got);
  for (size_t i = 0; i < std::min(want_lines.size(), got_lines.size()); ++i) {
    if (want_lines[i] == got_lines[i]) continue;
    return fmt::format("document {}: expected {} ids, got {}; expected '{}', got '{}'", i + 1,
                       CountIds(want_lines[i]), CountIds(got_lines[i]), want_lines[i].substr(0, 40),
                       got_lines[i].substr(0, 40));
  }
  if (want_lines.size() != got_lines.size()) {
    return fmt::format("expected {} lines (one per document), got {}", want_lines.size(), got_lines.size());
  }
  return "output differs from the expected ids (line endings?)";
}

std::string AgreedIds(const EncodedCorpus& a, const EncodedCorpus& b, std::string_view corpus) {
  if (a.ids != b.ids) {
    throw SetupError(fmt::format("{} and {} disagree on {} ({} against {}: {}), so it has no expected ids; one of "
                                 "them has a bug: run both on that document",
                                 a.implementation, b.implementation, corpus, b.implementation, a.implementation,
                                 FirstDifference(a.ids, b.ids)));
  }
  return a.ids;
}

EncodeRun RunEncoder(const Implementation& implementation, const ProjectPaths& paths,
                     const std::vector<std::string>& arguments, const fs::path& log_dir, const std::string& name,
                     std::chrono::seconds timeout) {
  ProcessSpec run;
  run.argv = implementation.command;
  run.argv.insert(run.argv.end(), arguments.begin(), arguments.end());
  run.env = ImplementationEnvironment(paths);
  run.stdout_path = log_dir / (name + ".stdout");
  run.stderr_path = log_dir / (name + ".stderr");
  run.timeout = timeout;
  run.rss_sample_interval = std::chrono::nanoseconds(0);
  const ProcessResult result = RunToCompletion(run);
  EncodeRun outcome;
  if (!result.ok()) {
    std::string last;
    std::istringstream err(ReadFileIfPresent(run.stderr_path).value_or(""));
    for (std::string line; std::getline(err, line);) {
      if (!line.empty()) last = line;
    }
    outcome.error = fmt::format("{} {}{} (log: {})", implementation.name, result.error,
                                last.empty() ? "" : ": " + last.substr(0, 200), run.stderr_path.string());
    return outcome;
  }
  outcome.ok = true;
  outcome.ids = ReadWholeFile(run.stdout_path);
  fs::remove(run.stdout_path);
  fs::remove(run.stderr_path);
  return outcome;
}

}  // namespace claimbench::tokenizer_workload
