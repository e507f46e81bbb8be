package main

import "math/bits"

const goldenGamma = 0x9E3779B97F4A7C15

// checksum is SPEC.md's unit of work: the outputs of SplitMix64 (seed 0) folded order-sensitively, with
// 64-bit wrap-around arithmetic (Go's unsigned arithmetic wraps).
func checksum(workUnits uint64) uint64 {
	var state, acc uint64
	for range workUnits {
		state += goldenGamma
		z := state
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		acc = bits.RotateLeft64(acc, 1) ^ z
	}
	return acc
}
