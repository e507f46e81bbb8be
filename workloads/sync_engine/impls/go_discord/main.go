// Command go_discord is sync_engine's read-states service (SPEC.md, Service mode) with the cache Discord's
// Go Read States service had (Jesse Howarth, "Why Discord is switching from Go to Rust", 2020): a map of
// keys to heap-allocated entries, linked into an LRU list by pointers (cache.go). Everything else is the
// go port's package readstates (../go), so this program and the go port's `serve` differ in their cache's
// layout alone: what claim L1's tail-latency cliff is about. The runtime is left at its defaults (README.md).
package main

import (
	"os"

	"claimbench/sync_engine/readstates"
)

func main() {
	os.Exit(readstates.Main(os.Args[1:], readstates.Program{NewCache: newLRUCache, BytesPerEntry: bytesPerEntry}))
}
