package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A data directory's columns, memory-mapped with unix.Mmap and checked (size against the manifest,
// checksum, string offsets) before any query sees them, so that a corrupt or truncated file is a clear
// error and never an out-of-bounds read. A mapping is page-aligned and its length is checked to be
// rows*width, so viewing it as a []int64 or []int32 (unsafe.Slice, here and nowhere else) reads the
// values in place. Mappings live until the process exits.

const regenerate = "regenerate the data with `columnar_scan_cpp generate --sf N --out DIR`"

type dataDir struct {
	path     string
	manifest *manifest
}

// openDataDir reads and checks path/manifest.json.
func openDataDir(path string) (*dataDir, error) {
	manifestPath := filepath.Join(path, "manifest.json")
	text, err := os.ReadFile(manifestPath)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read (%v); is %s a data directory made by `columnar_scan_cpp generate --sf N --out DIR`?",
			manifestPath, unwrapPathError(err), path)
	}
	m, err := parseManifest(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %v; %s", manifestPath, err, regenerate)
	}
	return &dataDir{path: path, manifest: m}, nil
}

func unwrapPathError(err error) error {
	var pathError *os.PathError
	if errors.As(err, &pathError) {
		return pathError.Err
	}
	return err
}

func (d *dataDir) column(table, column string, want columnType) (*columnEntry, error) {
	var entry *columnEntry
	if t := d.manifest.table(table); t != nil {
		entry = t.column(column)
	}
	if entry == nil {
		return nil, fmt.Errorf("%s: the manifest has no column %s.%s; %s", d.path, table, column, regenerate)
	}
	if entry.Type != want {
		return nil, fmt.Errorf("%s: column %s.%s is %s, the query needs %s; %s", d.path, table, column, entry.Type, want, regenerate)
	}
	return entry, nil
}

// mapFile maps one file read-only and checks its size and checksum against the manifest.
func (d *dataDir) mapFile(entry fileEntry) ([]byte, error) {
	path := filepath.Join(d.path, entry.Path)
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot open (%v); %s", path, unwrapPathError(err), regenerate)
	}
	defer file.Close() // the mapping keeps the file
	info, err := file.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file; %s", path, regenerate)
	}
	if info.Size() != entry.Bytes {
		return nil, fmt.Errorf("%s: %d bytes, the manifest says %d: the file is truncated or was replaced; %s",
			path, info.Size(), entry.Bytes, regenerate)
	}
	if entry.Bytes == 0 {
		return nil, nil // mmap refuses a zero length
	}
	data, err := unix.Mmap(int(file.Fd()), 0, int(entry.Bytes), unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_POPULATE)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot map (%v)", path, err)
	}
	if sum := checksum64(data); sum != entry.checksum {
		return nil, fmt.Errorf("%s: checksum %016x, the manifest says %016x: the file is corrupt; %s", path, sum, entry.checksum, regenerate)
	}
	return data, nil
}

func (d *dataDir) fixed(table, column string, want columnType) ([]byte, error) {
	entry, err := d.column(table, column, want)
	if err != nil {
		return nil, err
	}
	return d.mapFile(entry.Files[0])
}

// view reads a mapping as values in place (little-endian, which is every machine this runs on).
func view[T int32 | int64 | uint64](data []byte) []T {
	if len(data) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(data))), len(data)/int(unsafe.Sizeof(zero)))
}

func (d *dataDir) int64s(table, column string, want columnType) ([]int64, error) {
	data, err := d.fixed(table, column, want)
	return view[int64](data), err
}

func (d *dataDir) int32s(table, column string, want columnType) ([]int32, error) {
	data, err := d.fixed(table, column, want)
	return view[int32](data), err
}

func (d *dataDir) chars(table, column string) ([]byte, error) {
	return d.fixed(table, column, typeChar)
}

// stringColumn is a mapped string column: row i is bytes[offsets[i]:offsets[i+1]].
type stringColumn struct {
	offsets []uint64
	bytes   []byte
}

func (s stringColumn) get(row int) []byte { return s.bytes[s.offsets[row]:s.offsets[row+1]] }

// equal reports whether row holds exactly value.
func (s stringColumn) equal(row int, value []byte) bool { return bytes.Equal(s.get(row), value) }

// strings maps a string column and checks its offsets: they start at 0, never decrease and end at the
// data's size.
func (d *dataDir) strings(table, column string) (stringColumn, error) {
	entry, err := d.column(table, column, typeString)
	if err != nil {
		return stringColumn{}, err
	}
	offsets, err := d.mapFile(entry.Files[0])
	if err != nil {
		return stringColumn{}, err
	}
	data, err := d.mapFile(entry.Files[1])
	if err != nil {
		return stringColumn{}, err
	}
	s := stringColumn{offsets: view[uint64](offsets), bytes: data}
	ordered := len(s.offsets) > 0 && s.offsets[0] == 0 && s.offsets[len(s.offsets)-1] == uint64(len(data))
	for i := 1; ordered && i < len(s.offsets); i++ {
		ordered = s.offsets[i-1] <= s.offsets[i]
	}
	if !ordered {
		return stringColumn{}, fmt.Errorf("%s: the offsets of column %s.%s do not start at 0, decrease, or do not end at its %d bytes; %s",
			d.path, table, column, len(data), regenerate)
	}
	return s, nil
}
