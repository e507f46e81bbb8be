#include "progress.h"

#include <cstdio>

#include <fmt/format.h>

namespace claimbench {

Progress::Progress(bool interactive) : interactive_(interactive), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() { Finish(); }

void Progress::Line(const std::string& text, bool transient) {
  double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = fmt::format("[{:7.1f} s] {}", elapsed_s, text);
  if (interactive_) {
    std::fprintf(stderr, "\r\033[K%s%s", line.c_str(), transient ? "" : "\n");
    transient_shown_ = transient;
  } else if (!transient) {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

void Progress::Case(std::string_view workload, std::string_view case_name, size_t implementations, size_t index,
                    size_t count) {
  Line(fmt::format("case {}/{}: {}/{}, {} implementation{}", index, count, workload, case_name, implementations,
                   implementations == 1 ? "" : "s"),
       false);
}

void Progress::Repetition(std::string_view name, int repetition, bool warmup, int of_at_most, double case_left_s) {
  std::string left = case_left_s < 0 ? "" : fmt::format(", case done in at most {:.1f} s", case_left_s);
  std::string text = fmt::format("  {} {} {} (at most {}){}", name, warmup ? "warm-up" : "repetition", repetition,
                                 of_at_most, left);
  // On a terminal every repetition updates the line; in a log only every fifth, to stay readable.
  Line(text, interactive_ || repetition % 5 != 1);
}

void Progress::Problem(std::string_view name, std::string_view status, std::string_view error) {
  Line(fmt::format("  {}: {}: {}", name, status, error), false);
}

void Progress::Finish() {
  if (interactive_ && transient_shown_) {
    std::fprintf(stderr, "\r\033[K");
    transient_shown_ = false;
  }
}

}  // namespace claimbench
