package main

// tokenizer is a byte-level BPE tokenizer loaded from a Hugging Face tokenizer.json, giving HF's ids:
// added tokens cut out first, then the pre-tokenizer chain splits the rest into words, then each word's
// bytes are merged by rank. Immutable after loading and safe for concurrent use; each goroutine encodes
// with its own encoder (scratch buffers and word cache).
type tokenizer struct {
	model            *bpeModel
	preTokenizer     preTokenizer
	added            addedVocabulary
	byteLevelDecoder bool
	idBytes          [][]byte // the bytes each id decodes to; nil for an unknown id
}

// setDecoding records what id decodes to: a token whose characters are all in the byte alphabet stands
// for those bytes; any other is its own UTF-8 text. idBytes must be long enough.
func (t *tokenizer) setDecoding(id uint32, token string) {
	if bytes, ok := byteLevelToBytes(token); ok {
		token = bytes
	}
	t.idBytes[id] = append([]byte{}, token...) // non-nil even when empty: the id is known
}

// maxCachedWords bounds an encoder's word cache (memory on adversarial input); maxCachedWordBytes keeps
// rare long words out of it.
const (
	maxCachedWords     = 1 << 20
	maxCachedWordBytes = 256
)

// encoder encodes documents on one goroutine. Its word cache remembers each word's ids: a word's ids
// depend only on the word, so on natural text the merge loop runs once per distinct word. The cache starts
// empty (SPEC.md: filling it is encoding work). Not safe for concurrent use: one per goroutine.
type encoder struct {
	tokenizer *tokenizer
	cache     map[string][]uint32
	segments  []segment
	words     []string
	split     splitScratch
	bpe       bpeScratch
}

func (t *tokenizer) newEncoder() *encoder {
	return &encoder{tokenizer: t, cache: make(map[string][]uint32)}
}

// encode appends the ids of one document (valid UTF-8) to ids, exactly as HF's
// encode(document, add_special_tokens=False), and returns it.
func (e *encoder) encode(document string, ids []uint32) []uint32 {
	t := e.tokenizer
	e.segments = t.added.split(document, e.segments[:0])
	for _, s := range e.segments {
		if s.isToken {
			ids = append(ids, s.id)
			continue
		}
		e.words = t.preTokenizer.split(s.text, e.words[:0], &e.split)
		for _, word := range e.words {
			if cached, ok := e.cache[word]; ok {
				ids = append(ids, cached...)
				continue
			}
			start := len(ids)
			ids = t.model.encodeWord(word, ids, &e.bpe)
			if len(word) <= maxCachedWordBytes && len(e.cache) < maxCachedWords {
				e.cache[word] = append([]uint32(nil), ids[start:]...)
			}
		}
	}
	return ids
}

// decode appends HF's decode(ids, skip_special_tokens=False) with the ByteLevel decoder to out: the
// tokens' bytes, with invalid UTF-8 replaced by U+FFFD; unknown ids are skipped.
func (t *tokenizer) decode(ids []uint32, out []byte, scratch []byte) ([]byte, []byte) {
	scratch = scratch[:0]
	for _, id := range ids {
		if int(id) < len(t.idBytes) && t.idBytes[id] != nil {
			scratch = append(scratch, t.idBytes[id]...)
		}
	}
	return appendLossy(out, scratch), scratch
}
