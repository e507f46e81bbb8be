package readstates

import (
	"encoding/binary"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// tableRecordBytes: [0..7] last read, [8..11] mention count, [12..15] 1 once written (a hole in the sparse
// file reads as zeros: never written). A record's place is its key's index, so it needs no key.
const tableRecordBytes = 16

// Table is the persistent store behind the cache, Discord's Cassandra in SPEC.md: a file of fixed records,
// one per key, read and written with pread and pwrite and never mapped, so it stays out of the service's
// resident set as a remote database's memory would. By default the file is anonymous and in memory
// (memfd_create: tmpfs); with a path it is a file on disk.
//
// Read and Write are safe for concurrent use on different keys; Write is meant for one writer at a time.
type Table struct {
	file *os.File
	keys uint64
}

// OpenTable creates (or truncates) path as a sparse table of `keys` records; an empty path makes an
// anonymous in-memory file. The error names the file and says what to do.
func OpenTable(path string, keys uint64) (*Table, error) {
	var file *os.File
	if path == "" {
		fd, err := unix.MemfdCreate("read_states_backing", unix.MFD_CLOEXEC)
		if err != nil {
			return nil, fmt.Errorf("cannot create the in-memory backing table: %w", err)
		}
		file = os.NewFile(uintptr(fd), "read_states_backing")
	} else {
		var err error
		file, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return nil, fmt.Errorf("cannot create the backing table: %w; pass --backing FILE in a writable directory", err)
		}
	}
	if err := file.Truncate(int64(keys * tableRecordBytes)); err != nil {
		file.Close()
		return nil, fmt.Errorf("cannot size the backing table to %d records: %w", keys, err)
	}
	return &Table{file: file, keys: keys}, nil
}

// Close closes the file.
func (t *Table) Close() error { return t.file.Close() }

// Keys is the size of the key space the table holds.
func (t *Table) Keys() uint64 { return t.keys }

// Read returns the state last written for key index k (inside the key space); found is false when it
// never was.
func (t *Table) Read(k uint64) (state State, found bool, err error) {
	var record [tableRecordBytes]byte
	if _, err := t.file.ReadAt(record[:], int64(k*tableRecordBytes)); err != nil {
		return State{}, false, fmt.Errorf("backing table: reading key %d: %w", k, err)
	}
	if binary.LittleEndian.Uint32(record[12:]) != 1 {
		return State{}, false, nil
	}
	return State{binary.LittleEndian.Uint64(record[0:]), binary.LittleEndian.Uint32(record[8:])}, true, nil
}

// Write writes the records in order (a later record for the same key wins).
func (t *Table) Write(records []Record) error {
	var buffer [tableRecordBytes]byte
	for _, r := range records {
		record := binary.LittleEndian.AppendUint64(buffer[:0], r.State.LastReadMessageID)
		record = binary.LittleEndian.AppendUint32(record, r.State.MentionCount)
		record = binary.LittleEndian.AppendUint32(record, 1)
		if _, err := t.file.WriteAt(record, int64(r.Index*tableRecordBytes)); err != nil {
			return fmt.Errorf("backing table: writing key %d: %w", r.Index, err)
		}
	}
	return nil
}

// WritePass writes one write-back pass: the records a Spill kept first, then the copies of the dirty
// entries (anything still in memory is newer than what an eviction kept).
func (t *Table) WritePass(kept, dirty []Record) error {
	if err := t.Write(kept); err != nil {
		return err
	}
	return t.Write(dirty)
}
