// The abstractions workload in C++ (SPEC.md): one program for both styles, so that the input, the marks and
// the pass loop are the same code whichever style's kernels run.
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "abstractions_input.h"
#include "claimbench/impl/marks.h"
#include "kernels.h"

namespace {

using claimbench::abstractions::KernelSet;
using claimbench::abstractions::SplitMix64;

constexpr int64_t kMaxElements = int64_t{1} << 22;  // SPEC.md: no pass's result wraps below this

struct Options {
  std::string kernel;
  int64_t elements = 0;
  int64_t passes = 0;
  uint64_t seed = 0;
  int64_t columns = 256;
  std::string style = "loops";
};

[[noreturn]] void UsageError(const std::string& message) {
  std::cerr << "abstractions: " << message << " (usage: abstractions KERNEL --elements N --passes P --seed S "
            << "[--columns C] [--style loops|ranges|function])\n";
  std::exit(2);
}

Options ParseOptions(int argc, char** argv) {
  Options options;
  CLI::App app{"The abstractions workload's kernels (SPEC.md)", "abstractions"};
  app.add_option("kernel", options.kernel, "the kernel")
      ->required()
      ->check(CLI::IsMember(
          {"sum_even_squares", "dot_product", "filter_map_collect", "matvec", "word_lengths"}));
  app.add_option("--elements", options.elements, "input size")
      ->required()
      ->check(CLI::Range(int64_t{1}, kMaxElements));
  app.add_option("--passes", options.passes, "kernel runs")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000'000}));
  app.add_option("--seed", options.seed, "the input's seed")->required();
  app.add_option("--columns", options.columns, "matvec's columns")
      ->check(CLI::Range(int64_t{1}, kMaxElements));
  // The last --style wins, so that `claimbench exec` can run another style than the one the manifest passes.
  app.add_option("--style", options.style, "which kernels")
      ->check(CLI::IsMember({"loops", "ranges", "function"}))
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    std::exit(app.exit(help));
  } catch (const CLI::ParseError& error) {
    UsageError(error.what());
  }
  if (options.kernel == "matvec" && options.elements % options.columns != 0) {
    UsageError("--elements must be a multiple of --columns for matvec");
  }
  return options;
}

// Keeps the compiler from assuming `value` unchanged across calls: an empty asm statement that takes its
// address and may read or write any memory (SPEC.md, step 2).
template <class T>
void HideFromOptimizer(const T& value) {
  asm volatile("" : : "r"(&value) : "memory");
}

// Marks ready, runs `kernel` `passes` times over `input`, marks done; the answer wraps at 64 bits.
template <class Input, class Kernel>
uint64_t RunPasses(const Input& input, int64_t passes, Kernel kernel) {
  claimbench::impl::Mark("ready");
  uint64_t answer = 0;
  for (int64_t pass = 0; pass < passes; ++pass) {
    HideFromOptimizer(input);
    answer += kernel(input);
  }
  claimbench::impl::Mark("done");
  return answer;
}

uint64_t Run(const Options& options, const KernelSet& kernels) {
  SplitMix64 draws(options.seed);
  const auto n = static_cast<size_t>(options.elements);
  using Values = std::vector<uint32_t>;
  if (options.kernel == "sum_even_squares") {
    return RunPasses(claimbench::abstractions::MakeValues(draws, n), options.passes,
                     [&](const Values& v) { return kernels.sum_even_squares(v); });
  }
  if (options.kernel == "filter_map_collect") {
    return RunPasses(claimbench::abstractions::MakeValues(draws, n), options.passes,
                     [&](const Values& v) { return kernels.filter_map_collect(v); });
  }
  if (options.kernel == "dot_product") {
    std::vector<Values> ab{claimbench::abstractions::MakeValues(draws, n)};
    ab.push_back(claimbench::abstractions::MakeValues(draws, n));
    return RunPasses(ab, options.passes,
                     [&](const std::vector<Values>& in) { return kernels.dot_product(in[0], in[1]); });
  }
  if (options.kernel == "matvec") {
    std::vector<Values> mx{claimbench::abstractions::MakeValues(draws, n)};
    mx.push_back(claimbench::abstractions::MakeValues(draws, static_cast<size_t>(options.columns)));
    return RunPasses(mx, options.passes,
                     [&](const std::vector<Values>& in) { return kernels.matvec(in[0], in[1]); });
  }
  return RunPasses(claimbench::abstractions::MakeText(draws, n), options.passes,
                   [&](const std::string& text) { return kernels.word_lengths(text); });
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = ParseOptions(argc, argv);
  const KernelSet& kernels = options.style == "ranges"     ? claimbench::abstractions::RangesKernels()
                             : options.style == "function" ? claimbench::abstractions::FunctionKernels()
                                                           : claimbench::abstractions::LoopKernels();
  const uint64_t answer = Run(options, kernels);
  std::cout << options.kernel << ' ' << answer << '\n';
  return 0;
}
