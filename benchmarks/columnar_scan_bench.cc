// Micro-benchmarks of columnar_scan's kernels on in-memory columns (no files, no process start): the
// Q1 and Q6 pipelines on columns and on rows, against a plain sum of the same bytes, the floor a scan
// cannot beat. Bytes per second counts the columns each kernel reads.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "date.h"
#include "q1.h"
#include "q6.h"
#include "row_store.h"
#include "table_access.h"

namespace claimbench::columnar {
namespace {

constexpr int64_t kRows = int64_t{1} << 22;  // 4M rows: 160 MB of Q1 columns, well past the caches

struct Data {
  std::vector<int64_t> quantity, extendedprice, discount, tax;
  std::vector<int32_t> shipdate;
  std::vector<char> returnflag, linestatus;
  std::vector<LineitemRow> rows;
  LineitemColumns columns;

  Data() : rows(kRows) {
    std::mt19937_64 random(7);
    auto pick = [&](int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(random); };
    const char flags[] = {'A', 'N', 'R'};
    for (int64_t i = 0; i < kRows; ++i) {
      quantity.push_back(pick(1, 50) * 100);
      extendedprice.push_back(pick(90000, 10500000));
      discount.push_back(pick(0, 10));
      tax.push_back(pick(0, 8));
      shipdate.push_back(static_cast<int32_t>(DaysFromCivil(1992, 1, 2) + pick(0, 2500)));
      returnflag.push_back(flags[pick(0, 2)]);
      linestatus.push_back(pick(0, 1) == 0 ? 'F' : 'O');
      LineitemRow& row = rows[i];
      row = LineitemRow{};
      row.quantity = quantity.back();
      row.extendedprice = extendedprice.back();
      row.discount = discount.back();
      row.tax = tax.back();
      row.shipdate = shipdate.back();
      row.returnflag = returnflag.back();
      row.linestatus = linestatus.back();
    }
    columns.rows = kRows;
    columns.quantity = quantity;
    columns.extendedprice = extendedprice;
    columns.discount = discount;
    columns.tax = tax;
    columns.shipdate = shipdate;
    columns.returnflag = returnflag;
    columns.linestatus = linestatus;
  }
};

const Data& TheData() {
  static const Data data;
  return data;
}

void BM_SumInt64(benchmark::State& state) {
  const Data& data = TheData();
  for (auto _ : state) {
    int64_t sum = 0;
    for (int64_t i = 0; i < kRows; ++i) sum += data.extendedprice[i];
    benchmark::DoNotOptimize(sum);
  }
  state.SetBytesProcessed(state.iterations() * kRows * 8);
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_SumInt64);

void BM_Q6Columns(benchmark::State& state) {
  const Data& data = TheData();
  for (auto _ : state) benchmark::DoNotOptimize(Q6Kernel(data.columns, 0, kRows));
  state.SetBytesProcessed(state.iterations() * kRows * (4 + 8 + 8 + 8));
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_Q6Columns);

void BM_Q6Rows(benchmark::State& state) {
  const Data& data = TheData();
  LineitemRows rows{data.rows};
  for (auto _ : state) benchmark::DoNotOptimize(Q6Kernel(rows, 0, kRows));
  state.SetBytesProcessed(state.iterations() * kRows * (4 + 8 + 8 + 8));
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_Q6Rows);

void BM_Q1Columns(benchmark::State& state) {
  const Data& data = TheData();
  for (auto _ : state) {
    for (int64_t begin = 0; begin < kRows; begin += kMorselRows) {
      benchmark::DoNotOptimize(Q1Kernel(data.columns, begin, std::min(begin + kMorselRows, kRows)));
    }
  }
  state.SetBytesProcessed(state.iterations() * kRows * (4 + 1 + 1 + 8 * 4));
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_Q1Columns);

void BM_Q1Rows(benchmark::State& state) {
  const Data& data = TheData();
  LineitemRows rows{data.rows};
  for (auto _ : state) {
    for (int64_t begin = 0; begin < kRows; begin += kMorselRows) {
      benchmark::DoNotOptimize(Q1Kernel(rows, begin, std::min(begin + kMorselRows, kRows)));
    }
  }
  state.SetBytesProcessed(state.iterations() * kRows * (4 + 1 + 1 + 8 * 4));
  state.SetItemsProcessed(state.iterations() * kRows);
}
BENCHMARK(BM_Q1Rows);

}  // namespace
}  // namespace claimbench::columnar
