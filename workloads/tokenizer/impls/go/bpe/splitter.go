package bpe

import (
	"fmt"
	"strings"

	"github.com/dlclark/regexp2/v2"
)

// span is a byte range [start, end) of a piece of text.
type span struct{ start, end int }

// splitter finds the non-overlapping matches of a Split pattern, left to right, appending them to matches.
// Implementations are safe for concurrent use.
type splitter interface {
	findAll(text string, matches []span) []span
}

// newSplitter returns the splitter for an HF regex (Oniguruma dialect): a hand-written scanner for GPT-2's
// and Llama-3's patterns, regexp2 for any other. regexp2 is a backtracking engine with lookahead (Go's
// regexp has none) whose \s is White_Space and whose \p{..} are Unicode categories, as in Oniguruma.
func newSplitter(pattern string) (splitter, error) {
	if s, ok := scannerFor(pattern); ok {
		return s, nil
	}
	return newRegexSplitter(pattern)
}

type regexSplitter struct{ re *regexp2.Regexp }

func newRegexSplitter(pattern string) (regexSplitter, error) {
	re, err := regexp2.Compile(pattern, regexp2.None)
	if err != nil {
		return regexSplitter{}, fmt.Errorf("the regex %q does not compile with regexp2 (%v); this port supports HF regexes that .NET syntax shares with Oniguruma", pattern, err)
	}
	return regexSplitter{re}, nil
}

func (s regexSplitter) findAll(text string, matches []span) []span {
	// The error is a match time-out, and none is set: there is no error to handle.
	found, _ := s.re.FindAllStringIndex(text, -1)
	for _, m := range found {
		matches = append(matches, span{m[0], m[1]})
	}
	return matches
}

// literalSplitter is a Split step with a {"String": ...} pattern: the literal's occurrences, left to
// right. An empty literal matches nothing, as in HF.
type literalSplitter struct{ literal string }

func (s literalSplitter) findAll(text string, matches []span) []span {
	if s.literal == "" {
		return matches
	}
	for offset := 0; ; {
		i := strings.Index(text[offset:], s.literal)
		if i < 0 {
			return matches
		}
		start := offset + i
		offset = start + len(s.literal)
		matches = append(matches, span{start, offset})
	}
}
