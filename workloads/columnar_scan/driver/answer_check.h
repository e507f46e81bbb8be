// Compares a query's CSV answer with an expected one under TPC-H's validation rules (TPC-H specification,
// clause 2.1.3.5 "Query validation"): same header and rows in the same order; keys, counts, dates and
// strings exactly; sums within $100; averages within 1% after rounding to 1/100; any other decimal
// (a price) to the cent.
#pragma once

#include <string>
#include <string_view>

namespace claimbench::columnar {

// Empty when `got` matches `expected`, else one line naming the first difference (row, column, values).
std::string CompareAnswers(std::string_view expected, std::string_view got);

}  // namespace claimbench::columnar
