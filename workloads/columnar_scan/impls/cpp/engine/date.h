// Calendar dates as days since 1970-01-01 (the proleptic Gregorian calendar), the physical type of every
// TPC-H DATE column: comparisons become int32 compares in the scan loops.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace claimbench::columnar {

// Days since 1970-01-01 of a valid civil date. Month 1..12, day 1..31; not range-checked.
constexpr int32_t DaysFromCivil(int year, int month, int day) {
  // Shift the year to start in March so the leap day is the last day of the shifted year.
  year -= month <= 2 ? 1 : 0;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const int year_of_era = year - era * 400;
  const int day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// Parses "YYYY-MM-DD"; nullopt for anything else (wrong length, non-digits, month or day out of range).
std::optional<int32_t> ParseDate(std::string_view text);

// "YYYY-MM-DD" for days since 1970-01-01.
std::string FormatDate(int32_t days);

}  // namespace claimbench::columnar
