package readstates

// Counters are the service's counts printed at exit (SPEC.md, Service mode).
type Counters struct {
	Requests        uint64 `json:"requests"`
	Hits            uint64 `json:"hits"`
	Misses          uint64 `json:"misses"`
	Evictions       uint64 `json:"evictions"`
	LoadedFromTable uint64 `json:"loaded_from_table"` // misses found in the table or in a Spill
	WrittenBack     uint64 `json:"written_back"`      // records written to the table
}

// Add adds o to c.
func (c *Counters) Add(o Counters) {
	c.Requests += o.Requests
	c.Hits += o.Hits
	c.Misses += o.Misses
	c.Evictions += o.Evictions
	c.LoadedFromTable += o.LoadedFromTable
	c.WrittenBack += o.WrittenBack
}

// Cache is the in-memory store of read states, the part whose layout claim L1 is about. It holds at most
// its capacity of entries, loads a missing key from the Table (or a Spill, or the initial state), and
// writes changed ("dirty") entries back when asked.
type Cache interface {
	// Preload fills the cache with the initial states of keys 0, 1, 2, ... until it is full or the key
	// space ends, so its memory is allocated and touched before `ready`. Not concurrent with anything.
	Preload() error
	// Execute applies op to the key of index k (inside the key space) and returns the state after it.
	// Safe for concurrent use. An error is the table's I/O error: the service cannot go on.
	Execute(k uint64, op Op, messageID uint64) (State, error)
	// WriteBack writes every dirty entry and every kept record to the table, holding a lock no longer than
	// it takes to copy one lock's worth of dirty entries. Safe for concurrent use with Execute; one
	// WriteBack at a time. Returns the records written.
	WriteBack() (int, error)
	// Len is the number of entries held now; Counters the counts so far. Safe for concurrent use.
	Len() uint64
	Counters() Counters
}

// NewCache makes a cache of `entries` entries (at least 1) in front of table. The error says what to do.
type NewCache func(entries uint64, table *Table) (Cache, error)
