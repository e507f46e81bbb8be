// Micro-benchmarks of the read-states store alone (no network): GET and ACK on a store of 1M entries with
// 1.25M keys, for hits (a key set that fits) and for a uniform spread over the key space (misses,
// evictions, write-back of the dirty ones). Run: read_states_store_bench [--benchmark_filter=...]
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "backing_table.h"
#include "read_states_store.h"

namespace claimbench::sync_service {
namespace {

constexpr uint64_t kEntries = 1'000'000;
constexpr uint64_t kKeys = kEntries + kEntries / 4;

struct Fixture {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("read_states_store_bench." + std::to_string(::getpid()));
  BackingTable table{path, kKeys};
  ReadStatesStore store{kEntries, table};
  Fixture() { store.Preload(); }
  ~Fixture() { std::filesystem::remove(path); }
};

// Key i of a run: within the preloaded keys (hits) or anywhere in the key space (misses and evictions).
uint64_t KeyIndex(uint64_t i, bool spread) { return SplitMix64(i) % (spread ? kKeys : kEntries / 2); }

void BM_Get(benchmark::State& state) {
  Fixture f;
  const bool spread = state.range(0) != 0;
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f.store.Execute({Op::kGet, KeyOfIndex(KeyIndex(i++, spread)), 0}));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["miss_rate"] = static_cast<double>(f.store.counters().misses) / static_cast<double>(i);
}
BENCHMARK(BM_Get)->Arg(0)->Arg(1)->ArgNames({"spread"});

// ACK with a write-back pass every 10,000 requests (the pass's cost is included).
void BM_Ack(benchmark::State& state) {
  Fixture f;
  const bool spread = state.range(0) != 0;
  uint64_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        f.store.Execute({Op::kAck, KeyOfIndex(KeyIndex(i, spread)), uint64_t{1} << 45 | i}));
    if (++i % 10'000 == 0) f.store.WriteBack();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["written_per_op"] =
      static_cast<double>(f.store.counters().written_back) / static_cast<double>(i);
}
BENCHMARK(BM_Ack)->Arg(0)->Arg(1)->ArgNames({"spread"});

}  // namespace
}  // namespace claimbench::sync_service
