package main

import (
	"fmt"
	"math/big"
	"math/bits"
	"time"
)

// Exact money: TPC-H's DECIMAL(15,2) columns are int64 hundredths, products keep their full scale
// (price * (1 - discount) has scale 4, times (1 + tax) scale 6), and sums that can pass 2^63 (Q1's
// sum_charge near SF 84) are 128-bit: Go has no int128, so int128 adds with math/bits' carry. Rounding
// happens once, when a value is printed: to two decimals, half away from zero (SPEC.md, "Output"),
// with math/big.

// int128 is a signed 128-bit integer in two's complement. The zero value is 0.
type int128 struct{ hi, lo uint64 }

// add64 adds v.
func (a *int128) add64(v int64) {
	var carry uint64
	a.lo, carry = bits.Add64(a.lo, uint64(v), 0)
	a.hi += uint64(v>>63) + carry // v's sign extended into the high word
}

// add adds b.
func (a *int128) add(b int128) {
	var carry uint64
	a.lo, carry = bits.Add64(a.lo, b.lo, 0)
	a.hi, _ = bits.Add64(a.hi, b.hi, carry)
}

func (a int128) big() *big.Int {
	value := new(big.Int).SetUint64(a.hi)
	value.Lsh(value, 64).Or(value, new(big.Int).SetUint64(a.lo))
	if a.hi>>63 == 1 {
		value.Sub(value, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return value
}

// money prints value/10^scale with two decimals, rounded half away from zero: money(123456, 4) is
// "12.35". scale >= 2.
func money(value *big.Int, scale int) string {
	return cents(divideRounded(value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-2)), nil)))
}

func money64(value int64, scale int) string { return money(big.NewInt(value), scale) }

// average prints sum/count of values at scale 2 with two decimals, rounded half away from zero.
// count > 0.
func average(sum int64, count int64) string {
	return cents(divideRounded(big.NewInt(sum), big.NewInt(count)))
}

// divideRounded is n/d rounded half away from zero; d > 0.
func divideRounded(n, d *big.Int) *big.Int {
	quotient, remainder := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Lsh(remainder.Abs(remainder), 1).Cmp(d) >= 0 {
		quotient.Add(quotient, big.NewInt(int64(n.Sign())))
	}
	return quotient
}

// cents prints hundredths with two digits after the point: -5 is "-0.05".
func cents(hundredths *big.Int) string {
	sign := ""
	if hundredths.Sign() < 0 {
		sign = "-"
	}
	units, rest := new(big.Int).QuoRem(new(big.Int).Abs(hundredths), big.NewInt(100), new(big.Int))
	return fmt.Sprintf("%s%s.%02d", sign, units, rest.Int64())
}

const secondsPerDay = 24 * 60 * 60

// days is the days since 1970-01-01 of a calendar date: what a date column stores.
func days(year int, month time.Month, day int) int32 {
	return int32(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix() / secondsPerDay)
}

// formatDate prints days since 1970-01-01 as YYYY-MM-DD.
func formatDate(days int32) string {
	return time.Unix(int64(days)*secondsPerDay, 0).UTC().Format(time.DateOnly)
}
