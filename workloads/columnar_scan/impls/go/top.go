package main

import "slices"

// topN keeps the first n rows of a result in the total order `less`, sorted: ORDER BY ... LIMIT n
// without sorting all of it. A row goes in by binary search; most rows fail the first comparison.
type topN[T any] struct {
	n    int
	less func(a, b T) bool
	rows []T
}

func (t *topN[T]) offer(row T) {
	if len(t.rows) == t.n && (t.n == 0 || !t.less(row, t.rows[t.n-1])) {
		return
	}
	at, _ := slices.BinarySearchFunc(t.rows, row, func(kept, row T) int {
		if t.less(kept, row) {
			return -1
		}
		return 1
	})
	t.rows = slices.Insert(t.rows, at, row)
	if len(t.rows) > t.n {
		t.rows = t.rows[:t.n]
	}
}
