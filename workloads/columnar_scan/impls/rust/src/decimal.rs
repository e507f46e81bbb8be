//! Exact money: TPC-H's DECIMAL(15,2) columns are int64 hundredths, products keep their full scale
//! (price * (1 - discount) has scale 4, times (1 + tax) scale 6), and sums that can pass 2^63 (Q1's
//! sum_charge near SF 84) are i128. Rounding happens once, when a value is printed: to two decimals, half
//! away from zero (SPEC.md, "Output").

use chrono::NaiveDate;

/// `value / 10^scale` printed with two decimals, rounded half away from zero: `money(123456, 4)` is
/// `"12.35"`. `scale` is at least 2. Exact for every i128 a query can produce.
pub fn money(value: i128, scale: u32) -> String {
    cents(divide_rounded(value, 10_i128.pow(scale - 2)))
}

/// The average `sum / count` of values at scale 2, printed with two decimals, rounded half away from
/// zero. `count` > 0.
pub fn average(sum: i128, count: i64) -> String {
    cents(divide_rounded(sum, i128::from(count)))
}

/// `numerator / denominator` rounded half away from zero. `denominator` > 0.
fn divide_rounded(numerator: i128, denominator: i128) -> i128 {
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder.unsigned_abs() * 2 >= denominator.unsigned_abs() {
        quotient + numerator.signum()
    } else {
        quotient
    }
}

/// Hundredths as a decimal with two digits after the point: `-5` is `"-0.05"`.
fn cents(hundredths: i128) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let magnitude = hundredths.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// Days since 1970-01-01 of a calendar date: what a date column stores. Panics on an invalid date
/// (only the queries' constants are converted).
pub const fn days(year: i32, month: u32, day: u32) -> i32 {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date.to_epoch_days(),
        None => panic!("not a calendar date"),
    }
}

/// `YYYY-MM-DD` for days since 1970-01-01 (chrono's own form outside years 0-9999, which TPC-H never has).
pub fn date(days: i32) -> String {
    match NaiveDate::from_epoch_days(days) {
        Some(date) => date.to_string(),
        None => format!("day {days}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_rounds_half_away_from_zero_once() {
        assert_eq!(money(123_456, 4), "12.35");
        assert_eq!(money(123_449, 4), "12.34");
        assert_eq!(money(-123_450, 4), "-12.35");
        assert_eq!(money(-49, 4), "0.00");
        assert_eq!(money(-50, 4), "-0.01");
        assert_eq!(money(5, 2), "0.05");
        assert_eq!(money(2_471_035, 2), "24710.35");
        assert_eq!(money(1_234_567_850_000, 6), "1234567.85");
    }

    #[test]
    fn money_is_exact_past_two_to_the_63() {
        // Q1's sum_charge at scale 6 passes i64 near SF 84; i128 keeps every digit.
        // i64::MAX hundredths and a half, at scale 6: the half rounds up past i64::MAX.
        let value = i128::from(i64::MAX) * 10_000 + 5_000;
        assert_eq!(money(value, 6), "92233720368547758.08");
        assert_eq!(money(-value, 6), "-92233720368547758.08");
    }

    #[test]
    fn averages_round_to_their_last_printed_digit() {
        assert_eq!(average(2_551, 1), "25.51");
        assert_eq!(average(1_001, 2), "5.01"); // 5.005 rounds away from zero
        assert_eq!(average(1_000, 3), "3.33");
        assert_eq!(average(2_000, 3), "6.67");
        assert_eq!(average(-1_001, 2), "-5.01");
    }

    #[test]
    fn dates_are_days_since_1970() {
        assert_eq!(days(1970, 1, 1), 0);
        assert_eq!(days(1995, 3, 15), 9204);
        assert_eq!(date(9204), "1995-03-15");
        assert_eq!(date(days(1998, 12, 1) - 90), "1998-09-02");
        assert_eq!(date(-1), "1969-12-31");
    }
}
