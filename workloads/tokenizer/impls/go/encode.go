package main

import (
	"sync"
	"time"

	"claimbench/tokenizer/bpe"
)

// chunkDocuments is how many documents a worker takes at a time: enough to make taking work cheap,
// few enough that the last chunks balance the workers.
const chunkDocuments = 64

// encodeDocuments encodes every document and returns their ids, in order; with latency set, also each
// document's encoding time in nanoseconds, encoding them one at a time on this goroutine. It writes the
// ready mark once its workers are started and the done mark when every document is encoded (SPEC.md:
// starting the workers is start-up; filling the word caches is encoding).
func encodeDocuments(tok *bpe.Tokenizer, docs []string, threads int, latency bool, marks *marks) ([][]uint32, []int64) {
	ids := make([][]uint32, len(docs))
	if latency {
		latencies := make([]int64, len(docs))
		enc := tok.NewEncoder()
		marks.mark("ready")
		for i, doc := range docs {
			start := time.Now()
			ids[i] = enc.Encode(doc, nil)
			latencies[i] = time.Since(start).Nanoseconds()
		}
		marks.mark("done")
		return ids, latencies
	}
	if threads == 1 {
		enc := tok.NewEncoder()
		marks.mark("ready")
		for i, doc := range docs {
			ids[i] = enc.Encode(doc, nil)
		}
		marks.mark("done")
		return ids, nil
	}

	// Workers wait for chunks of document indices; each has its own encoder, so they share nothing but
	// the read-only tokenizer and write disjoint elements of ids.
	chunks := make(chan int, (len(docs)+chunkDocuments-1)/chunkDocuments)
	var workers sync.WaitGroup
	for range threads {
		workers.Go(func() {
			enc := tok.NewEncoder()
			for first := range chunks {
				for i := first; i < min(first+chunkDocuments, len(docs)); i++ {
					ids[i] = enc.Encode(docs[i], nil)
				}
			}
		})
	}
	marks.mark("ready")
	for first := 0; first < len(docs); first += chunkDocuments {
		chunks <- first
	}
	close(chunks)
	workers.Wait()
	marks.mark("done")
	return ids, nil
}
