// The harness's own costs, so that no measured figure is smaller than what measuring adds: one RSS sample
// of a process tree (taken every 10 ms while an implementation runs), spawning and reaping a trivial
// child, and reading the monotonic clock.
#include <benchmark/benchmark.h>

#include <chrono>

#include "claimbench/process.h"
#include "proc_tree.h"

namespace {

claimbench::ProcessSpec SleepingChild() {
  claimbench::ProcessSpec spec;
  spec.argv = {"sleep", "30"};
  spec.rss_sample_interval = std::chrono::nanoseconds(0);
  return spec;
}

void BM_SampleTreeRss(benchmark::State& state) {
  claimbench::ChildProcess child = claimbench::ChildProcess::Spawn(SleepingChild());
  claimbench::process_internal::ProcessTreeRss sampler;
  for (auto _ : state) benchmark::DoNotOptimize(sampler.SampleBytes(child.pid()));
  child.Terminate(std::chrono::seconds(1));
  child.Wait();
}
BENCHMARK(BM_SampleTreeRss);

void BM_SpawnAndReapTrueProcess(benchmark::State& state) {
  claimbench::ProcessSpec spec;
  spec.argv = {"true"};
  spec.rss_sample_interval = std::chrono::milliseconds(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(claimbench::RunToCompletion(spec).wall_ns);
}
// 0: sampler off; 10: the default 10 ms sampling.
BENCHMARK(BM_SpawnAndReapTrueProcess)->Arg(0)->Arg(10)->Unit(benchmark::kMicrosecond);

}  // namespace
