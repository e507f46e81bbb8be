#include "decimal.h"

#include <algorithm>
#include <limits>

namespace claimbench::columnar {
namespace {

Int128 Pow10(int exponent) {
  Int128 result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  return result;
}

std::string Unsigned128ToString(unsigned __int128 value) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

// Divides |numerator| by divisor rounding half away from zero; prints the quotient as fixed point with
// `digits` decimals, the sign restored.
std::string RoundAndPrint(Int128 numerator, Int128 divisor, int digits) {
  const bool negative = numerator < 0;
  unsigned __int128 magnitude = negative ? -static_cast<unsigned __int128>(numerator)
                                         : static_cast<unsigned __int128>(numerator);
  const auto d = static_cast<unsigned __int128>(divisor);
  unsigned __int128 quotient = magnitude / d;
  if ((magnitude % d) * 2 >= d) ++quotient;
  std::string text = Unsigned128ToString(quotient);
  if (digits > 0) {
    if (static_cast<int>(text.size()) <= digits) text.insert(0, digits + 1 - text.size(), '0');
    text.insert(text.size() - digits, 1, '.');
  }
  if (negative && quotient != 0) text.insert(0, 1, '-');
  return text;
}

}  // namespace

std::optional<int64_t> ParseScaled(std::string_view text, int scale) {
  if (text.empty()) return std::nullopt;
  bool negative = false;
  size_t i = 0;
  if (text[0] == '-' || text[0] == '+') {
    negative = text[0] == '-';
    i = 1;
  }
  Int128 value = 0;
  int fraction_digits = -1;  // -1 until the point is seen
  bool any_digit = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      if (fraction_digits >= 0) return std::nullopt;
      fraction_digits = 0;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (fraction_digits >= 0 && ++fraction_digits > scale) return std::nullopt;
    value = value * 10 + (c - '0');
    any_digit = true;
    if (value > std::numeric_limits<int64_t>::max()) return std::nullopt;
  }
  if (!any_digit) return std::nullopt;
  value *= Pow10(scale - std::max(fraction_digits, 0));
  if (value > std::numeric_limits<int64_t>::max()) return std::nullopt;
  return static_cast<int64_t>(negative ? -value : value);
}

std::string FormatScaled(Int128 value, int scale, int digits) {
  return RoundAndPrint(value, Pow10(scale - digits), digits);
}

std::string FormatRatio(Int128 numerator, int scale, int64_t denominator, int digits) {
  // numerator / (denominator * 10^scale) * 10^digits, rounded: scale the numerator up if digits > scale.
  if (digits >= scale) return RoundAndPrint(numerator * Pow10(digits - scale), denominator, digits);
  return RoundAndPrint(numerator, static_cast<Int128>(denominator) * Pow10(scale - digits), digits);
}

}  // namespace claimbench::columnar
