// Micro-benchmarks of sync_engine's kernels on 64 MiB of seeded random bytes in memory (no files, no
// process start): the FastCDC chunker alone, each hash alone over the whole buffer, and chunk+hash (find
// boundaries, hash every chunk), which is what a sync does per file, on one thread and pipelined over two
// (ChunkAndHash: one thread finds boundaries while the other hashes). bytes_per_second counts input bytes
// per wall-clock second; cpu_time is the whole process's CPU time, so a pipeline's cost shows beside its
// wall time. The targets: chunker >= 1.5 GB/s per core; chunk+sha256 >= 80% of sha256 alone.
#include <benchmark/benchmark.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <span>
#include <vector>

#include "chunk_hash.h"
#include "chunker.h"
#include "hasher.h"

namespace claimbench::sync {
namespace {

const std::vector<std::uint8_t>& Input() {
  static const std::vector<std::uint8_t> data = [] {
    std::vector<std::uint8_t> bytes(std::size_t{64} << 20);
    std::uint64_t state = 42;  // SplitMix64 words, little-endian
    for (std::size_t i = 0; i < bytes.size(); i += 8) {
      std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      z ^= z >> 31;
      for (int k = 0; k < 8; ++k) bytes[i + k] = static_cast<std::uint8_t>(z >> (8 * k));
    }
    return bytes;
  }();
  return data;
}

void Finish(benchmark::State& state, std::size_t chunks) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(Input().size()));
  state.counters["chunks"] = static_cast<double>(chunks);
}

void BM_Chunk(benchmark::State& state) {
  Chunker chunker({16384, 65536, 262144});
  std::span<const std::uint8_t> data = Input();
  std::size_t chunks = 0;
  for (auto _ : state) {
    std::vector<std::uint32_t> lengths = chunker.Split(data);
    chunks = lengths.size();
    benchmark::DoNotOptimize(lengths.data());
  }
  Finish(state, chunks);
}
BENCHMARK(BM_Chunk)->Unit(benchmark::kMillisecond);

void BM_Hash(benchmark::State& state, HashKind kind) {
  std::span<const std::uint8_t> data = Input();
  for (auto _ : state) benchmark::DoNotOptimize(HashHex(kind, data));
  Finish(state, 0);
}
BENCHMARK_CAPTURE(BM_Hash, sha256, HashKind::kSha256)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Hash, xxh3, HashKind::kFast)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

// threads 1: the plain loop on this thread; threads >= 2: the oneTBB pipeline in an arena of that size.
void BM_ChunkHash(benchmark::State& state, HashKind kind) {
  Chunker chunker({16384, 65536, 262144});
  std::span<const std::uint8_t> data = Input();
  const int threads = static_cast<int>(state.range(0));
  tbb::task_arena arena(threads);
  std::size_t chunks = 0;
  for (auto _ : state) {
    std::vector<HashedChunk> out;
    if (threads <= 1) {
      out = ChunkAndHash(chunker, kind, data, 1);
    } else {
      arena.execute([&] { out = ChunkAndHash(chunker, kind, data, threads); });
    }
    chunks = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  Finish(state, chunks);
}
BENCHMARK_CAPTURE(BM_ChunkHash, sha256, HashKind::kSha256)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ChunkHash, xxh3, HashKind::kFast)
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime()
    ->UseRealTime();

}  // namespace
}  // namespace claimbench::sync
