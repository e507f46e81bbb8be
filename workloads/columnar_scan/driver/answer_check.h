// Compares a query's CSV answer with an expected one. Two levels, by how the implementation keeps money:
//   kExactDecimals (the SPEC's rule: money is exact): same header and rows in the same order; keys, counts,
//     dates and strings exactly; every sum and price to the cent; averages to their last printed digit (an
//     engine may average exact decimals in binary floating point, so a tie may round the other way).
//   kTpchTolerance (for an engine that cannot be exact: Polars and pandas hold money as Float64): TPC-H's
//     validation rules (TPC-H specification, clause 2.1.3.5 "Query validation"): sums within $100;
//     averages within 1% after rounding to 1/100; any other decimal (a price) to the cent.
#pragma once

#include <string>
#include <string_view>

namespace claimbench::columnar {

enum class Precision { kExactDecimals, kTpchTolerance };

// Empty when `got` matches `expected` under `precision`, else one line naming the first difference (row,
// column, values, and the rule that was broken). Pure; thread-safe.
std::string CompareAnswers(std::string_view expected, std::string_view got, Precision precision);

}  // namespace claimbench::columnar
