package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// End-to-end tests of the program, run as the harness runs it: every query's answer on a small
// hand-checked data directory, the same answers on every thread count over several morsels, the marks,
// and every kind of broken input as exit status 2 with one line on stderr and nothing on stdout.

// TestMain lets the tests run this test binary as the program itself (the os/exec tests' pattern), so
// that exit statuses and marks are tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("COLUMNAR_SCAN_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type result struct {
	stdout, stderr string
	status         int
}

// runProgram runs the program with marks on its stderr (CLAIMBENCH_MARK_FD=2).
func runProgram(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "COLUMNAR_SCAN_TEST_RUN_MAIN=1", "CLAIMBENCH_MARK_FD=2")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	if exit, ok := err.(*exec.ExitError); ok {
		status = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{stdout.String(), stderr.String(), status}
}

func runQueryArgs(t *testing.T, data, name string, threads int) result {
	t.Helper()
	return runProgram(t, "query", "--data", data, "--query", name, "--threads", strconv.Itoa(threads))
}

// answer runs a query that must succeed and returns its stdout.
func answer(t *testing.T, data, name string, threads int) string {
	t.Helper()
	r := runQueryArgs(t, data, name, threads)
	if r.status != 0 {
		t.Fatalf("%s on %d threads: status %d: %s", name, threads, r.status, r.stderr)
	}
	return r.stdout
}

// line is one lineitem row, money in hundredths and the ship date in days.
type line struct {
	orderkey, quantity, price, discount, tax int64
	flag, status                             byte
	shipdate                                 int32
}

type order struct {
	orderkey                         int64
	custkey, orderdate, shippriority int32
	totalprice                       int64
}

type customer struct {
	custkey int32
	segment string
}

func column[R, V any](rows []R, field func(R) V) []V {
	values := make([]V, len(rows))
	for i, row := range rows {
		values[i] = field(row)
	}
	return values
}

func tpchTables(lines []line, orders []order, customers []customer) []fixtureTable {
	return []fixtureTable{
		{"lineitem", []fixtureColumn{
			{"l_orderkey", typeInt64, column(lines, func(l line) int64 { return l.orderkey })},
			{"l_quantity", typeDecimal, column(lines, func(l line) int64 { return l.quantity })},
			{"l_extendedprice", typeDecimal, column(lines, func(l line) int64 { return l.price })},
			{"l_discount", typeDecimal, column(lines, func(l line) int64 { return l.discount })},
			{"l_tax", typeDecimal, column(lines, func(l line) int64 { return l.tax })},
			{"l_returnflag", typeChar, column(lines, func(l line) byte { return l.flag })},
			{"l_linestatus", typeChar, column(lines, func(l line) byte { return l.status })},
			{"l_shipdate", typeDate, column(lines, func(l line) int32 { return l.shipdate })},
		}},
		{"orders", []fixtureColumn{
			{"o_orderkey", typeInt64, column(orders, func(o order) int64 { return o.orderkey })},
			{"o_custkey", typeInt32, column(orders, func(o order) int32 { return o.custkey })},
			{"o_orderdate", typeDate, column(orders, func(o order) int32 { return o.orderdate })},
			{"o_totalprice", typeDecimal, column(orders, func(o order) int64 { return o.totalprice })},
			{"o_shippriority", typeInt32, column(orders, func(o order) int32 { return o.shippriority })},
		}},
		{"customer", []fixtureColumn{
			{"c_custkey", typeInt32, column(customers, func(c customer) int32 { return c.custkey })},
			{"c_name", typeString, column(customers, func(c customer) string { return fmt.Sprintf("Customer#%09d", c.custkey) })},
			{"c_mktsegment", typeString, column(customers, func(c customer) string { return c.segment })},
		}},
	}
}

