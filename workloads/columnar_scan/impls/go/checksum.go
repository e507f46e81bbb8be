package main

import "encoding/binary"

const checksumMultiplier = 0x9E3779B97F4A7C15

// checksum64 is the format's file checksum (SPEC.md, "Data format"; impls/cpp/engine/manifest.h's
// Checksum64): four multiply-xor lanes over little-endian 8-byte words, then the length and the tail
// bytes. Fast enough to check every column before ready; not cryptographic.
func checksum64(data []byte) uint64 {
	lanes := [4]uint64{1, 2, 3, 4}
	blocks := len(data) / 32 * 32
	for i := 0; i < blocks; i += 32 {
		for lane := range lanes {
			word := binary.LittleEndian.Uint64(data[i+8*lane:])
			lanes[lane] = (lanes[lane] ^ word) * checksumMultiplier
			lanes[lane] ^= lanes[lane] >> 29
		}
	}
	hash := uint64(len(data))
	for _, lane := range lanes {
		hash = (hash ^ lane) * checksumMultiplier
	}
	for _, b := range data[blocks:] {
		hash = (hash ^ uint64(b)) * checksumMultiplier
	}
	return hash ^ (hash >> 32)
}
