package main

import (
	"math/bits"
	"testing"
)

func TestChecksumKnownAnswersFromTheSpec(t *testing.T) {
	for units, want := range map[uint64]uint64{0: 0, 1: 0xe220a8397b1dcdaf, 3: 0x52b7c1282f0cb818} {
		if got := checksum(units); got != want {
			t.Errorf("checksum(%d) = %016x, want %016x", units, got, want)
		}
	}
}

func TestChecksumFoldIsOrderSensitive(t *testing.T) {
	first := checksum(1)
	z := uint64(goldenGamma)
	z += goldenGamma // SplitMix64 state after two steps (seed 0): its second output, from its definition
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	second := z ^ (z >> 31)
	if got, want := checksum(2), bits.RotateLeft64(first, 1)^second; got != want {
		t.Errorf("checksum(2) = %016x, want %016x", got, want)
	}
	if checksum(2) == bits.RotateLeft64(second, 1)^first {
		t.Error("swapping two units must change the answer")
	}
}
