package main

import (
	"fmt"
	"math/bits"
)

// FastCDC with the Gear rolling hash and normalised chunking level 2, as SPEC.md ("Chunking and
// hashing") defines it: Gear table from SplitMix64 seeded with 0, masks with log2(avg)±2 one-bits at
// 63 - floor(j*48/k), no Gear hash before min, a cut after the first byte whose fingerprint has no bit of
// the mask in force, at max at the latest.

// chunkSizes are in bytes; valid when 1 <= min < avg < max <= 2 GiB and avg is a power of two from 8 to
// 1 GiB.
type chunkSizes struct{ min, avg, max int }

var defaultSizes = chunkSizes{min: 16 << 10, avg: 64 << 10, max: 256 << 10}

func (s chunkSizes) validate() error {
	if s.min < 1 || s.min >= s.avg || s.avg >= s.max || s.max > 2<<30 {
		return usagef("chunk sizes need 1 <= --min < --avg < --max <= 2G; got --min %d --avg %d --max %d", s.min, s.avg, s.max)
	}
	if s.avg < 8 || s.avg > 1<<30 || s.avg&(s.avg-1) != 0 {
		return usagef("--avg must be a power of two from 8 to 1G; got %d", s.avg)
	}
	return nil
}

// splitMix64 advances *state and returns its next output.
func splitMix64(state *uint64) uint64 {
	*state += 0x9E3779B97F4A7C15
	z := *state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// spreadMask has ones one-bits spread evenly over the top 48 bits.
func spreadMask(ones int) uint64 {
	var mask uint64
	for j := 0; j < ones; j++ {
		mask |= 1 << (63 - j*48/ones)
	}
	return mask
}

// chunker finds content-defined boundaries; immutable, so one serves every goroutine.
type chunker struct {
	sizes                chunkSizes
	gear                 [256]uint64
	maskSmall, maskLarge uint64
}

func newChunker(sizes chunkSizes) *chunker {
	c := &chunker{sizes: sizes}
	var state uint64
	for i := range c.gear {
		c.gear[i] = splitMix64(&state)
	}
	log2 := bits.TrailingZeros(uint(sizes.avg))
	c.maskSmall, c.maskLarge = spreadMask(log2+2), spreadMask(log2-2)
	return c
}

// cut returns the length of the chunk that starts at data[0] (0 only for empty data).
func (c *chunker) cut(data []byte) int {
	n := len(data)
	if n <= c.sizes.min {
		return n
	}
	end := min(n, c.sizes.max)
	smallEnd := min(end, c.sizes.avg)
	var fp uint64
	// One loop per mask: the stricter one before avg, the looser one from avg on.
	for i := c.sizes.min; i < smallEnd; i++ {
		fp = fp<<1 + c.gear[data[i]]
		if fp&c.maskSmall == 0 {
			return i + 1
		}
	}
	for i := smallEnd; i < end; i++ {
		fp = fp<<1 + c.gear[data[i]]
		if fp&c.maskLarge == 0 {
			return i + 1
		}
	}
	return end
}

// span is one chunk of a buffer: offset and length in bytes.
type span struct{ offset, length int }

// chunks returns every chunk of data in order.
func (c *chunker) chunks(data []byte) []span {
	var out []span
	for offset := 0; offset < len(data); {
		n := c.cut(data[offset:])
		out = append(out, span{offset, n})
		offset += n
	}
	return out
}

func (s span) String() string { return fmt.Sprintf("%d %d", s.offset, s.length) }