func TestEveryQueryPrintsTheHandCheckedAnswerBetweenReadyAndDone(t *testing.T) {
	dir := t.TempDir()
	answers := writeHandChecked(t, dir)
	if len(answers) != 4 {
		t.Fatalf("%d answers", len(answers))
	}
	for _, tc := range answers {
		for _, threads := range []int{1, 2} {
			r := runQueryArgs(t, dir, tc.query, threads)
			if r.status != 0 || r.stdout != tc.answer {
				t.Errorf("%s on %d threads: status %d\n%s\nwant\n%s\n%s", tc.query, threads, r.status, r.stdout, tc.answer, r.stderr)
			}
			var names []string
			var stamps []int64
			for _, markLine := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
				name, ns, _ := strings.Cut(markLine, " ")
				stamp, err := strconv.ParseInt(ns, 10, 64)
				if err != nil {
					t.Fatalf("not a mark: %q", markLine)
				}
				names, stamps = append(names, name), append(stamps, stamp)
			}
			if strings.Join(names, ",") != "ready,done" || stamps[0] > stamps[1] {
				t.Errorf("%s: marks %v %v", tc.query, names, stamps)
			}
		}
	}
}

func TestWithoutTheVariableNoMarksAreWritten(t *testing.T) {
	dir := t.TempDir()
	writeHandChecked(t, dir)
	cmd := exec.Command(os.Args[0], "query", "--data", dir, "--query", "q6")
	cmd.Env = append(os.Environ(), "COLUMNAR_SCAN_TEST_RUN_MAIN=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stdout.String() != "revenue\n225.50\n" || stderr.Len() != 0 {
		t.Errorf("%v %q %q", err, stdout.String(), stderr.String())
	}
}

// splitMix64 is a seeded stream of values for the larger data set.
type splitMix64 uint64

func (s *splitMix64) below(bound uint64) uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return (z ^ (z >> 31)) % bound
}

// writeRandom writes TPC-H-shaped data (its domains, not its distributions) over several morsels of
// lineitem, so that goroutines share the work; orders' lines are shuffled over the table.
func writeRandom(t *testing.T, orderCount int) string {
	random := splitMix64(7)
	const customerCount = 300
	segments := []string{"AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"}
	firstDay := days(1992, 1, 1)
	var orders []order
	var lines []line
	for o := range int64(orderCount) {
		orderkey := (o/8)*32 + o%8 + 1
		orderdate := firstDay + int32(random.below(2400))
		orders = append(orders, order{orderkey, 1 + int32(random.below(customerCount)), orderdate, 0, 1 + int64(random.below(50_000_000))})
		for range 1 + random.below(7) {
			shipdate := orderdate + 1 + int32(random.below(121))
			quantity := 100 * (1 + int64(random.below(50)))
			flag, status := "AR"[random.below(2)], byte('F')
			if shipdate > days(1995, 6, 17) {
				flag, status = 'N', 'O'
			}
			lines = append(lines, line{orderkey, quantity, quantity * (900 + int64(random.below(1200))),
				int64(random.below(11)), int64(random.below(9)), flag, status, shipdate})
		}
	}
	for i := len(lines) - 1; i > 0; i-- {
		j := random.below(uint64(i) + 1)
		lines[i], lines[j] = lines[j], lines[i]
	}
	var customers []customer
	for c := int32(1); c <= customerCount; c++ {
		customers = append(customers, customer{c, segments[random.below(5)]})
	}
	dir := t.TempDir()
	writeFixture(t, dir, tpchTables(lines, orders, customers))
	return dir
}

func TestEveryThreadCountGivesTheSameAnswerOverManyMorsels(t *testing.T) {
	dir := writeRandom(t, 60_000) // about 240,000 lines: four morsels of 2^16
	for _, name := range []string{"q1", "q6", "q3", "q18"} {
		one := answer(t, dir, name, 1)
		if strings.Count(one, "\n") < 2 {
			t.Errorf("%s has no rows:\n%s", name, one)
		}
		for _, threads := range []int{2, 3} {
			if got := answer(t, dir, name, threads); got != one {
				t.Errorf("%s on %d threads:\n%s\nwant\n%s", name, threads, got, one)
			}
		}
	}
}

