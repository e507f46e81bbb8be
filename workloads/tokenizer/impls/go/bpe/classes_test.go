package bpe

import (
	"testing"
	"unicode"

	"github.com/dlclark/regexp2/v2"
)

// The scanners' classes must be regexp2's, so that a pattern gives the same words on either path.
func TestClassesAreRegexp2sOnEveryCodePoint(t *testing.T) {
	letter := regexp2.MustCompile(`^\p{L}$`, regexp2.None)
	number := regexp2.MustCompile(`^\p{N}$`, regexp2.None)
	space := regexp2.MustCompile(`^\s$`, regexp2.None)
	matches := func(re *regexp2.Regexp, s string) bool {
		ok, err := re.MatchString(s)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	mismatches := 0
	for r := rune(0); r <= unicode.MaxRune && mismatches < 10; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue // surrogates are not characters of valid UTF-8
		}
		s := string(r)
		want := classOther
		switch {
		case matches(letter, s):
			want = classLetter
		case matches(number, s):
			want = classNumber
		case matches(space, s):
			want = classSpace
		}
		if _, got, _ := charAt(s, 0); got != want {
			t.Errorf("U+%04X: class %d, regexp2 says %d", r, got, want)
			mismatches++
		}
	}
}

func TestWordCharactersAreRustRegexWordClass(t *testing.T) {
	for r, want := range map[rune]bool{
		'a': true, 'Z': true, '0': true, '_': true, '-': false, ' ': false,
		'é': true, '中': true, 0x0301: true, // a combining mark (M)
		0x2160: true,               // ROMAN NUMERAL ONE (Nl, Alphabetic)
		0x0663: true,               // ARABIC-INDIC DIGIT THREE (Nd)
		0x00B2: false,              // SUPERSCRIPT TWO (No, not \w)
		0x200D: true, 0x203F: true, // ZERO WIDTH JOINER (Join_Control), UNDERTIE (Pc)
		0x3000: false, '!': false,
	} {
		if got := isWordChar(r); got != want {
			t.Errorf("isWordChar(U+%04X) = %v, want %v", r, got, want)
		}
	}
}
