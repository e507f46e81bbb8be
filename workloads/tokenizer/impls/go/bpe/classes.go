package bpe

import (
	"unicode"
	"unicode/utf8"
)

// charClass is what HF's two standard pre-tokenizer regexes look at in a character: a letter (\p{L}), a
// number (\p{N}), White_Space (Oniguruma's \s), or anything else.
type charClass uint8

const (
	classOther charClass = iota
	classLetter
	classNumber
	classSpace
)

// The classes come from the same tables regexp2 (the fallback engine) uses: Go's unicode package, whose
// \p{L} and \p{N} are unicode.L and unicode.N and whose \s is unicode.IsSpace (White_Space). So the
// scanners and the regexp2 path agree by construction (classes_test.go checks every code point). Those
// tables are Unicode 15.0.0 (unicode.Version), pinned by go.mod's toolchain; README.md says where HF's
// Oniguruma differs.
var asciiClasses = func() (table [utf8.RuneSelf]charClass) {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		table[r] = classifyRune(r)
	}
	return table
}()

func classifyRune(r rune) charClass {
	switch {
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	case unicode.IsSpace(r):
		return classSpace
	}
	return classOther
}

// charAt decodes the character at text[pos] (valid UTF-8) and returns it, its class and its end.
func charAt(text string, pos int) (rune, charClass, int) {
	if b := text[pos]; b < utf8.RuneSelf {
		return rune(b), asciiClasses[b], pos + 1
	}
	r, size := utf8.DecodeRuneInString(text[pos:])
	return r, classifyRune(r), pos + size
}

// isWhiteSpace is Unicode White_Space, what lstrip and rstrip of added tokens skip (Rust's \s in HF).
func isWhiteSpace(r rune) bool { return unicode.IsSpace(r) }

// isWordChar is Rust regex's \w, which HF's single_word checks: Alphabetic, Mark, Decimal_Number,
// Connector_Punctuation and Join_Control.
func isWordChar(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || asciiClasses[r] == classLetter || asciiClasses[r] == classNumber
	}
	return unicode.In(r, unicode.L, unicode.Nl, unicode.Other_Alphabetic, unicode.M, unicode.Nd, unicode.Pc,
		unicode.Join_Control)
}