func TestEmptyTablesGiveAHeaderAndNoRows(t *testing.T) {
	dir := t.TempDir()
	writeFixture(t, dir, tpchTables(nil, nil, nil))
	for _, tc := range writeHandChecked(t, t.TempDir()) {
		want := strings.SplitAfter(tc.answer, "\n")[0]
		if tc.query == "q6" {
			want = "revenue\n0.00\n"
		}
		if got := answer(t, dir, tc.query, 2); got != want {
			t.Errorf("%s: %q, want %q", tc.query, got, want)
		}
	}
}

// assertClearError checks the SPEC's error contract: exit 2, one line on stderr naming the problem,
// nothing on stdout. Mark lines (on stderr here) are left out.
func assertClearError(t *testing.T, r result, needle string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n") {
		if !strings.HasPrefix(l, "ready ") && !strings.HasPrefix(l, "done ") {
			lines = append(lines, l)
		}
	}
	if r.status != 2 || r.stdout != "" || len(lines) != 1 ||
		!strings.HasPrefix(lines[0], "columnar_scan: error: ") || !strings.Contains(lines[0], needle) {
		t.Errorf("want exit 2 and one line with %q; got status %d, stdout %q, stderr %q", needle, r.status, r.stdout, r.stderr)
	}
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	dir := t.TempDir()
	writeHandChecked(t, dir)
	for _, tc := range []struct {
		args   []string
		needle string
	}{
		{nil, "subcommand"},
		{[]string{"query", "--data", dir}, "--query"},
		{[]string{"query", "--query", "q1"}, "--data"},
		{[]string{"query", "--data", dir, "--query", "q2"}, "choose one of q1, q6, q3, q18"},
		{[]string{"query", "--data", dir, "--query", "q1", "--threads", "0"}, "--threads"},
		{[]string{"query", "--data", dir, "--query", "q1", "--threads", "many"}, "threads"},
		{[]string{"query", "--data", dir, "--query", "q1", "--threads", "1025"}, "--threads"},
		{[]string{"query", "--data", dir, "--query", "q1", "--frobnicate"}, "frobnicate"},
		{[]string{"query", "--data", dir, "--query", "q1", "extra"}, "extra"},
		{[]string{"generate", "--sf", "1", "--out", dir}, "generate"},
	} {
		assertClearError(t, runProgram(t, tc.args...), tc.needle)
	}
}

// rewriteColumnFile replaces a column's file and its manifest entry (size and checksum), so that only
// a check of the contents can catch it.
func rewriteColumnFile(t *testing.T, dir, table, column string, file int, contents []byte) {
	entry := manifestColumn(readManifest(t, dir), table, column)["files"].([]any)[file].(map[string]any)
	must(t, os.WriteFile(filepath.Join(dir, entry["path"].(string)), contents, 0o644))
	m := readManifest(t, dir)
	entry = manifestColumn(m, table, column)["files"].([]any)[file].(map[string]any)
	entry["bytes"], entry["checksum"] = len(contents), fmt.Sprintf("%016x", checksum64(contents))
	writeManifest(t, dir, m)
}

func offsetsFile(offsets ...uint64) []byte {
	var out []byte
	for _, offset := range offsets {
		out = binary.LittleEndian.AppendUint64(out, offset)
	}
	return out
}

