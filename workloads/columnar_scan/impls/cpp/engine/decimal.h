// Fixed-point decimals: money is never a double. TPC-H's DECIMAL(15,2) columns are stored as int64
// hundredths; products keep their full scale (price * (1 - discount) has scale 4, times (1 + tax) scale 6)
// and sums that can pass 2^63 (Q1's sum_charge near SF 84) are __int128. Rounding happens once, when a
// result is printed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace claimbench::columnar {

using Int128 = __int128;

// Parses a decimal with at most `scale` digits after the point ("24710.35", "-0.5", "17") into an integer
// scaled by 10^scale. nullopt for anything else, or when the value does not fit in int64.
std::optional<int64_t> ParseScaled(std::string_view text, int scale);

// `value / 10^scale` rounded half away from zero to `digits` decimals (digits <= scale), e.g.
// FormatScaled(123456, 4, 2) == "12.35". Exact for every Int128.
std::string FormatScaled(Int128 value, int scale, int digits);

// numerator / (denominator * 10^scale), rounded half away from zero to `digits` decimals: exact averages.
// denominator > 0.
std::string FormatRatio(Int128 numerator, int scale, int64_t denominator, int digits);

}  // namespace claimbench::columnar
