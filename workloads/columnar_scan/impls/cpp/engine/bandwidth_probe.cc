#include "bandwidth_probe.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <string>

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/parallel_reduce.h>
#include <oneapi/tbb/task_arena.h>

namespace claimbench::columnar {
namespace {

// "32768K" -> bytes; 0 when unreadable.
int64_t ReadCacheSize(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!(in >> text) || text.empty()) return 0;
  int64_t multiplier = 1;
  if (text.back() == 'K') multiplier = 1024;
  if (text.back() == 'M') multiplier = 1024 * 1024;
  try {
    return std::stoll(text) * multiplier;
  } catch (...) {
    return 0;
  }
}

}  // namespace

int64_t BandwidthProbeBytes() {
  int64_t llc = 0;
  for (int index = 0; index < 8; ++index) {
    llc = std::max(llc, ReadCacheSize("/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(index) + "/size"));
  }
  llc = std::max<int64_t>(llc, ::sysconf(_SC_LEVEL3_CACHE_SIZE));  // some kernels report the whole socket here
  return std::clamp<int64_t>(4 * llc, int64_t{256} << 20, int64_t{4} << 30);
}

double MeasureReadBandwidth(int threads) {
  const int64_t bytes = BandwidthProbeBytes();
  const size_t words = static_cast<size_t>(bytes / 8);
  std::unique_ptr<uint64_t[]> buffer(new uint64_t[words]);
  oneapi::tbb::task_arena arena(std::max(threads, 1));
  const oneapi::tbb::blocked_range<size_t> all(0, words, size_t{1} << 16);
  // Written by the same threads that read it, so on a NUMA machine pages sit near their readers.
  arena.execute([&] {
    oneapi::tbb::parallel_for(all, [&](const oneapi::tbb::blocked_range<size_t>& range) {
      for (size_t i = range.begin(); i < range.end(); ++i) buffer[i] = i;
    });
  });
  double best_s = 1e30;
  uint64_t sink = 0;
  for (int pass = 0; pass < 5; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    const uint64_t sum = arena.execute([&] {
      return oneapi::tbb::parallel_reduce(
          all, uint64_t{0},
          [&](const oneapi::tbb::blocked_range<size_t>& range, uint64_t partial) {
            // Four independent sums so the loop is limited by memory, not by the add chain.
            uint64_t lanes[4] = {0, 0, 0, 0};
            size_t i = range.begin();
            for (; i + 4 <= range.end(); i += 4) {
              lanes[0] += buffer[i];
              lanes[1] += buffer[i + 1];
              lanes[2] += buffer[i + 2];
              lanes[3] += buffer[i + 3];
            }
            for (; i < range.end(); ++i) lanes[0] += buffer[i];
            return partial + lanes[0] + lanes[1] + lanes[2] + lanes[3];
          },
          [](uint64_t a, uint64_t b) { return a + b; });
    });
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    sink ^= sum;
    best_s = std::min(best_s, seconds);
  }
  // The sum is known (0 + 1 + ... + words - 1); checking it keeps the reads from being optimised away.
  if (sink != static_cast<uint64_t>(words) * (words - 1) / 2 && sink != 0) best_s = std::max(best_s, 1e-9);
  return static_cast<double>(words * 8) / best_s;
}

}  // namespace claimbench::columnar
