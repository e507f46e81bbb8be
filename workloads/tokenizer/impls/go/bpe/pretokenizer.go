package bpe

// splitBehavior is HF's SplitDelimiterBehavior: what a Split step does with its matches.
type splitBehavior int

const (
	removed splitBehavior = iota
	isolated
	mergedWithPrevious
	mergedWithNext
	contiguous
)

var splitBehaviors = map[string]splitBehavior{
	"Removed": removed, "Isolated": isolated, "MergedWithPrevious": mergedWithPrevious,
	"MergedWithNext": mergedWithNext, "Contiguous": contiguous,
}

// preTokenizerStep is one step of the chain: a Split, or the final ByteLevel (which splits with GPT-2's
// pattern when useRegex is set).
type preTokenizerStep struct {
	splitter       splitter
	behavior       splitBehavior
	invert         bool
	byteLevel      bool
	addPrefixSpace bool
	useRegex       bool
}

// preTokenizer is the pre-tokenizer chain, immutable after loading and safe for concurrent use.
type preTokenizer struct{ steps []preTokenizerStep }

// piece is a part of a text after a Split's matching: a match or a gap between matches.
type piece struct {
	span
	isMatch bool
}

// splitScratch holds the buffers one goroutine reuses across calls, so that splitting allocates nothing
// once they have grown.
type splitScratch struct {
	matches []span
	pieces  []piece
	merged  []piece
	next    []string
}

// split appends the words of text (HF's pre-tokenized strings, in order) to words and returns it.
func (p *preTokenizer) split(text string, words []string, scratch *splitScratch) []string {
	start := len(words)
	if text != "" {
		words = append(words, text)
	}
	for i := range p.steps {
		step := &p.steps[i]
		next := scratch.next[:0]
		for _, word := range words[start:] {
			if step.byteLevel {
				if step.addPrefixSpace && word[0] != ' ' {
					word = " " + word
				}
				if !step.useRegex {
					next = append(next, word)
					continue
				}
			}
			next = step.splitPiece(word, next, scratch)
		}
		words = append(words[:start], next...)
		scratch.next = next
	}
	return words
}

// splitPiece is HF's NormalizedString::split: the matches and the gaps between them cover the text, then
// the behaviour decides which become words of their own. Appends the non-empty words to out.
func (step *preTokenizerStep) splitPiece(text string, out []string, scratch *splitScratch) []string {
	scratch.matches = step.splitter.findAll(text, scratch.matches[:0])
	pieces := scratch.pieces[:0]
	previous := 0
	for _, m := range scratch.matches {
		if previous != m.start {
			pieces = append(pieces, piece{span{previous, m.start}, step.invert})
		}
		pieces = append(pieces, piece{m, !step.invert})
		previous = m.end
	}
	if previous != len(text) || len(pieces) == 0 {
		pieces = append(pieces, piece{span{previous, len(text)}, step.invert})
	}
	scratch.pieces = pieces

	merged := scratch.merged[:0]
	switch step.behavior {
	case isolated:
		merged = append(merged, pieces...)
	case removed:
		for _, p := range pieces {
			if !p.isMatch {
				merged = append(merged, p)
			}
		}
	case contiguous:
		for _, p := range pieces {
			if n := len(merged); n > 0 && merged[n-1].isMatch == p.isMatch {
				merged[n-1].end = p.end
			} else {
				merged = append(merged, p)
			}
		}
	case mergedWithPrevious:
		previousMatch := false
		for _, p := range pieces {
			if n := len(merged); p.isMatch && !previousMatch && n > 0 {
				merged[n-1].end = p.end
			} else {
				merged = append(merged, p)
			}
			previousMatch = p.isMatch
		}
	case mergedWithNext:
		// Walk backwards, widening the piece after a match over it; then restore the order.
		previousMatch := false
		for i := len(pieces) - 1; i >= 0; i-- {
			p := pieces[i]
			if n := len(merged); p.isMatch && !previousMatch && n > 0 {
				merged[n-1].start = p.start
			} else {
				merged = append(merged, p)
			}
			previousMatch = p.isMatch
		}
		for i, j := 0, len(merged)-1; i < j; i, j = i+1, j-1 {
			merged[i], merged[j] = merged[j], merged[i]
		}
	}
	scratch.merged = merged
	for _, p := range merged {
		if p.end > p.start {
			out = append(out, text[p.start:p.end])
		}
	}
	return out
}
