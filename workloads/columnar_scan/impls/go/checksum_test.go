package main

import "testing"

func pattern(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*7 + 3)
	}
	return data
}

// The bytes i*7+3 of each length, checksummed by the C++ reference's Checksum64
// (impls/cpp/engine/manifest.cc): lengths around the 32-byte block cover the lanes and the tail.
func TestChecksumEqualsTheReference(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want uint64
	}{
		{0, 0x74e97d4135798675}, {1, 0x736330434c2d5c25}, {7, 0xe6b4e37e86eaf57d},
		{31, 0xab15393dafca5e76}, {32, 0xf8b8da29ffc01909}, {33, 0x8d83ceb06493eaa2},
		{100, 0x85f3ad997634bd32},
	} {
		if got := checksum64(pattern(tc.n)); got != tc.want {
			t.Errorf("%d bytes: %016x, want %016x", tc.n, got, tc.want)
		}
	}
}

func TestAnyFlippedBitChangesTheChecksum(t *testing.T) {
	data := pattern(100)
	clean := checksum64(data)
	for bit := range len(data) * 8 {
		data[bit/8] ^= 1 << (bit % 8)
		if checksum64(data) == clean {
			t.Errorf("bit %d", bit)
		}
		data[bit/8] ^= 1 << (bit % 8)
	}
}
