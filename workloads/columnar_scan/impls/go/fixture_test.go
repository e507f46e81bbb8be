package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Small data directories in the claimbench column format (SPEC.md, "Data format") for the end-to-end
// tests: each table's columns as given, a file per column (two for strings) and a manifest with sizes
// and checksums, written last, as the C++ reference's generate does. Only the columns a test needs are
// written; a reader looks columns up by name.

// fixtureColumn is one column: its manifest type and its values ([]int32, []int64, []byte or []string;
// dates as days, money as hundredths).
type fixtureColumn struct {
	name   string
	kind   columnType
	values any
}

type fixtureTable struct {
	name    string
	columns []fixtureColumn
}

func encode(values any) ([][]byte, int) {
	switch values := values.(type) {
	case []int32:
		var out []byte
		for _, v := range values {
			out = binary.LittleEndian.AppendUint32(out, uint32(v))
		}
		return [][]byte{out}, len(values)
	case []int64:
		var out []byte
		for _, v := range values {
			out = binary.LittleEndian.AppendUint64(out, uint64(v))
		}
		return [][]byte{out}, len(values)
	case []byte:
		return [][]byte{append([]byte{}, values...)}, len(values)
	case []string:
		offsets := binary.LittleEndian.AppendUint64(nil, 0)
		var data []byte
		for _, v := range values {
			data = append(data, v...)
			offsets = binary.LittleEndian.AppendUint64(offsets, uint64(len(data)))
		}
		return [][]byte{offsets, data}, len(values)
	}
	panic(fmt.Sprintf("no encoding for %T", values))
}

// writeFixture writes tables into dir (created if missing).
func writeFixture(t *testing.T, dir string, tables []fixtureTable) {
	t.Helper()
	var tableEntries []map[string]any
	for _, table := range tables {
		must(t, os.MkdirAll(filepath.Join(dir, table.name), 0o755))
		rows := -1
		var columnEntries []map[string]any
		for _, column := range table.columns {
			contents, n := encode(column.values)
			if rows >= 0 && n != rows {
				t.Fatalf("%s.%s has %d rows, not %d", table.name, column.name, n, rows)
			}
			rows = n
			extensions := []string{"bin"}
			if column.kind == typeString {
				extensions = []string{"offsets", "bytes"}
			}
			var files []map[string]any
			for f, data := range contents {
				path := table.name + "/" + column.name + "." + extensions[f]
				must(t, os.WriteFile(filepath.Join(dir, path), data, 0o644))
				files = append(files, map[string]any{"path": path, "bytes": len(data), "checksum": fmt.Sprintf("%016x", checksum64(data))})
			}
			columnEntries = append(columnEntries, map[string]any{"name": column.name, "type": column.kind, "files": files})
		}
		tableEntries = append(tableEntries, map[string]any{"name": table.name, "rows": max(rows, 0), "columns": columnEntries})
	}
	writeManifest(t, dir, map[string]any{"format": "claimbench-columnar", "version": 1, "scale_factor": "test",
		"generator": "fixture_test.go", "tables": tableEntries})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// readManifest returns dir's manifest as generic JSON, to edit in a test.
func readManifest(t *testing.T, dir string) map[string]any {
	t.Helper()
	text, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	must(t, err)
	var m map[string]any
	must(t, json.Unmarshal(text, &m))
	return m
}

func writeManifest(t *testing.T, dir string, m map[string]any) {
	t.Helper()
	text, err := json.Marshal(m)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "manifest.json"), text, 0o644))
}

// manifestColumn is table.column's entry in m.
func manifestColumn(m map[string]any, table, column string) map[string]any {
	for _, te := range m["tables"].([]any) {
		if te := te.(map[string]any); te["name"] == table {
			for _, ce := range te["columns"].([]any) {
				if ce := ce.(map[string]any); ce["name"] == column {
					return ce
				}
			}
		}
	}
	panic(table + "." + column + " not in the manifest")
}

// day is "YYYY-MM-DD" as days since 1970-01-01.
func day(text string) int32 {
	date, err := time.Parse(time.DateOnly, text)
	if err != nil {
		panic(err)
	}
	return days(date.Year(), date.Month(), date.Day())
}

// hundredths is "12.34" as 1234.
func hundredths(text string) int64 {
	units, fraction, _ := strings.Cut(text, ".")
	u, _ := strconv.ParseInt(units, 10, 64)
	f, _ := strconv.ParseInt(fraction, 10, 64)
	return u*100 + f
}

// handCheckedPath is the ports' shared hand-checked data set (workloads/columnar_scan/data/port_tests/).
const handCheckedPath = "../../data/port_tests/hand_checked.json"

type jsonTable struct {
	Columns []string
	Types   []columnType
	Rows    [][]any
}

type queryAnswer struct{ query, answer string }

// writeHandChecked writes the hand-checked data set into dir and returns its answers, q1, q6, q3, q18.
func writeHandChecked(t *testing.T, dir string) []queryAnswer {
	t.Helper()
	text, err := os.ReadFile(handCheckedPath)
	must(t, err)
	var data struct {
		Lineitem, Orders, Customer jsonTable
		Answers                    map[string]string
	}
	must(t, json.Unmarshal(text, &data))
	writeFixture(t, dir, []fixtureTable{
		tableFromJSON("lineitem", data.Lineitem), tableFromJSON("orders", data.Orders), tableFromJSON("customer", data.Customer),
	})
	var answers []queryAnswer
	for _, name := range []string{"q1", "q6", "q3", "q18"} {
		answers = append(answers, queryAnswer{name, data.Answers[name]})
	}
	return answers
}

// tableFromJSON types a table whose rows hold values as TPC-H prints them.
func tableFromJSON(name string, table jsonTable) fixtureTable {
	result := fixtureTable{name: name}
	for field, column := range table.Columns {
		var values any
		switch kind := table.Types[field]; kind {
		case typeInt32:
			values = jsonColumn(table.Rows, field, func(v any) int32 { return int32(v.(float64)) })
		case typeInt64:
			values = jsonColumn(table.Rows, field, func(v any) int64 { return int64(v.(float64)) })
		case typeDecimal:
			values = jsonColumn(table.Rows, field, func(v any) int64 { return hundredths(v.(string)) })
		case typeDate:
			values = jsonColumn(table.Rows, field, func(v any) int32 { return day(v.(string)) })
		case typeChar:
			values = jsonColumn(table.Rows, field, func(v any) byte { return v.(string)[0] })
		case typeString:
			values = jsonColumn(table.Rows, field, func(v any) string { return v.(string) })
		default:
			panic("type " + kind)
		}
		result.columns = append(result.columns, fixtureColumn{column, table.Types[field], values})
	}
	return result
}

func jsonColumn[V any](rows [][]any, field int, value func(any) V) []V {
	values := make([]V, len(rows))
	for i, row := range rows {
		values[i] = value(row[field])
	}
	return values
}
