// Package packedcache is the read-states cache `sync_engine serve` runs with: packed and pointer-free, the
// C++ reference's layout in Go's terms (README.md).
package packedcache

import (
	"fmt"
	"sync"

	"claimbench/sync_engine/readstates"
)

// The packed cache. The design decision: no per-entry heap object. Each of up to 64 shards (a mutex each)
// keeps its entries in one slice of 24-byte values and finds them through a keyIndex of uint32 buckets, so
// the whole cache is a few dozen pointer-free allocations made before `ready`: the garbage collector
// never scans it, however many entries it holds, and nothing allocates per request. Eviction is CLOCK
// (second chance), the usual constant-time LRU approximation: a hit sets the entry's referenced bit, the
// hand clears set bits and evicts the first entry without one.

const (
	maxShards  = 64
	mentions   = readstates.MaxMentions // the low 30 bits of entry.word
	referenced = 1 << 30
	dirty      = 1 << 31
	// BytesPerEntry: the entry, 4/3 of a bucket, and room for the dirty list (for --entries' memory check).
	BytesPerEntry = 24 + 6 + 4
)

// entry is one read state: 24 bytes, no pointers.
type entry struct {
	key      uint64 // the key's index in the key space: (user, channel) = (key / 16, key % 16)
	lastRead uint64
	word     uint32 // mention count | referenced | dirty
}

func (e *entry) state() readstates.State {
	return readstates.State{LastReadMessageID: e.lastRead, MentionCount: e.word & mentions}
}

func hashOf(k uint64) uint64 { return readstates.SplitMix64(k) }

type shard struct {
	mu       sync.Mutex
	entries  []entry // len = capacity; [0, used) hold keys
	used     uint32
	index    keyIndex
	hand     uint32              // CLOCK's next candidate
	dirty    []uint32            // slots made dirty since the last write-back (an evicted one may linger)
	spill    readstates.Spill    // evicted states the table may not have yet
	batch    []readstates.Record // the write-back's copy of the dirty entries (kept for its capacity)
	counters readstates.Counters
}

type packedCache struct {
	shards []shard
	table  *readstates.Table
}

// New makes a cache of at most entries read states over table (a readstates.NewCache). Safe for concurrent
// use, as readstates.Cache requires.
func New(entries uint64, table *readstates.Table) (readstates.Cache, error) {
	if entries < 1 {
		return nil, fmt.Errorf("the cache needs at least one entry")
	}
	c := &packedCache{shards: make([]shard, min(entries, maxShards)), table: table}
	n := uint64(len(c.shards))
	for i := range c.shards {
		size := uint32(entries/n + boolToUint64(uint64(i) < entries%n))
		c.shards[i].entries = make([]entry, size)
		c.shards[i].index = newKeyIndex(size)
	}
	return c, nil
}

func boolToUint64(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// shardOf picks a shard from the hash's high half (the index probes from the low half).
func (c *packedCache) shardOf(hash uint64) *shard {
	return &c.shards[(hash>>32)*uint64(len(c.shards))>>32]
}

func (c *packedCache) Preload() error {
	free := uint64(0)
	for i := range c.shards {
		free += uint64(len(c.shards[i].entries))
	}
	for k := uint64(0); k < c.table.Keys() && free > 0; k++ {
		hash := hashOf(k)
		s := c.shardOf(hash)
		if s.used == uint32(len(s.entries)) {
			continue
		}
		s.insert(k, hash, readstates.InitialState(readstates.KeyOfIndex(k)))
		free--
	}
	return nil
}

func (c *packedCache) Execute(k uint64, op readstates.Op, messageID uint64) (readstates.State, error) {
	hash := hashOf(k)
	s := c.shardOf(hash)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters.Requests++
	var slot uint32
	if i := s.index.find(k, hash, s.entries); i >= 0 {
		s.counters.Hits++
		slot = s.index.buckets[i] - 1
		s.entries[slot].word |= referenced
	} else {
		s.counters.Misses++
		state, err := s.load(k, c.table)
		if err != nil {
			return readstates.State{}, err
		}
		slot = s.insert(k, hash, state)
	}
	e := &s.entries[slot]
	before := e.state()
	after := readstates.Apply(before, op, messageID)
	if after != before {
		e.lastRead = after.LastReadMessageID
		if e.word&dirty == 0 {
			s.dirty = append(s.dirty, slot)
		}
		e.word = e.word&^mentions | after.MentionCount | dirty
	}
	return after, nil
}

// load is the newest state of key k, which is not in memory: kept in the spill, else in the table, else
// the initial state.
func (s *shard) load(k uint64, table *readstates.Table) (readstates.State, error) {
	if state, ok := s.spill.Find(k); ok {
		s.counters.LoadedFromTable++
		return state, nil
	}
	state, found, err := table.Read(k)
	if err != nil || found {
		s.counters.LoadedFromTable++
		return state, err
	}
	return readstates.InitialState(readstates.KeyOfIndex(k)), nil
}

// insert puts key k (not in memory) with a clean state into a free slot, evicting if the shard is full.
func (s *shard) insert(k, hash uint64, state readstates.State) uint32 {
	slot := s.takeSlot()
	s.entries[slot] = entry{key: k, lastRead: state.LastReadMessageID, word: state.MentionCount}
	s.index.insert(slot, hash)
	return slot
}

// takeSlot returns a never-used slot while there are any, else CLOCK's victim, unlinked from the index and
// handed to the spill.
func (s *shard) takeSlot() uint32 {
	if s.used < uint32(len(s.entries)) {
		s.used++
		return s.used - 1
	}
	for {
		slot := s.hand
		if s.hand++; s.hand == uint32(len(s.entries)) {
			s.hand = 0
		}
		e := &s.entries[slot]
		if e.word&referenced != 0 {
			e.word &^= referenced
			continue
		}
		s.spill.Keep(readstates.Record{Index: e.key, State: e.state()}, e.word&dirty != 0)
		s.index.remove(s.index.find(e.key, hashOf(e.key), s.entries), s.entries)
		e.word = 0 // no longer dirty: a write-back that meets the slot in its dirty list skips it
		s.counters.Evictions++
		return slot
	}
}

// WriteBack writes one shard at a time: under its lock, take what the spill kept and copy the dirty
// entries; write them without it.
func (c *packedCache) WriteBack() (int, error) {
	written := 0
	for i := range c.shards {
		n, err := c.shards[i].writeBack(c.table)
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

func (s *shard) writeBack(table *readstates.Table) (int, error) {
	s.mu.Lock()
	batch := s.batch[:0]
	for _, slot := range s.dirty {
		if e := &s.entries[slot]; e.word&dirty != 0 {
			e.word &^= dirty
			batch = append(batch, readstates.Record{Index: e.key, State: e.state()})
		}
	}
	s.dirty = s.dirty[:0]
	s.batch = batch
	kept := s.spill.Begin()
	s.mu.Unlock()

	err := table.WritePass(kept, batch)
	s.mu.Lock()
	s.spill.End()
	s.counters.WrittenBack += uint64(len(kept) + len(batch))
	s.mu.Unlock()
	return len(kept) + len(batch), err
}

func (c *packedCache) Len() uint64 {
	total := uint64(0)
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		total += uint64(s.used)
		s.mu.Unlock()
	}
	return total
}

func (c *packedCache) Counters() readstates.Counters {
	var total readstates.Counters
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		total.Add(s.counters)
		s.mu.Unlock()
	}
	return total
}
