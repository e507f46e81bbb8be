// Package bpe is byte-level BPE tokenization that gives Hugging Face tokenizers' ids for a tokenizer.json
// (GPT-2 and Llama-3 style files; ../../../SPEC.md lists what is supported).
//
// Design: HF's pipeline, step for step (added tokens cut out first, then the pre-tokenizer chain splits the
// rest into words, then each word's bytes are merged by rank), with the byte-level alphabet folded into
// the vocabulary at load time so that encoding works on the document's own bytes. GPT-2's and Llama-3's
// pre-tokenizer regexes run on hand-written scanners, any other on regexp2. A loaded Tokenizer is
// immutable and shared by every goroutine; each goroutine encodes with its own Encoder, whose word cache
// makes the merge loop run once per distinct word.
package bpe

// Tokenizer is a loaded tokenizer.json. It is immutable: safe for concurrent use.
type Tokenizer struct {
	model            *bpeModel
	preTokenizer     preTokenizer
	added            addedVocabulary
	byteLevelDecoder bool
	idBytes          [][]byte // the bytes each id decodes to; nil for an unknown id
}

// setDecoding records what id decodes to: a token whose characters are all in the byte alphabet stands
// for those bytes; any other is its own UTF-8 text. idBytes must be long enough.
func (t *Tokenizer) setDecoding(id uint32, token string) {
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

// Encoder encodes documents on one goroutine. Its word cache remembers each word's ids (a word's ids
// depend only on the word) and starts empty. Not safe for concurrent use: one per goroutine.
type Encoder struct {
	tokenizer *Tokenizer
	cache     map[string][]uint32
	segments  []segment
	words     []string
	split     splitScratch
	bpe       bpeScratch
}

// NewEncoder returns an Encoder with an empty word cache.
func (t *Tokenizer) NewEncoder() *Encoder {
	return &Encoder{tokenizer: t, cache: make(map[string][]uint32)}
}

// Encode appends the ids of one document, which must be valid UTF-8, to ids and returns it: exactly HF's
// encode(document, add_special_tokens=False). It cannot fail.
func (e *Encoder) Encode(document string, ids []uint32) []uint32 {
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

// CanDecode reports whether the file's decoder is ByteLevel, the only one Decode implements.
func (t *Tokenizer) CanDecode() bool { return t.byteLevelDecoder }

// Decode appends HF's decode(ids, skip_special_tokens=False) with the ByteLevel decoder to out and returns
// it: the tokens' bytes, with invalid UTF-8 replaced by U+FFFD; unknown ids are skipped. Safe for
// concurrent use.
func (t *Tokenizer) Decode(ids []uint32, out []byte) []byte {
	var bytes []byte
	for _, id := range ids {
		if int(id) < len(t.idBytes) && t.idBytes[id] != nil {
			bytes = append(bytes, t.idBytes[id]...)
		}
	}
	return appendLossy(out, bytes)
}
