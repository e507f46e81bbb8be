package bpe

import (
	"sort"
	"unicode/utf8"
)

// addedToken is an entry of tokenizer.json's added_tokens, with HF's matching flags.
type addedToken struct {
	id         uint32
	content    string
	singleWord bool // dropped when a word character touches it
	lstrip     bool // takes the White_Space before it
	rstrip     bool // takes the White_Space after it
	normalized bool // matched after normalization (there is none here: on the gaps between raw matches)
}

// segment is a piece of a document after added tokens are cut out: an added token's id, or text.
type segment struct {
	text    string
	id      uint32
	isToken bool
}

// addedVocabulary finds added tokens in a document before pre-tokenization, as HF's AddedVocabulary does:
// leftmost-longest, non-overlapping matches (Aho-Corasick's LeftmostLongest, the first listed on a tie);
// tokens with normalized=false are matched on the whole text first, then normalized ones in the gaps.
// Immutable after loading and safe for concurrent use.
//
// Files carry a handful to a few hundred added tokens, so each set is indexed by first byte and a match
// is tried longest first: a text position costs one table lookup unless a token could start there.
type addedVocabulary struct {
	raw, normalized tokenSet
}

type tokenSet struct {
	byFirstByte [256][]*addedToken // longest first, then in HF's order
	empty       bool
}

// newAddedVocabulary takes the tokens in HF's order: special tokens first, then the others, each in file
// order.
func newAddedVocabulary(tokens []addedToken) addedVocabulary {
	var v addedVocabulary
	v.raw.empty, v.normalized.empty = true, true
	for i := range tokens {
		t := &tokens[i]
		if t.content == "" {
			continue
		}
		set := &v.raw
		if t.normalized {
			set = &v.normalized
		}
		set.byFirstByte[t.content[0]] = append(set.byFirstByte[t.content[0]], t)
		set.empty = false
	}
	for _, set := range []*tokenSet{&v.raw, &v.normalized} {
		for _, list := range set.byFirstByte {
			sort.SliceStable(list, func(i, j int) bool { return len(list[i].content) > len(list[j].content) })
		}
	}
	return v
}

// split appends the segments of text (token and non-empty text segments covering it) to out.
func (v *addedVocabulary) split(text string, out []segment) []segment {
	if text == "" {
		return out
	}
	if v.raw.empty && v.normalized.empty {
		return append(out, segment{text: text})
	}
	if v.normalized.empty {
		return v.raw.findMatches(text, out)
	}
	if v.raw.empty {
		return v.normalized.findMatches(text, out)
	}
	start := len(out)
	out = v.raw.findMatches(text, out)
	first := append([]segment(nil), out[start:]...)
	out = out[:start]
	for _, s := range first {
		if s.isToken {
			out = append(out, s)
		} else {
			out = v.normalized.findMatches(s.text, out)
		}
	}
	return out
}

// longestAt returns the longest token of the set that text[pos:] starts with, or nil.
func (s *tokenSet) longestAt(text string, pos int) *addedToken {
	for _, t := range s.byFirstByte[text[pos]] {
		if len(text)-pos >= len(t.content) && text[pos:pos+len(t.content)] == t.content {
			return t
		}
	}
	return nil
}

func (s *tokenSet) findMatches(text string, out []segment) []segment {
	gapStart := 0 // where the text not yet given to a segment starts
	for pos := 0; pos < len(text); {
		t := s.longestAt(text, pos)
		if t == nil {
			pos++
			continue
		}
		start, stop := pos, pos+len(t.content)
		pos = stop // matching resumes after the match itself, whatever stripping does below
		if t.singleWord && !standsAlone(text, start, stop) {
			continue
		}
		if t.lstrip {
			for start > gapStart {
				r, size := utf8.DecodeLastRuneInString(text[:start])
				if !isWhiteSpace(r) {
					break
				}
				start -= size
			}
		}
		if t.rstrip {
			for stop < len(text) {
				r, size := utf8.DecodeRuneInString(text[stop:])
				if !isWhiteSpace(r) {
					break
				}
				stop += size
			}
		}
		if gapStart < start {
			out = append(out, segment{text: text[gapStart:start]})
		}
		out = append(out, segment{text: text[start:stop], id: t.id, isToken: true})
		gapStart = stop
	}
	if gapStart < len(text) {
		out = append(out, segment{text: text[gapStart:]})
	}
	return out
}

// standsAlone reports whether no word character touches text[start:stop] (HF's single_word rule).
func standsAlone(text string, start, stop int) bool {
	if start > 0 {
		if r, _ := utf8.DecodeLastRuneInString(text[:start]); isWordChar(r) {
			return false
		}
	}
	if stop < len(text) {
		if r, _ := utf8.DecodeRuneInString(text[stop:]); isWordChar(r) {
			return false
		}
	}
	return true
}
