// Micro-benchmarks of the abstractions workload's C++ kernels (workloads/abstractions/SPEC.md), each in both
// styles, on the workload's 65,536-element seeded inputs, inside one process: Google Benchmark's view of
// the hand-written loops (/loops) against std::ranges (/ranges). The claim S2 is judged from the suite's
// interleaved process runs (./claimbench run --workload abstractions), not from these; they are for looking
// at one kernel quickly while changing it. items_per_second counts input elements.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "abstractions_input.h"
#include "kernels.h"

namespace claimbench::abstractions {
namespace {

constexpr size_t kElements = 65536;

struct Inputs {
  std::vector<uint32_t> a, b, x;
  std::string text;
};

const Inputs& TheInputs() {
  static const Inputs inputs = [] {
    SplitMix64 draws(1);
    Inputs made;
    made.a = MakeValues(draws, kElements);
    made.b = MakeValues(draws, kElements);
    made.x = MakeValues(draws, 256);
    made.text = MakeText(draws, kElements);
    return made;
  }();
  return inputs;
}

const KernelSet& Style(const benchmark::State& state) {
  return state.range(0) == 0 ? LoopKernels() : RangesKernels();
}

template <class Run>
void Measure(benchmark::State& state, Run run) {
  state.SetLabel(state.range(0) == 0 ? "loops" : "ranges");
  for (auto _ : state) benchmark::DoNotOptimize(run(Style(state), TheInputs()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(kElements));
}

void BM_SumEvenSquares(benchmark::State& state) {
  Measure(state, [](const KernelSet& k, const Inputs& in) { return k.sum_even_squares(in.a); });
}
void BM_DotProduct(benchmark::State& state) {
  Measure(state, [](const KernelSet& k, const Inputs& in) { return k.dot_product(in.a, in.b); });
}
void BM_FilterMapCollect(benchmark::State& state) {
  Measure(state, [](const KernelSet& k, const Inputs& in) { return k.filter_map_collect(in.a); });
}
void BM_MatVec(benchmark::State& state) {
  Measure(state, [](const KernelSet& k, const Inputs& in) { return k.matvec(in.a, in.x); });
}
void BM_WordLengths(benchmark::State& state) {
  Measure(state, [](const KernelSet& k, const Inputs& in) { return k.word_lengths(in.text); });
}

// Argument 0: loops, 1: ranges.
BENCHMARK(BM_SumEvenSquares)->Arg(0)->Arg(1);
BENCHMARK(BM_DotProduct)->Arg(0)->Arg(1);
BENCHMARK(BM_FilterMapCollect)->Arg(0)->Arg(1);
BENCHMARK(BM_MatVec)->Arg(0)->Arg(1);
BENCHMARK(BM_WordLengths)->Arg(0)->Arg(1);

}  // namespace
}  // namespace claimbench::abstractions
