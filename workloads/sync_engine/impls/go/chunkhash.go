package main

import "sync"

// hashedChunk is one chunk of a buffer with its digest.
type hashedChunk struct {
	span
	digest digest
}

// batchChunks is how many chunks one hashing goroutine takes: about 1 MiB at the default sizes, long
// enough to be worth a hand-off, short enough that the boundary finder stays ahead.
const batchChunks = 16

// chunkAndHash returns every chunk of data with its digest, in order. onChunk (may be nil) sees each
// chunk's bytes and digest once, from any goroutine, and may fail, which fails the call. With threads >
// 1 the boundary finder runs on this goroutine and hands batches to threads-1 hashing goroutines
// (SPEC.md: at most threads threads chunk and hash); the output is the same as with one.
func chunkAndHash(data []byte, c *chunker, kind hashKind, threads int, onChunk func([]byte, digest) error) ([]hashedChunk, error) {
	hashOne := func(s span) (hashedChunk, error) {
		bytes := data[s.offset : s.offset+s.length]
		d := kind.sum(bytes)
		if onChunk != nil {
			if err := onChunk(bytes, d); err != nil {
				return hashedChunk{}, err
			}
		}
		return hashedChunk{s, d}, nil
	}
	if threads <= 1 {
		var out []hashedChunk
		for offset := 0; offset < len(data); {
			h, err := hashOne(span{offset, c.cut(data[offset:])})
			if err != nil {
				return nil, err
			}
			out = append(out, h)
			offset += h.length
		}
		return out, nil
	}
	type batch struct {
		first int // index of its first chunk in out
		spans []span
	}
	work := make(chan batch, 2*threads)
	var out []hashedChunk
	var mu sync.Mutex // guards out's growth against the workers' writes
	var firstErr error
	var wg sync.WaitGroup
	for w := 0; w < threads-1; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				hashed := make([]hashedChunk, len(b.spans))
				var err error
				for i, s := range b.spans {
					if hashed[i], err = hashOne(s); err != nil {
						break
					}
				}
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				copy(out[b.first:], hashed)
				mu.Unlock()
			}
		}()
	}
	spans := make([]span, 0, batchChunks)
	first := 0
	for offset := 0; offset < len(data); {
		s := span{offset, c.cut(data[offset:])}
		offset += s.length
		spans = append(spans, s)
		if len(spans) == batchChunks || offset == len(data) {
			mu.Lock()
			out = append(out, make([]hashedChunk, len(spans))...)
			mu.Unlock()
			work <- batch{first, spans}
			first += len(spans)
			spans = make([]span, 0, batchChunks)
		}
	}
	close(work)
	wg.Wait()
	return out, firstErr
}
