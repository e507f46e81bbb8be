package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"strings"
	"testing"
)

// goldenInput is the fixed input of ../../data/README.md: 1 MiB of SplitMix64 output (seed 1, each
// value little-endian), 512 KiB of zeros, 512 KiB more of the generator.
func goldenInput() []byte {
	state := uint64(1)
	words := func(n int) []byte {
		out := make([]byte, n)
		for i := 0; i < n; i += 8 {
			binary.LittleEndian.PutUint64(out[i:], splitMix64(&state))
		}
		return out
	}
	data := words(1 << 20)
	data = append(data, make([]byte, 512<<10)...)
	return append(data, words(512<<10)...)
}

// The golden files were written by SPEC.md's FastCDC (and checked against the harness's own), not by
// this port.
func TestChunkerGivesTheGoldenBoundariesAndHashes(t *testing.T) {
	data := goldenInput()
	small := chunkSizes{min: 2 << 10, avg: 8 << 10, max: 64 << 10}
	for _, tc := range []struct {
		file    string
		sizes   chunkSizes
		hash    *hashKind
		threads int
	}{
		{"chunks_default.txt", defaultSizes, nil, 1},
		{"chunks_min2k_avg8k_max64k.txt", small, nil, 1},
		{"chunks_min2k_avg8k_max64k_sha256.txt", small, ptr(hashSHA256), 1},
		{"chunks_min2k_avg8k_max64k_sha256.txt", small, ptr(hashSHA256), 3},
		{"chunks_min2k_avg8k_max64k_fast.txt", small, ptr(hashFast), 2},
	} {
		golden, err := os.ReadFile("../../data/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		c := newChunker(tc.sizes)
		if tc.hash == nil {
			for _, s := range c.chunks(data) {
				fmt.Fprintln(&got, s)
			}
		} else {
			chunks, err := chunkAndHash(data, c, *tc.hash, tc.threads, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range chunks {
				fmt.Fprintf(&got, "%d %d %s\n", h.offset, h.length, h.digest.hex())
			}
		}
		if got.String() != string(golden) {
			t.Errorf("%s with %d threads: boundaries differ from the golden file", tc.file, tc.threads)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestSpecKnownAnswers(t *testing.T) {
	var state uint64
	if got := splitMix64(&state); got != 0xE220A8397B1DCDAF {
		t.Errorf("SplitMix64(0) = %x", got)
	}
	if spreadMask(1) != 1<<63 || spreadMask(2) != 1<<63|1<<39 || spreadMask(48) != 0xFFFF_FFFF_FFFF_0000 {
		t.Error("mask bits are not where SPEC.md puts them")
	}
	sha := hashSHA256
	if got := sha.hex([]byte("abc")); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("sha256(abc) = %s", got)
	}
	if got := hashFast.hex(nil); got != "99aa06d3014798d86001c324468d497f" {
		t.Errorf("xxh3-128('') = %s (want the high half first)", got)
	}
	content, _ := sha.contentHash([]string{sha.hex([]byte("abc"))})
	if !strings.HasPrefix(content, "4f8b42c2") || !strings.HasSuffix(content, "6358") {
		t.Errorf("content hash of one chunk abc = %s", content)
	}
}

func TestShortInputsAndInvalidSizes(t *testing.T) {
	c := newChunker(chunkSizes{64, 256, 1024})
	if c.cut(nil) != 0 || c.cut(bytes.Repeat([]byte{7}, 64)) != 64 {
		t.Error("an input of at most min bytes is one chunk")
	}
	for _, s := range []chunkSizes{{0, 8, 16}, {8, 8, 16}, {4, 12, 16}, {4, 16, 16}, {4, 8, 3 << 30}} {
		if s.validate() == nil {
			t.Errorf("%v accepted", s)
		}
	}
}
