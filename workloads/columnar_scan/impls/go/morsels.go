package main

import (
	"sync"
	"sync/atomic"
)

// Morsel-driven parallelism: a table's rows cut into fixed morsels that `workers` goroutines take from a
// shared counter, each folding into its own partial state (indexed by its worker number), merged by the
// caller. Every partial is exact, so the answer never depends on the thread count or on which goroutine
// took which morsel. GOMAXPROCS, set to --threads before ready, bounds the threads that run them.

// morselRows is 2^16 rows: large enough that taking a morsel is noise against scanning it, small enough
// that a slow thread is helped out.
const morselRows = 1 << 16

// forEachMorsel calls fn(worker, begin, end) for every morsel of rows rows, on `workers` goroutines,
// and returns when all are done. fn must be safe to call concurrently for different workers.
func forEachMorsel(rows, workers int, fn func(worker, begin, end int)) {
	morsels := (rows + morselRows - 1) / morselRows
	var next atomic.Int64
	var group sync.WaitGroup
	for worker := range min(workers, morsels) {
		group.Go(func() {
			for {
				morsel := int(next.Add(1) - 1)
				if morsel >= morsels {
					return
				}
				begin := morsel * morselRows
				fn(worker, begin, min(begin+morselRows, rows))
			}
		})
	}
	group.Wait()
}

// collectMorsels returns what fn appends for every morsel, in row order: fn(begin, end, out) appends the
// morsel's results to out and returns it.
func collectMorsels[T any](rows, workers int, fn func(begin, end int, out []T) []T) []T {
	parts := make([][]T, (rows+morselRows-1)/morselRows)
	forEachMorsel(rows, workers, func(_, begin, end int) {
		parts[begin/morselRows] = fn(begin, end, nil)
	})
	var all []T
	for _, part := range parts {
		all = append(all, part...)
	}
	return all
}
