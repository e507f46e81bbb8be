package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The manifest of a data directory (SPEC.md, "Data format"): which tables, how many rows, and for every
// column its type and files with their sizes and checksums. It is the one thing a reader trusts about
// the files, so parsing checks everything that could later make a read go out of bounds or leave the
// directory: the format and version, known types, sizes that match the row count, relative paths
// without "..", well-formed checksums, no table or column twice.

const (
	formatName    = "claimbench-columnar"
	formatVersion = 1
	// More rows than this is no TPC-H table of any sensible scale factor; it keeps rows*width far from
	// overflowing.
	maxRows = 1 << 40
)

type columnType string

const (
	typeInt32   columnType = "int32"
	typeInt64   columnType = "int64"
	typeDecimal columnType = "decimal(15,2)" // int64 hundredths
	typeDate    columnType = "date"          // int32 days since 1970-01-01
	typeChar    columnType = "char"          // one byte
	typeString  columnType = "string"        // uint64 offsets (rows + 1) and the bytes
)

// width is the bytes per row of the column's first file; 0 for an unknown type.
func (t columnType) width() int64 {
	switch t {
	case typeChar:
		return 1
	case typeInt32, typeDate:
		return 4
	case typeInt64, typeDecimal, typeString:
		return 8
	}
	return 0
}

type fileEntry struct {
	Path     string `json:"path"`
	Bytes    int64  `json:"bytes"`
	Checksum string `json:"checksum"` // 16 lower-case hex digits of checksum64
	checksum uint64
}

type columnEntry struct {
	Name  string      `json:"name"`
	Type  columnType  `json:"type"`
	Files []fileEntry `json:"files"` // fixed width: the values; string: the offsets, then the bytes
}

type tableEntry struct {
	Name    string        `json:"name"`
	Rows    *int64        `json:"rows"`
	Columns []columnEntry `json:"columns"`
}

type manifest struct {
	Format      string       `json:"format"`
	Version     json.Number  `json:"version"`
	ScaleFactor string       `json:"scale_factor"`
	Generator   string       `json:"generator"`
	Tables      []tableEntry `json:"tables"`
}

// parseManifest parses and checks a manifest; the error names the first problem found.
func parseManifest(text []byte) (*manifest, error) {
	var m manifest
	if err := json.Unmarshal(text, &m); err != nil {
		return nil, fmt.Errorf("not a valid manifest (%v)", err)
	}
	if m.Format != formatName {
		return nil, fmt.Errorf("format is not %q", formatName)
	}
	if m.Version.String() != strconv.Itoa(formatVersion) {
		return nil, fmt.Errorf("version %q is not supported (this reader knows version %d)", m.Version, formatVersion)
	}
	seenTables := map[string]bool{}
	for t := range m.Tables {
		table := &m.Tables[t]
		if seenTables[table.Name] {
			return nil, fmt.Errorf("table %s appears twice", table.Name)
		}
		seenTables[table.Name] = true
		if table.Rows == nil || *table.Rows < 0 || *table.Rows > maxRows {
			return nil, fmt.Errorf("table %s has no plausible rows", table.Name)
		}
		seenColumns := map[string]bool{}
		for c := range table.Columns {
			column := &table.Columns[c]
			name := table.Name + "." + column.Name
			if seenColumns[column.Name] {
				return nil, fmt.Errorf("column %s appears twice", name)
			}
			seenColumns[column.Name] = true
			if err := checkColumn(name, *table.Rows, column); err != nil {
				return nil, err
			}
		}
	}
	return &m, nil
}

func checkColumn(name string, rows int64, column *columnEntry) error {
	if column.Type.width() == 0 {
		return fmt.Errorf("column %s has unknown type %q", name, column.Type)
	}
	wantFiles, slots := 1, rows
	if column.Type == typeString {
		wantFiles, slots = 2, rows+1
	}
	if len(column.Files) != wantFiles {
		return fmt.Errorf("column %s has %d files, a %s column has %d", name, len(column.Files), column.Type, wantFiles)
	}
	for f := range column.Files {
		file := &column.Files[f]
		if !plainRelative(file.Path) {
			return fmt.Errorf("column %s: path %q is not a plain relative path", name, file.Path)
		}
		sum, err := strconv.ParseUint(file.Checksum, 16, 64)
		if err != nil || len(file.Checksum) != 16 || strings.ToLower(file.Checksum) != file.Checksum {
			return fmt.Errorf("column %s: checksum %q is not 16 lower-case hex digits", name, file.Checksum)
		}
		file.checksum = sum
	}
	if want := slots * column.Type.width(); column.Files[0].Bytes != want {
		return fmt.Errorf("column %s: %s is %d bytes, %d rows need %d", name, column.Files[0].Path, column.Files[0].Bytes, rows, want)
	}
	return nil
}

// plainRelative reports whether path is relative, without empty, "." or ".." parts: it stays inside
// the data directory.
func plainRelative(path string) bool {
	if path == "" || strings.ContainsRune(path, 0) {
		return false
	}
	for _, part := range strings.Split(path, "/") {
		if part == "" || part == "." || part == ".." {
			return false
		}
	}
	return true
}

func (m *manifest) table(name string) *tableEntry {
	for t := range m.Tables {
		if m.Tables[t].Name == name {
			return &m.Tables[t]
		}
	}
	return nil
}

func (t *tableEntry) column(name string) *columnEntry {
	for c := range t.Columns {
		if t.Columns[c].Name == name {
			return &t.Columns[c]
		}
	}
	return nil
}
