package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"

	"github.com/zeebo/xxh3"
)

// The two hashes of SPEC.md: sha256 (crypto/sha256, SHA-NI since Go 1.21) and fast, XXH3-128 with seed
// 0 (zeebo/xxh3), whose digest is the 128-bit value big-endian (high half first, as printed).
type hashKind int

const (
	hashSHA256 hashKind = iota
	hashFast
)

func parseHashKind(text string) (hashKind, error) {
	switch text {
	case "sha256":
		return hashSHA256, nil
	case "fast":
		return hashFast, nil
	}
	return 0, usagef("--hash must be sha256 or fast, not '%s'", text)
}

func (k hashKind) String() string {
	if k == hashFast {
		return "fast"
	}
	return "sha256"
}

// digestLen is 32 bytes for sha256, 16 for fast.
func (k hashKind) digestLen() int {
	if k == hashFast {
		return 16
	}
	return 32
}

// digest of data as one message, as a fixed array with digestLen bytes used.
type digest struct {
	bytes [32]byte
	n     uint8
}

func (d digest) slice() []byte { return d.bytes[:d.n] }
func (d digest) hex() string   { return hex.EncodeToString(d.slice()) }

func (k hashKind) sum(data []byte) digest {
	if k == hashFast {
		h := xxh3.Hash128(data)
		var d digest
		binary.BigEndian.PutUint64(d.bytes[:8], h.Hi)
		binary.BigEndian.PutUint64(d.bytes[8:16], h.Lo)
		d.n = 16
		return d
	}
	return digest{sha256.Sum256(data), 32}
}

func (k hashKind) hex(data []byte) string { return k.sum(data).hex() }

// contentHash of a file made of chunks with these hex digests (SPEC.md): the hash of their binary
// digests concatenated. ok is false when a digest is not lowercase hex of this kind's length.
func (k hashKind) contentHash(chunkHexes []string) (string, bool) {
	all := make([]byte, 0, len(chunkHexes)*k.digestLen())
	for _, h := range chunkHexes {
		if !isLowerHex(h, 2*k.digestLen()) {
			return "", false
		}
		b, _ := hex.DecodeString(h)
		all = append(all, b...)
	}
	return k.hex(all), true
}

// isLowerHex reports whether text is exactly digits lowercase hex digits.
func isLowerHex(text string, digits int) bool {
	if len(text) != digits {
		return false
	}
	for i := 0; i < len(text); i++ {
		if c := text[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
