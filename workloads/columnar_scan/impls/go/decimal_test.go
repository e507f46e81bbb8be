package main

import (
	"math"
	"math/big"
	"testing"
)

func TestMoneyRoundsHalfAwayFromZeroOnce(t *testing.T) {
	for _, tc := range []struct {
		value int64
		scale int
		want  string
	}{
		{123456, 4, "12.35"}, {123449, 4, "12.34"}, {-123450, 4, "-12.35"}, {-49, 4, "0.00"},
		{-50, 4, "-0.01"}, {5, 2, "0.05"}, {2471035, 2, "24710.35"}, {1234567850000, 6, "1234567.85"},
	} {
		if got := money64(tc.value, tc.scale); got != tc.want {
			t.Errorf("money(%d, %d) = %s, want %s", tc.value, tc.scale, got, tc.want)
		}
	}
}

func TestInt128SumsPassTwoToThe63Exactly(t *testing.T) {
	// i64::MAX hundredths and a half at scale 6, added in pieces: the half rounds up past 2^63.
	var sum int128
	for range 10_000 {
		sum.add64(math.MaxInt64)
	}
	sum.add64(5_000)
	if got := money(sum.big(), 6); got != "92233720368547758.08" {
		t.Errorf("got %s", got)
	}
	var negative int128
	negative.add64(-7)
	negative.add(int128{lo: 2})
	if negative.big().Cmp(big.NewInt(-5)) != 0 {
		t.Errorf("-7 + 2 = %s", negative.big())
	}
}

func TestAveragesRoundToTheirLastPrintedDigit(t *testing.T) {
	for _, tc := range []struct {
		sum, count int64
		want       string
	}{{2551, 1, "25.51"}, {1001, 2, "5.01"}, {1000, 3, "3.33"}, {2000, 3, "6.67"}, {-1001, 2, "-5.01"}} {
		if got := average(tc.sum, tc.count); got != tc.want {
			t.Errorf("average(%d, %d) = %s, want %s", tc.sum, tc.count, got, tc.want)
		}
	}
}

func TestDatesAreDaysSince1970(t *testing.T) {
	if days(1970, 1, 1) != 0 || days(1995, 3, 15) != 9204 {
		t.Errorf("days: %d %d", days(1970, 1, 1), days(1995, 3, 15))
	}
	if formatDate(9204) != "1995-03-15" || formatDate(days(1998, 12, 1)-90) != "1998-09-02" || formatDate(-1) != "1969-12-31" {
		t.Errorf("formatDate")
	}
}
