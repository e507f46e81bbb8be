// Command go_read_states is sync_engine's read-states service (SPEC.md, Service mode) as a Go engineer
// writes it today: the cache is a packed, pointer-free table (cache.go), so the garbage collector has
// nothing in it to scan; everything else (frames, table, server, command line) is package readstates.
package main

import (
	"os"

	"claimbench/sync_engine/go_read_states/readstates"
)

func main() {
	os.Exit(readstates.Main(os.Args[1:], readstates.Program{NewCache: newPackedCache, BytesPerEntry: bytesPerEntry}))
}
