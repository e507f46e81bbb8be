package main

import (
	"fmt"
	"sync"

	"claimbench/sync_engine/readstates"
)

// The LRU cache as Discord's Go service had it: one mutex, a map from (user, channel) to a pointer to a
// heap-allocated read state, and a doubly linked list of those read states in recency order, most recent
// at the front. A miss allocates a fresh entry; the evicted one is dropped and becomes garbage. Nothing
// else allocates per request. Every entry holds three pointers (its two list links, and the map's pointer
// to it), so the garbage collector's mark phase walks all of them on every cycle, including the cycle the
// runtime forces every two minutes: the cost that grows with the cache and made Discord's latency spike.

// bytesPerEntry: a 64-byte entry (its size class), the map's slot and control byte at 7/8 load, and room
// for the dirty list (for --entries' memory check).
const bytesPerEntry = 64 + 32 + 8

type readStateKey struct {
	UserID, ChannelID uint64
}

type readState struct {
	key        readStateKey
	lastRead   uint64
	mentions   uint32
	dirty      bool
	prev, next *readState // LRU list links; the list's sentinel closes the ring
}

type lruCache struct {
	mu       sync.Mutex
	capacity int
	entries  map[readStateKey]*readState
	recency  readState // sentinel: recency.next is the most recently used, recency.prev the least
	dirty    []*readState
	spill    readstates.Spill
	batch    []readstates.Record
	counters readstates.Counters
	table    *readstates.Table
}

func newLRUCache(entries uint64, table *readstates.Table) (readstates.Cache, error) {
	if entries < 1 {
		return nil, fmt.Errorf("the cache needs at least one entry")
	}
	c := &lruCache{capacity: int(entries), entries: make(map[readStateKey]*readState, entries), table: table}
	c.recency.next, c.recency.prev = &c.recency, &c.recency
	return c, nil
}

func keyOf(k uint64) readStateKey {
	key := readstates.KeyOfIndex(k)
	return readStateKey{key.User, key.Channel}
}

func indexOf(key readStateKey) uint64 { return key.UserID*readstates.ChannelsPerUser + key.ChannelID }

func (e *readState) state() readstates.State {
	return readstates.State{LastReadMessageID: e.lastRead, MentionCount: e.mentions}
}

func (c *lruCache) pushFront(e *readState) {
	e.prev, e.next = &c.recency, c.recency.next
	e.next.prev, c.recency.next = e, e
}

func (c *lruCache) unlink(e *readState) {
	e.prev.next, e.next.prev = e.next, e.prev
	e.prev, e.next = nil, nil
}

func (c *lruCache) Preload() error {
	for k := uint64(0); k < c.table.Keys() && len(c.entries) < c.capacity; k++ {
		c.add(keyOf(k), readstates.InitialState(readstates.KeyOfIndex(k)))
	}
	return nil
}

// add puts a fresh entry for key, clean, at the front, evicting the least recently used one when full.
func (c *lruCache) add(key readStateKey, state readstates.State) *readState {
	if len(c.entries) >= c.capacity {
		victim := c.recency.prev
		c.unlink(victim)
		delete(c.entries, victim.key)
		c.spill.Keep(readstates.Record{Index: indexOf(victim.key), State: victim.state()}, victim.dirty)
		victim.dirty = false // a write-back that meets it in the dirty list skips it
		c.counters.Evictions++
	}
	e := &readState{key: key, lastRead: state.LastReadMessageID, mentions: state.MentionCount}
	c.entries[key] = e
	c.pushFront(e)
	return e
}

func (c *lruCache) Execute(k uint64, op readstates.Op, messageID uint64) (readstates.State, error) {
	key := keyOf(k)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counters.Requests++
	e, ok := c.entries[key]
	if ok {
		c.counters.Hits++
		c.unlink(e)
		c.pushFront(e)
	} else {
		c.counters.Misses++
		state, err := c.load(k)
		if err != nil {
			return readstates.State{}, err
		}
		e = c.add(key, state)
	}
	before := e.state()
	after := readstates.Apply(before, op, messageID)
	if after != before {
		e.lastRead, e.mentions = after.LastReadMessageID, after.MentionCount
		if !e.dirty {
			e.dirty = true
			c.dirty = append(c.dirty, e)
		}
	}
	return after, nil
}

// load is the newest state of key k, which is not in memory: kept in the spill, else in the table
// (Discord's Cassandra), else the initial state.
func (c *lruCache) load(k uint64) (readstates.State, error) {
	if state, ok := c.spill.Find(k); ok {
		c.counters.LoadedFromTable++
		return state, nil
	}
	state, found, err := c.table.Read(k)
	if err != nil || found {
		c.counters.LoadedFromTable++
		return state, err
	}
	return readstates.InitialState(readstates.KeyOfIndex(k)), nil
}

// WriteBack copies the dirty entries and takes what the spill kept under the lock, and writes them without
// it.
func (c *lruCache) WriteBack() (int, error) {
	c.mu.Lock()
	batch := c.batch[:0]
	for i, e := range c.dirty {
		if e.dirty {
			e.dirty = false
			batch = append(batch, readstates.Record{Index: indexOf(e.key), State: e.state()})
		}
		c.dirty[i] = nil // let an evicted entry go
	}
	c.dirty = c.dirty[:0]
	c.batch = batch
	kept := c.spill.Begin()
	c.mu.Unlock()

	err := c.table.WritePass(kept, batch)
	c.mu.Lock()
	c.spill.End()
	c.counters.WrittenBack += uint64(len(kept) + len(batch))
	c.mu.Unlock()
	return len(kept) + len(batch), err
}

func (c *lruCache) Len() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return uint64(len(c.entries))
}

func (c *lruCache) Counters() readstates.Counters {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counters
}
