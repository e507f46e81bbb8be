// TPC-H Q6, forecasting revenue change (DATE 1994-01-01, DISCOUNT 0.06, QUANTITY 24): a selective scan
// with one sum. The predicate is evaluated without branches so the loop vectorises; discount bounds are
// exact integers (5..7 hundredths), never 0.06 +/- 0.01 in binary floating point.
#pragma once

#include <cstdint>
#include <string>

#include "date.h"
#include "decimal.h"
#include "morsels.h"

namespace claimbench::columnar {

template <typename Lineitem>
Int128 Q6Kernel(const Lineitem& table, int64_t begin, int64_t end) {
  // A local copy of the accessor (a few spans): the compiler then knows no store in the loop can move
  // them, and vectorises it (through the reference it gave up, inlined into the query's Execute).
  const Lineitem lineitem = table;
  constexpr int32_t kFrom = DaysFromCivil(1994, 1, 1);
  constexpr int32_t kTo = DaysFromCivil(1995, 1, 1);
  int64_t revenue = 0;  // scale 4; a row adds < 2^31, a morsel < 2^47
  for (int64_t i = begin; i < end; ++i) {
    const int32_t shipdate = lineitem.Shipdate(i);
    const int64_t discount = lineitem.Discount(i);
    const bool keep = (shipdate >= kFrom) & (shipdate < kTo) & (discount >= 5) & (discount <= 7) &
                      (lineitem.Quantity(i) < 2400);
    revenue += keep ? lineitem.Extendedprice(i) * discount : 0;
  }
  return revenue;
}

std::string FormatQ6(Int128 revenue);

template <typename Lineitem>
std::string RunQ6(const Lineitem& lineitem, int threads) {
  return FormatQ6(ReduceMorsels<Int128>(
      lineitem.Rows(), threads, [&](int64_t begin, int64_t end) { return Q6Kernel(lineitem, begin, end); },
      [](Int128& into, Int128 from) { into += from; }));
}

}  // namespace claimbench::columnar
