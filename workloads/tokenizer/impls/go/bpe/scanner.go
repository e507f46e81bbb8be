package bpe

// Hand-written matchers for the two pre-tokenizer regexes nearly every byte-level tokenizer.json uses,
// GPT-2's and Llama-3's. They give exactly the matches a backtracking engine gives (alternation order,
// greedy runs, the one-character backtrack of \s+(?!\S)) without running a regex: regexp2 works on a
// []rune copy of each piece and backtracks through the alternation at every position. Any other pattern
// runs on regexp2 (splitter.go). scanner_test.go checks them equal to regexp2 on the committed
// corpora and on random strings.

// gpt2Pattern is GPT-2's pre-tokenizer regex, the one HF's ByteLevel uses when use_regex is true.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

// llama3Pattern is Llama-3's pre-tokenizer regex, as its tokenizer.json's Split step has it.
const llama3Pattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

// scanner finds the matches of one fixed pattern; it is stateless and safe for concurrent use.
type scanner struct {
	matchAt func(text string, i int) int // the end of the match at i; both patterns match at every i
}

func (s scanner) findAll(text string, matches []span) []span {
	for i := 0; i < len(text); {
		end := s.matchAt(text, i)
		matches = append(matches, span{i, end})
		i = end
	}
	return matches
}

// scannerFor returns the hand-written scanner for pattern, if there is one.
func scannerFor(pattern string) (scanner, bool) {
	switch pattern {
	case gpt2Pattern:
		return scanner{gpt2MatchAt}, true
	case llama3Pattern:
		return scanner{llama3MatchAt}, true
	}
	return scanner{}, false
}

// runEnd is the end of the run of characters of class cls starting at pos.
func runEnd(text string, pos int, cls charClass) int {
	for pos < len(text) {
		_, c, end := charAt(text, pos)
		if c != cls {
			break
		}
		pos = end
	}
	return pos
}

// spaceRun measures the White_Space run at start: its end, where its last character starts, and the end
// of its last \r or \n (0 if none), which is where Llama-3's \s*[\r\n]+ ends.
func spaceRun(text string, start int) (end, lastStart, lastNewline int) {
	end, lastStart = start, start
	for end < len(text) {
		r, c, next := charAt(text, end)
		if c != classSpace {
			break
		}
		if r == '\r' || r == '\n' {
			lastNewline = next
		}
		lastStart, end = end, next
	}
	return end, lastStart, lastNewline
}

// spaceMatchEnd is where \s+(?!\S)|\s+ ends for the run [start, end): the whole run when it reaches the
// end of the text; otherwise the run less its last character (the lookahead needs a space before the next
// non-space), unless that leaves nothing, when \s+ takes the one character.
func spaceMatchEnd(text string, start, end, lastStart int) int {
	if end == len(text) || lastStart == start {
		return end
	}
	return lastStart
}

// gpt2MatchAt: 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
func gpt2MatchAt(text string, i int) int {
	r, cls, next := charAt(text, i)
	if r == '\'' && next < len(text) {
		switch text[next] {
		case 's', 't', 'm', 'd':
			return next + 1
		}
		if next+1 < len(text) {
			switch text[next : next+2] {
			case "re", "ve", "ll":
				return next + 2
			}
		}
	}
	if r == ' ' && next < len(text) {
		if _, after, afterEnd := charAt(text, next); after != classSpace {
			return runEnd(text, afterEnd, after)
		}
	}
	if cls != classSpace {
		return runEnd(text, next, cls)
	}
	end, lastStart, _ := spaceRun(text, i)
	return spaceMatchEnd(text, i, end, lastStart)
}

// foldsTo reports whether r matches the ASCII letter lower under (?i:...): Unicode simple case folding,
// where U+017F (long s) folds to s as well.
func foldsTo(r rune, lower byte) bool {
	return r == rune(lower) || r == rune(lower-'a'+'A') || (lower == 's' && r == 0x17F)
}

// llama3Contraction returns the end of (?i:'s|'t|'re|'ve|'m|'ll|'d) after the apostrophe that ends at
// next, or 0.
func llama3Contraction(text string, next int) int {
	if next >= len(text) {
		return 0
	}
	second, _, secondEnd := charAt(text, next)
	for _, letter := range []byte("stmd") {
		if foldsTo(second, letter) {
			return secondEnd
		}
	}
	if secondEnd >= len(text) {
		return 0
	}
	third, _, thirdEnd := charAt(text, secondEnd)
	for _, pair := range []string{"re", "ve", "ll"} {
		if foldsTo(second, pair[0]) && foldsTo(third, pair[1]) {
			return thirdEnd
		}
	}
	return 0
}

func skipNewlines(text string, pos int) int {
	for pos < len(text) && (text[pos] == '\r' || text[pos] == '\n') {
		pos++
	}
	return pos
}

// llama3MatchAt: (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func llama3MatchAt(text string, i int) int {
	r, cls, next := charAt(text, i)
	if r == '\'' {
		if end := llama3Contraction(text, next); end > 0 {
			return end
		}
	}
	if cls == classLetter {
		return runEnd(text, next, classLetter)
	}
	var after charClass = classOther
	afterEnd := len(text)
	hasNext := next < len(text)
	if hasNext {
		_, after, afterEnd = charAt(text, next)
	}
	if cls != classNumber && r != '\r' && r != '\n' && hasNext && after == classLetter {
		return runEnd(text, afterEnd, classLetter)
	}
	switch {
	case cls == classNumber:
		end := next
		for count := 1; count < 3 && end < len(text); count++ {
			_, c, more := charAt(text, end)
			if c != classNumber {
				break
			}
			end = more
		}
		return end
	case cls == classOther:
		return skipNewlines(text, runEnd(text, next, classOther))
	case r == ' ' && hasNext && after == classOther:
		return skipNewlines(text, runEnd(text, afterEnd, classOther))
	}
	end, lastStart, lastNewline := spaceRun(text, i)
	if lastNewline > 0 {
		return lastNewline
	}
	return spaceMatchEnd(text, i, end, lastStart)
}
