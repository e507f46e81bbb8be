// pair_coverage: the real coverage of the suite's paired-ratio interval at 1..N pairs, by simulation.
//
// Usage: pair_coverage [--trials 2000] [--max-pairs 20] [--seed 1]
// Prints a Markdown table (docs/statistics.md holds the published one): for every scenario of
// coverage_simulation.h and every number of pairs, the share of simulated comparisons whose 95% interval
// contained the true ratio, for the former percentile bootstrap and for the harness's interval, with the
// harness interval's guaranteed coverage and its median width. Exit 0, or 2 with one line on bad usage.
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "claimbench/error.h"
#include "claimbench/statistics.h"
#include "coverage_simulation.h"

namespace {

using claimbench::pair_coverage::Coverage;
using claimbench::pair_coverage::Estimator;
using claimbench::pair_coverage::Scenario;

std::string Percent(const Coverage& coverage) {
  const double fraction = coverage.Fraction();
  return std::isnan(fraction) ? std::string("-") : fmt::format("{:.1f}", 100 * fraction);
}

int Run(int64_t trials, size_t max_pairs, uint64_t seed) {
  const std::vector<Scenario> scenarios = claimbench::pair_coverage::Scenarios();
  std::vector<double> truths;
  for (const Scenario& scenario : scenarios) truths.push_back(claimbench::pair_coverage::TrueRatio(scenario));

  std::cout << fmt::format("Coverage (%) of the nominal 95% interval of the median per-pair ratio; {} simulated "
                           "comparisons per cell, seed {}; true slow-down {}.\n\n",
                           trials, seed, claimbench::pair_coverage::kSimulatedSlowdown);
  for (size_t s = 0; s < scenarios.size(); ++s) {
    std::cout << fmt::format("- {}: {} (true ratio {:.4f})\n", scenarios[s].name, scenarios[s].description, truths[s]);
  }
  std::cout << "\nEach cell: former percentile bootstrap / harness interval (- where it gives none).\n\n";
  std::cout << "| pairs | guaranteed |";
  for (const Scenario& scenario : scenarios) std::cout << " " << scenario.name << " |";
  std::cout << " width (quiet) |\n|---:|---:|";
  for (size_t s = 0; s < scenarios.size(); ++s) std::cout << "---:|";
  std::cout << "---:|\n";
  for (size_t pairs = 1; pairs <= max_pairs; ++pairs) {
    const std::optional<size_t> rank = claimbench::stats::MedianOrderStatisticRank(pairs);
    std::string guaranteed =
        rank ? fmt::format("{:.1f}", 100 * claimbench::stats::MedianOrderStatisticCoverage(pairs, *rank)) : "-";
    std::cout << fmt::format("| {} | {} |", pairs, guaranteed);
    double quiet_width = std::nan("");
    for (size_t s = 0; s < scenarios.size(); ++s) {
      // The same seed for both estimators: they judge the same simulated comparisons.
      const uint64_t cell_seed = seed * 1'000'003 + pairs * 101 + s;
      const Coverage bootstrap = claimbench::pair_coverage::SimulateCoverage(
          scenarios[s], truths[s], pairs, trials, cell_seed, Estimator::kPercentileBootstrap);
      const Coverage harness = claimbench::pair_coverage::SimulateCoverage(scenarios[s], truths[s], pairs, trials,
                                                                           cell_seed, Estimator::kHarness);
      if (s == 0) quiet_width = harness.median_relative_width;
      std::cout << fmt::format(" {} / {} |", Percent(bootstrap), Percent(harness));
    }
    std::cout << (std::isnan(quiet_width) ? std::string(" - |\n") : fmt::format(" {:.3f} |\n", quiet_width));
    std::cout.flush();
  }
  return claimbench::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"the real coverage of claimbench's paired-ratio interval, by simulation (docs/statistics.md)",
               "pair_coverage"};
  int64_t trials = 2000;
  size_t max_pairs = 20;
  uint64_t seed = 1;
  app.add_option("--trials", trials, "simulated comparisons per cell")->check(CLI::Range(int64_t{1}, int64_t{10'000'000}));
  app.add_option("--max-pairs", max_pairs, "largest number of pairs in the table")->check(CLI::Range(1, 1000));
  app.add_option("--seed", seed, "seed of the simulation");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "pair_coverage: error: " << e.what() << "; see --help\n";
    return claimbench::kExitSetupError;
  }
  try {
    return Run(trials, max_pairs, seed);
  } catch (const std::exception& e) {
    std::cerr << "pair_coverage: error: " << e.what() << "\n";
    return claimbench::kExitFailure;
  }
}
