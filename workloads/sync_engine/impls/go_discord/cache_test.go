package main

import (
	"path/filepath"
	"testing"

	"claimbench/sync_engine/readstates"
	"claimbench/sync_engine/readstates/cachetest"
)

func TestLRUCacheKeepsTheContract(t *testing.T) { cachetest.Run(t, newLRUCache) }

// The least recently used entry goes first: a key read between misses stays, the others cycle out.
// Left at the end: 49 (front), 0, 48 (back).
func TestLRUEvictsTheLeastRecentlyUsed(t *testing.T) {
	table, err := readstates.OpenTable(filepath.Join(t.TempDir(), "table"), 100)
	if err != nil {
		t.Fatal(err)
	}
	defer table.Close()
	cache, _ := newLRUCache(3, table)
	cache.Preload() // keys 0, 1, 2; 0 least recent
	for k := uint64(3); k < 50; k++ {
		cache.Execute(0, readstates.OpGet, 0) // 0 most recent
		cache.Execute(k, readstates.OpGet, 0) // evicts the older of the others
	}
	c := cache.(*lruCache)
	if _, ok := c.entries[keyOf(0)]; !ok || c.counters.Hits != 47 || c.counters.Evictions != 47 {
		t.Errorf("key 0 held %v; counters %+v", ok, c.counters)
	}
	if c.recency.next.key != keyOf(49) || c.recency.prev.key != keyOf(48) {
		t.Errorf("recency order: front %+v, back %+v", c.recency.next.key, c.recency.prev.key)
	}
}
