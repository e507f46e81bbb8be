package bpe

import (
	"strings"
	"unicode/utf8"
)

// byteToRune is GPT-2's byte-level alphabet (bytes_to_unicode): every byte has a printable stand-in
// character, so that a vocabulary of strings can name all 256 bytes. Printable Latin-1 bytes stand for
// themselves; the other 68 map to U+0100..U+0143 in byte order. The encoder works on raw bytes; the
// alphabet is used only at load time (vocabulary strings back to bytes) and to build the decoding table.
var byteToRune, runeToByte = byteLevelAlphabet()

func byteLevelAlphabet() ([256]rune, map[rune]byte) {
	var forward [256]rune
	backward := make(map[rune]byte, 256)
	next := rune(0x100)
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		r := rune(b)
		if !printable {
			r = next
			next++
		}
		forward[b] = r
		backward[r] = byte(b)
	}
	return forward, backward
}

// byteLevelToBytes returns the raw bytes a byte-level token string stands for, and false when the token
// has a character outside the alphabet ("<|x|>" is inside it; "中" is not).
func byteLevelToBytes(token string) (string, bool) {
	var out strings.Builder
	out.Grow(len(token))
	for _, r := range token {
		b, ok := runeToByte[r]
		if !ok {
			return "", false // also U+FFFD for invalid UTF-8, which is outside the alphabet
		}
		out.WriteByte(b)
	}
	return out.String(), true
}

// appendLossy appends bytes to out with each maximal invalid UTF-8 subsequence replaced by one U+FFFD,
// as Rust's String::from_utf8_lossy (and so HF's decode) does. Go's own strings.ToValidUTF8 replaces a
// whole run of invalid bytes with one U+FFFD, and range loops give one per byte: neither is that rule.
func appendLossy(out, bytes []byte) []byte {
	for len(bytes) > 0 {
		r, size := utf8.DecodeRune(bytes)
		if r != utf8.RuneError || size > 1 {
			out = append(out, bytes[:size]...)
			bytes = bytes[size:]
			continue
		}
		out = utf8.AppendRune(out, utf8.RuneError)
		bytes = bytes[invalidPrefixLength(bytes):]
	}
	return out
}

// invalidPrefixLength is the length of the maximal subpart at the start of bytes, which does not start a
// valid sequence: the lead byte and the continuation bytes that could still have completed it (1 to 3).
func invalidPrefixLength(bytes []byte) int {
	lead := bytes[0]
	length, lo, hi := 0, byte(0x80), byte(0xBF) // the sequence's length, and its second byte's range
	switch {
	case lead >= 0xE0 && lead <= 0xEF:
		length = 3
		if lead == 0xE0 {
			lo = 0xA0 // no overlongs
		} else if lead == 0xED {
			hi = 0x9F // no surrogates
		}
	case lead >= 0xF0 && lead <= 0xF4:
		length = 4
		if lead == 0xF0 {
			lo = 0x90 // no overlongs
		} else if lead == 0xF4 {
			hi = 0x8F // nothing above U+10FFFF
		}
	default:
		return 1 // an ASCII-range or stray byte, or a two-byte lead whose continuation is missing
	}
	n := 1
	for n < length && n < len(bytes) && bytes[n] >= lo && bytes[n] <= hi {
		n++
		lo, hi = 0x80, 0xBF
	}
	return n
}
