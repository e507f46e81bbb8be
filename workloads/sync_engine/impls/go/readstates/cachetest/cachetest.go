// Package cachetest holds the tests every readstates.Cache must pass, whatever its layout, so the packed
// cache of the go port (packedcache) and the pointer LRU of go_discord are held to the same contract (SPEC.md,
// Service mode: every answer exact, whatever was evicted or written back meanwhile).
package cachetest

import (
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"claimbench/sync_engine/readstates"
)

// Run runs the cache contract's tests against caches made by newCache.
func Run(t *testing.T, newCache readstates.NewCache) {
	t.Run("PreloadFillsTheCache", func(t *testing.T) { preloadFillsTheCache(t, newCache) })
	t.Run("EvictedChangesComeBack", func(t *testing.T) { evictedChangesComeBack(t, newCache) })
	t.Run("ConcurrentLoadWithWriteBackLosesNothing", func(t *testing.T) {
		concurrentLoadLosesNothing(t, newCache, 1000, 25_000)
	})
	t.Run("FewerEntriesThanShards", func(t *testing.T) { concurrentLoadLosesNothing(t, newCache, 3, 500) })
}

func open(t *testing.T, newCache readstates.NewCache, entries, keys uint64) (readstates.Cache, *readstates.Table) {
	t.Helper()
	table, err := readstates.OpenTable(filepath.Join(t.TempDir(), "table"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { table.Close() })
	cache, err := newCache(entries, table)
	if err != nil {
		t.Fatal(err)
	}
	if err := cache.Preload(); err != nil {
		t.Fatal(err)
	}
	return cache, table
}

func execute(t *testing.T, cache readstates.Cache, k uint64, op readstates.Op, message uint64) readstates.State {
	t.Helper()
	state, err := cache.Execute(k, op, message)
	if err != nil {
		t.Fatal(err)
	}
	return state
}

func preloadFillsTheCache(t *testing.T, newCache readstates.NewCache) {
	for _, c := range []struct{ entries, keys uint64 }{{1000, 1250}, {1000, 10}, {1, 5}} {
		cache, _ := open(t, newCache, c.entries, c.keys)
		// A sharded cache fills each shard to its share, so it may stop a little short when the key space ends.
		if got, full := cache.Len(), min(c.entries, c.keys); got > full || got < full*9/10 {
			t.Errorf("%d entries, %d keys: holds %d after Preload", c.entries, c.keys, got)
		}
		if got := cache.Counters(); got != (readstates.Counters{}) {
			t.Errorf("Preload counted %+v", got)
		}
		// Every key answers its initial state, held or not.
		for k := range c.keys {
			if got, want := execute(t, cache, k, readstates.OpGet, 0), readstates.InitialState(readstates.KeyOfIndex(k)); got != want {
				t.Fatalf("GET %d = %+v, want the initial %+v", k, got, want)
			}
		}
	}
}

func evictedChangesComeBack(t *testing.T, newCache readstates.NewCache) {
	const keys = 64
	cache, table := open(t, newCache, 1, keys)
	acked := execute(t, cache, 40, readstates.OpAck, 1<<50)
	mentioned := execute(t, cache, 41, readstates.OpMention, 0) // evicts 40, dirty: kept for the table
	if got := execute(t, cache, 40, readstates.OpGet, 0); got != acked {
		t.Fatalf("key 40 reloaded before any write-back as %+v, want %+v", got, acked)
	}
	if _, err := cache.WriteBack(); err != nil {
		t.Fatal(err)
	}
	for k := range uint64(keys) { // evict everything at least once
		execute(t, cache, k, readstates.OpGet, 0)
	}
	if got := execute(t, cache, 41, readstates.OpGet, 0); got != mentioned {
		t.Fatalf("key 41 after write-back and eviction: %+v, want %+v", got, mentioned)
	}
	if _, err := cache.WriteBack(); err != nil {
		t.Fatal(err)
	}
	if got, found, err := table.Read(40); err != nil || !found || got != acked {
		t.Errorf("the table holds %+v, %v, %v for key 40; want %+v", got, found, err, acked)
	}
	c := cache.Counters()
	if c.Evictions == 0 || c.LoadedFromTable < 2 || c.WrittenBack < 2 || c.Requests != c.Hits+c.Misses {
		t.Errorf("counters %+v", c)
	}
}

// concurrentLoadLosesNothing runs workers that each own the keys k mod workers == w (as the harness's
// connections do) and check every answer against their own model, while a write-back runs in a loop.
func concurrentLoadLosesNothing(t *testing.T, newCache readstates.NewCache, entries uint64, requestsPerWorker int) {
	const workers = 4
	keys := entries*5 + 64
	cache, _ := open(t, newCache, entries, keys)
	stop := make(chan struct{})
	var writer sync.WaitGroup
	writer.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				if _, err := cache.WriteBack(); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	var load sync.WaitGroup
	for w := range uint64(workers) {
		load.Go(func() {
			random := rand.New(rand.NewPCG(w, 7))
			model := map[uint64]readstates.State{}
			for range requestsPerWorker {
				k := (random.Uint64N(keys/workers))*workers + w
				op := readstates.Op(1 + random.IntN(3))
				message := uint64(0)
				if op == readstates.OpAck {
					message = random.Uint64N(1 << 40)
				}
				before, seen := model[k]
				if !seen {
					before = readstates.InitialState(readstates.KeyOfIndex(k))
				}
				want := readstates.Apply(before, op, message)
				got, err := cache.Execute(k, op, message)
				if err != nil || got != want {
					t.Errorf("op %d on key %d: got %+v, %v; want %+v", op, k, got, err, want)
					return
				}
				model[k] = want
			}
		})
	}
	load.Wait()
	close(stop)
	writer.Wait()
	c := cache.Counters()
	if cache.Len() > entries || c.Requests != uint64(workers*requestsPerWorker) || c.Evictions == 0 || c.LoadedFromTable == 0 {
		t.Errorf("holds %d of %d entries; counters %+v", cache.Len(), entries, c)
	}
}
