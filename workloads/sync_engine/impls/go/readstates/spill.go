package readstates

// Record is one key's state on its way to the table.
type Record struct {
	Index uint64 // the key's index in the key space
	State State
}

// Spill keeps what a cache has let go of but the table does not have yet, so that no state is ever lost or
// answered stale while the write-back runs outside the cache's lock (SPEC.md: a dirty entry is saved
// before its memory is reused; a key not in memory is loaded from what was saved).
//
// The protocol, with `mu` the lock of the cache (or shard) that owns the Spill:
//   - evicting an entry: Keep(record, dirty) under mu. A dirty entry is kept; so is a clean one while a pass
//     is in flight, because the pass may be about to write an older copy of it.
//   - a miss: Find(index) under mu before reading the table (newest first).
//   - a write-back pass: Begin() under mu, which hands over what was kept so far; write those records and
//     then the dirty entries copied under the same lock, without mu; End() under mu.
//
// Not safe for concurrent use on its own: the owner's lock guards it. One pass at a time.
type Spill struct {
	pending []Record // kept since the last Begin, oldest first
	writing []Record // what the pass in flight is writing, oldest first
	passing bool
}

// Keep records an evicted entry's state when the table may not have it (see the type's comment).
func (s *Spill) Keep(r Record, dirty bool) {
	if dirty || s.passing {
		s.pending = append(s.pending, r)
	}
}

// Find returns the newest kept state of key index k.
func (s *Spill) Find(k uint64) (State, bool) {
	for _, list := range [2][]Record{s.pending, s.writing} {
		for i := len(list) - 1; i >= 0; i-- {
			if list[i].Index == k {
				return list[i].State, true
			}
		}
	}
	return State{}, false
}

// Begin starts a pass: it returns the kept records, which the caller writes to the table (without the
// lock) before the dirty entries it copies now.
func (s *Spill) Begin() []Record {
	s.pending, s.writing = s.writing[:0], s.pending
	s.passing = true
	return s.writing
}

// End ends the pass Begin started, once its records are in the table.
func (s *Spill) End() {
	s.writing = s.writing[:0]
	s.passing = false
}
