// Progress of a long run on stderr: one line rewritten in place on a terminal, plain lines otherwise
// (CI logs). Never writes to stdout, which carries the summary table.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace claimbench {

class Progress {
 public:
  explicit Progress(bool interactive);
  ~Progress();

  // Case `index` (1-based) of `count` in the whole run.
  void Case(std::string_view workload, std::string_view case_name, size_t implementations, size_t index,
            size_t count);
  // `of_at_most` is the largest number of repetitions the case may take (adaptive stopping ends sooner);
  // `case_left_s` the most the case can still take (negative: not known yet).
  void Repetition(std::string_view name, int repetition, bool warmup, int of_at_most, double case_left_s);
  void Problem(std::string_view name, std::string_view status, std::string_view error);
  void Finish();

 private:
  void Line(const std::string& text, bool transient);

  bool interactive_;
  bool transient_shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace claimbench
