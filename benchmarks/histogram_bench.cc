// What recording a latency costs on the load generator's hot path: Histogram::Record, the clock reads
// around it, and the read-side queries that run once per report.
#include <chrono>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "claimbench/histogram.h"

namespace {

// Latencies spread over many buckets (lognormal around 50 us), so Record's index arithmetic is not
// flattered by a single hot counter. A power-of-two count lets the loop wrap with a mask.
std::vector<int64_t> LatencySample() {
  std::mt19937_64 engine(42);
  std::lognormal_distribution<double> latency_ns(std::log(50'000.0), 1.0);
  std::vector<int64_t> values(1 << 16);
  for (int64_t& value : values) value = static_cast<int64_t>(latency_ns(engine));
  return values;
}

claimbench::Histogram FilledHistogram() {
  claimbench::Histogram histogram = claimbench::Histogram::ForLatencyNs();
  for (int64_t value : LatencySample()) histogram.Record(value);
  return histogram;
}

void BM_HistogramRecord(benchmark::State& state) {
  const std::vector<int64_t> values = LatencySample();
  claimbench::Histogram histogram = claimbench::Histogram::ForLatencyNs();
  size_t i = 0;
  for (auto _ : state) {
    histogram.Record(values[i++ & (values.size() - 1)]);
  }
  benchmark::DoNotOptimize(histogram.TotalCount());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord);

void BM_SteadyClockNow(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(std::chrono::steady_clock::now());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SteadyClockNow);

// The whole per-request measurement: two clock reads and one Record.
void BM_TimedRecord(benchmark::State& state) {
  claimbench::Histogram histogram = claimbench::Histogram::ForLatencyNs();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    const auto end = std::chrono::steady_clock::now();
    histogram.Record(std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
  }
  benchmark::DoNotOptimize(histogram.TotalCount());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TimedRecord);

// A linear scan of the counters up to the requested rank: the argument is the percentile in 0.01%.
void BM_ValueAtPercentile(benchmark::State& state) {
  const claimbench::Histogram histogram = FilledHistogram();
  const double percentile = static_cast<double>(state.range(0)) / 100.0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(histogram.ValueAtPercentile(percentile));
  }
}
BENCHMARK(BM_ValueAtPercentile)->Arg(5000)->Arg(9900)->Arg(9999);

// Per-thread histograms are merged once at the end of a run.
void BM_HistogramMerge(benchmark::State& state) {
  const claimbench::Histogram part = FilledHistogram();
  claimbench::Histogram total = claimbench::Histogram::ForLatencyNs();
  for (auto _ : state) {
    total.Merge(part);
  }
  benchmark::DoNotOptimize(total.TotalCount());
}
BENCHMARK(BM_HistogramMerge);

}  // namespace
