package bpe

import "fmt"

// merge is what a pair of adjacent tokens becomes, and how early (lower rank merges first).
type merge struct {
	rank  uint32
	newID uint32
}

// pairKey packs two token ids into one map key.
func pairKey(left, right uint32) uint64 { return uint64(left)<<32 | uint64(right) }

// bpeOptions are the model fields HF honours for a word's bytes that have no token.
type bpeOptions struct {
	unkID        uint32
	hasUnk       bool
	fuseUnk      bool
	byteFallback bool
	ignoreMerges bool
}

// bpeModel merges the bytes of one pre-tokenized word by rank into token ids, as HF's BPE model does
// (word.merge_all: a heap of candidate pairs over a linked list of symbols, O(n log n) per word). The
// byte-level alphabet is folded in at load time: the model works on the word's raw bytes. Immutable after
// loading and safe for concurrent use.
type bpeModel struct {
	byteIDs    [256]int32        // the token of each byte's stand-in character, or -1
	fallbackID [256]int32        // the <0xXX> token of each byte (byte_fallback), or -1
	merges     map[uint64]merge  // by pairKey(left, right)
	words      map[string]uint32 // whole words in the vocabulary, for ignore_merges (raw bytes)
	options    bpeOptions
}

// newBPEModel builds the model from the vocabulary (token string to id) and the merges in rank order.
// It fails, naming the merge, when a merge names a token that is not in the vocabulary.
func newBPEModel(vocab map[string]uint32, merges [][2]string, options bpeOptions) (*bpeModel, error) {
	m := &bpeModel{merges: make(map[uint64]merge, len(merges)), options: options}
	for b := 0; b < 256; b++ {
		m.byteIDs[b], m.fallbackID[b] = -1, -1
		if id, ok := vocab[string(byteToRune[b])]; ok {
			m.byteIDs[b] = int32(id)
		}
		if id, ok := vocab[fmt.Sprintf("<0x%02X>", b)]; ok {
			m.fallbackID[b] = int32(id)
		}
	}
	if options.ignoreMerges {
		m.words = make(map[string]uint32, len(vocab))
		for token, id := range vocab {
			if bytes, ok := byteLevelToBytes(token); ok {
				m.words[bytes] = id
			}
		}
	}
	for rank, pair := range merges {
		left, okLeft := vocab[pair[0]]
		right, okRight := vocab[pair[1]]
		if !okLeft || !okRight {
			return nil, fmt.Errorf("model.merges[%d] (%q %q) names a token that is not in model.vocab", rank, pair[0], pair[1])
		}
		merged, ok := vocab[pair[0]+pair[1]]
		if !ok {
			return nil, fmt.Errorf("model.merges[%d] (%q %q) makes %q, which is not in model.vocab", rank, pair[0], pair[1], pair[0]+pair[1])
		}
		// A merge listed twice keeps its last rank, as HF's map does.
		m.merges[pairKey(left, right)] = merge{uint32(rank), merged}
	}
	return m, nil
}

// symbol is a token in a word being merged: a node of a doubly linked list over the word's positions.
type symbol struct {
	id         uint32
	prev, next int32 // -1 at the ends
	alive      bool
}

// candidate is a pair that may merge: the symbol at pos with the one after it.
type candidate struct {
	rank  uint32
	pos   int32
	newID uint32
}

// bpeScratch holds the buffers one goroutine reuses from word to word.
type bpeScratch struct {
	symbols []symbol
	queue   candidateHeap
}

