// TPC-H Q1, pricing summary report (DELTA = 90): a scan of almost all of lineitem with a six-group
// aggregate. Groups are a direct index (returnflag x linestatus), not a hash table.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <fmt/format.h>

#include "date.h"
#include "decimal.h"
#include "morsels.h"

namespace claimbench::columnar {

struct Q1Group {
  int64_t sum_qty = 0, sum_base_price = 0, sum_discount = 0, count = 0;  // scale 2, 2, 2, rows
  Int128 sum_disc_price = 0;                                             // scale 4
  Int128 sum_charge = 0;                                                 // scale 6
};

// Slots 0..5 are (A|N|R) x (F|O); 6 and 7 take values outside TPC-H's domain so that no byte can index
// out of bounds. They are never printed.
inline constexpr int kQ1Slots = 8;
using Q1State = std::array<Q1Group, kQ1Slots>;

inline constexpr std::array<uint8_t, 256> kQ1FlagSlot = [] {
  std::array<uint8_t, 256> slot{};
  slot.fill(3);
  slot['A'] = 0;
  slot['N'] = 1;
  slot['R'] = 2;
  return slot;
}();

template <typename Lineitem>
Q1State Q1Kernel(const Lineitem& table, int64_t begin, int64_t end) {
  const Lineitem lineitem = table;  // a local copy keeps the spans in registers (see q6.h)
  constexpr int32_t kCutoff = DaysFromCivil(1998, 12, 1) - 90;
  // Per-morsel int64 products: a row's charge is below 2^37 (price < 2^24 cents, times 100 * 110), so a
  // morsel of 2^16 rows cannot overflow; the morsel's sums then go into the __int128 totals.
  int64_t disc_price[kQ1Slots] = {};
  int64_t charge[kQ1Slots] = {};
  Q1State state{};
  for (int64_t i = begin; i < end; ++i) {
    if (lineitem.Shipdate(i) > kCutoff) continue;
    const int slot = kQ1FlagSlot[static_cast<uint8_t>(lineitem.Returnflag(i))] * 2 +
                     (lineitem.Linestatus(i) == 'F' ? 0 : 1);
    const int64_t price = lineitem.Extendedprice(i);
    const int64_t discounted = price * (100 - lineitem.Discount(i));
    Q1Group& group = state[slot];
    group.sum_qty += lineitem.Quantity(i);
    group.sum_base_price += price;
    group.sum_discount += lineitem.Discount(i);
    group.count += 1;
    disc_price[slot] += discounted;
    charge[slot] += discounted * (100 + lineitem.Tax(i));
  }
  for (int slot = 0; slot < kQ1Slots; ++slot) {
    state[slot].sum_disc_price = disc_price[slot];
    state[slot].sum_charge = charge[slot];
  }
  return state;
}

inline void Q1Combine(Q1State& into, const Q1State& from) {
  for (int slot = 0; slot < kQ1Slots; ++slot) {
    into[slot].sum_qty += from[slot].sum_qty;
    into[slot].sum_base_price += from[slot].sum_base_price;
    into[slot].sum_discount += from[slot].sum_discount;
    into[slot].count += from[slot].count;
    into[slot].sum_disc_price += from[slot].sum_disc_price;
    into[slot].sum_charge += from[slot].sum_charge;
  }
}

std::string FormatQ1(const Q1State& state);

template <typename Lineitem>
std::string RunQ1(const Lineitem& lineitem, int threads) {
  return FormatQ1(ReduceMorsels<Q1State>(
      lineitem.Rows(), threads, [&](int64_t begin, int64_t end) { return Q1Kernel(lineitem, begin, end); },
      Q1Combine));
}

}  // namespace claimbench::columnar