func TestBrokenDataExits2WithOneLineNeverAPanic(t *testing.T) {
	editManifest := func(edit func(m map[string]any)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			m := readManifest(t, dir)
			edit(m)
			writeManifest(t, dir, m)
		}
	}
	firstTable := func(m map[string]any) map[string]any { return m["tables"].([]any)[0].(map[string]any) }
	taxFile := func(m map[string]any) map[string]any {
		return manifestColumn(m, "lineitem", "l_tax")["files"].([]any)[0].(map[string]any)
	}
	for _, tc := range []struct {
		name, query, needle string
		damage              func(t *testing.T, dir string)
	}{
		{"missing_dir", "q1", "cannot read", func(t *testing.T, dir string) { must(t, os.RemoveAll(dir)) }},
		{"no_manifest", "q1", "generate --sf N --out DIR", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "manifest.json")))
		}},
		{"not_json", "q1", "not a valid manifest", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(`{"format": `), 0o644))
		}},
		{"wrong_format", "q1", "format is not", editManifest(func(m map[string]any) { m["format"] = "parquet" })},
		{"wrong_version", "q1", `version "2" is not supported`, editManifest(func(m map[string]any) { m["version"] = 2 })},
		{"missing_rows", "q1", "no plausible rows", editManifest(func(m map[string]any) { delete(firstTable(m), "rows") })},
		{"negative_rows", "q1", "no plausible rows", editManifest(func(m map[string]any) { firstTable(m)["rows"] = -1 })},
		{"unknown_type", "q1", "unknown type", editManifest(func(m map[string]any) {
			manifestColumn(m, "lineitem", "l_tax")["type"] = "float"
		})},
		{"other_type", "q1", "the query needs", editManifest(func(m map[string]any) {
			manifestColumn(m, "lineitem", "l_shipdate")["type"] = "int32"
		})},
		{"rows_disagree", "q6", "rows need", editManifest(func(m map[string]any) { firstTable(m)["rows"] = 1000 })},
		{"bad_checksum_text", "q1", "16 lower-case hex digits", editManifest(func(m map[string]any) { taxFile(m)["checksum"] = "XYZ" })},
		{"escaping_path", "q1", "not a plain relative path", editManifest(func(m map[string]any) { taxFile(m)["path"] = "../../etc/passwd" })},
		{"absolute_path", "q1", "not a plain relative path", editManifest(func(m map[string]any) { taxFile(m)["path"] = "/etc/passwd" })},
		{"missing_column", "q3", "no column orders.o_shippriority", editManifest(func(m map[string]any) {
			for _, te := range m["tables"].([]any) {
				if te := te.(map[string]any); te["name"] == "orders" {
					var kept []any
					for _, c := range te["columns"].([]any) {
						if c.(map[string]any)["name"] != "o_shippriority" {
							kept = append(kept, c)
						}
					}
					te["columns"] = kept
				}
			}
		})},
		{"missing_file", "q6", "cannot open", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "lineitem/l_discount.bin")))
		}},
		{"truncated", "q6", "truncated", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "lineitem/l_extendedprice.bin")
			data, err := os.ReadFile(path)
			must(t, err)
			must(t, os.WriteFile(path, data[:len(data)-3], 0o644))
		}},
		{"corrupt", "q6", "corrupt", func(t *testing.T, dir string) {
			path := filepath.Join(dir, "lineitem/l_quantity.bin")
			data, err := os.ReadFile(path)
			must(t, err)
			data[5] ^= 0x10
			must(t, os.WriteFile(path, data, 0o644))
		}},
		{"directory_for_file", "q6", "lineitem/l_quantity.bin", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "lineitem/l_quantity.bin")))
			must(t, os.Mkdir(filepath.Join(dir, "lineitem/l_quantity.bin"), 0o755))
		}},
		// Offsets with matching checksums, so that only the offsets check can catch them.
		{"offsets_past_the_data", "q18", "offsets of column customer.c_name", func(t *testing.T, dir string) {
			rewriteColumnFile(t, dir, "customer", "c_name", 0, offsetsFile(0, 18, 36, 9999))
		}},
		{"offsets_decreasing", "q18", "offsets of column customer.c_name", func(t *testing.T, dir string) {
			rewriteColumnFile(t, dir, "customer", "c_name", 0, offsetsFile(0, 36, 18, 54))
		}},
		{"offsets_not_from_zero", "q3", "offsets of column customer.c_mktsegment", func(t *testing.T, dir string) {
			rewriteColumnFile(t, dir, "customer", "c_mktsegment", 0, offsetsFile(1, 8, 18, 26))
		}},
		{"flag_outside_the_domain", "q1", "outside A, N, R", func(t *testing.T, dir string) {
			flags, err := os.ReadFile(filepath.Join(dir, "lineitem/l_returnflag.bin"))
			must(t, err)
			flags[0] = 'X'
			rewriteColumnFile(t, dir, "lineitem", "l_returnflag", 0, flags)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeHandChecked(t, dir)
			tc.damage(t, dir)
			assertClearError(t, runProgram(t, "query", "--data", dir, "--query", tc.query), tc.needle)
		})
	}
}