// encodeWord appends the ids of word (raw bytes of one pre-tokenized word) to ids and returns it.
func (m *bpeModel) encodeWord(word string, ids []uint32, scratch *bpeScratch) []uint32 {
	if m.options.ignoreMerges {
		if id, ok := m.words[word]; ok {
			return append(ids, id)
		}
	}
	symbols := m.initialSymbols(word, scratch.symbols[:0])
	scratch.symbols = symbols
	queue := scratch.queue[:0]
	push := func(pos int32) {
		if pos < 0 || symbols[pos].next < 0 {
			return
		}
		if mg, ok := m.merges[pairKey(symbols[pos].id, symbols[symbols[pos].next].id)]; ok {
			queue.push(candidate{mg.rank, pos, mg.newID})
		}
	}
	for i := range symbols {
		push(int32(i))
	}
	for len(queue) > 0 {
		top := queue.pop()
		left := &symbols[top.pos]
		if !left.alive || left.next < 0 {
			continue
		}
		// Stale when either side has changed since the pair was pushed.
		right := left.next
		if mg, ok := m.merges[pairKey(left.id, symbols[right].id)]; !ok || mg.newID != top.newID {
			continue
		}
		left.id = top.newID
		symbols[right].alive = false
		left.next = symbols[right].next
		if left.next >= 0 {
			symbols[left.next].prev = top.pos
		}
		push(left.prev)
		push(top.pos)
	}
	scratch.queue = queue
	for _, s := range symbols {
		if s.alive {
			ids = append(ids, s.id)
		}
	}
	return ids
}

// initialSymbols is one symbol per byte of word, linked. A byte without a token follows HF: its
// <0xXX> tokens when byte_fallback is set and they exist, else the unk token (one for a run when
// fuse_unk), else it is dropped.
func (m *bpeModel) initialSymbols(word string, symbols []symbol) []symbol {
	previousUnk := false
	for i := 0; i < len(word); i++ {
		b := word[i]
		if id := m.byteIDs[b]; id >= 0 {
			symbols = append(symbols, symbol{id: uint32(id)})
			previousUnk = false
			continue
		}
		if m.options.byteFallback {
			// HF falls back on the UTF-8 bytes of the missing character: here, the byte's stand-in.
			if fallback, ok := m.fallbackIDs(b); ok {
				for _, id := range fallback {
					symbols = append(symbols, symbol{id: id})
				}
				previousUnk = false
				continue
			}
		}
		if m.options.hasUnk {
			if !(m.options.fuseUnk && previousUnk) {
				symbols = append(symbols, symbol{id: m.options.unkID})
			}
			previousUnk = true
		}
	}
	for i := range symbols {
		symbols[i].prev, symbols[i].next, symbols[i].alive = int32(i-1), int32(i+1), true
	}
	if n := len(symbols); n > 0 {
		symbols[n-1].next = -1
	}
	return symbols
}

// fallbackIDs are the <0xXX> tokens of the UTF-8 bytes of b's stand-in character, if all exist.
func (m *bpeModel) fallbackIDs(b byte) ([]uint32, bool) {
	var ids []uint32
	for _, u := range []byte(string(byteToRune[b])) {
		if m.fallbackID[u] < 0 {
			return nil, false
		}
		ids = append(ids, uint32(m.fallbackID[u]))
	}
	return ids, true
}

// candidateHeap is a binary min-heap of candidates by (rank, pos): the lowest rank merges first, the
// leftmost on a tie. A typed heap rather than container/heap, whose interface calls and boxing of each
// pushed value would dominate this loop.
type candidateHeap []candidate

func (c candidate) before(o candidate) bool {
	return c.rank < o.rank || (c.rank == o.rank && c.pos < o.pos)
}

func (h *candidateHeap) push(c candidate) {
	q := append(*h, c)
	for i := len(q) - 1; i > 0; {
		parent := (i - 1) / 2
		if !q[i].before(q[parent]) {
			break
		}
		q[i], q[parent] = q[parent], q[i]
		i = parent
	}
	*h = q
}

func (h *candidateHeap) pop() candidate {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	q = q[:last]
	for i := 0; ; {
		smallest, left, right := i, 2*i+1, 2*i+2
		if left < len(q) && q[left].before(q[smallest]) {
			smallest = left
		}
		if right < len(q) && q[right].before(q[smallest]) {
			smallest = right
		}
		if smallest == i {
			break
		}
		q[i], q[smallest] = q[smallest], q[i]
		i = smallest
	}
	*h = q
	return top
}
