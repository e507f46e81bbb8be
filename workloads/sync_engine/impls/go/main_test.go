package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"claimbench/sync_engine/readstates/cachetest"
)

// TestMain lets the tests run this test binary as the sync_engine program itself (the os/exec tests'
// pattern), so exit statuses, marks and stores are tested on real processes.
func TestMain(m *testing.M) {
	if os.Getenv("SYNC_ENGINE_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// programCommand is the test binary as the program (see TestMain); marks go to its stderr
// (CLAIMBENCH_MARK_FD=2).
func programCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "SYNC_ENGINE_TEST_RUN_MAIN=1", "CLAIMBENCH_MARK_FD=2")
	return cmd
}

// runCLI runs the program and returns what it printed and its exit status.
func runCLI(args ...string) (stdout, stderr string, code int) {
	cmd := programCommand(args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code = 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		code = -1
	}
	return out.String(), errOut.String(), code
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	return out
}

func syncCLI(t *testing.T, local, store string, extra ...string) map[string]any {
	t.Helper()
	args := append([]string{"sync", "--local", local, "--remote", store, "--min", "2K", "--avg", "8K", "--max", "64K"}, extra...)
	out := strings.Split(strings.TrimSpace(mustRun(t, args...)), "\n")
	var stats map[string]any
	if err := json.Unmarshal([]byte(out[len(out)-1]), &stats); err != nil {
		t.Fatal(err)
	}
	return stats
}

// snapshot maps every regular file under dir (.claimsync/ left out) to its content.
func snapshot(t *testing.T, dir string) map[string]string {
	paths, err := regularFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		files[p] = string(data)
	}
	return files
}

func restored(t *testing.T, store, out string) map[string]string {
	os.RemoveAll(out)
	mustRun(t, "restore", "--remote", store, "--out", out)
	return snapshot(t, out)
}

func write(t *testing.T, path, content string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o666); err != nil {
		t.Fatal(err)
	}
}

func randomBytes(seed uint64, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(splitMix64(&seed))
	}
	return string(b)
}

func TestChunkCLIPrintsTheGoldenBoundariesBetweenMarks(t *testing.T) {
	input := filepath.Join(t.TempDir(), "golden.bin")
	if err := os.WriteFile(input, goldenInput(), 0o666); err != nil {
		t.Fatal(err)
	}
	golden, _ := os.ReadFile("../../data/chunks_min2k_avg8k_max64k_sha256.txt")
	out, errOut, code := runCLI("chunk", "--input", input, "--min", "2K", "--avg=8K", "--max", "64K", "--mode", "chunk+hash", "--threads", "2")
	if code != 0 || out != string(golden) {
		t.Fatalf("exit %d, output differs from the golden file: %s", code, errOut)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		names = append(names, strings.Fields(line)[0])
	}
	if fmt.Sprint(names) != "[ready done]" {
		t.Errorf("marks: %v", names)
	}
}

func TestSyncRestoreVerifyAndAnIncrementalSync(t *testing.T) {
	dir := t.TempDir()
	local, store := filepath.Join(dir, "local"), filepath.Join(dir, "store")
	big := randomBytes(5, 300_000)
	write(t, filepath.Join(local, "a/big.bin"), big)
	write(t, filepath.Join(local, "a/copy.bin"), big)
	write(t, filepath.Join(local, "b/c/small.txt"), "hello")
	write(t, filepath.Join(local, "empty"), "")
	stats := syncCLI(t, local, store, "--threads", "2", "--fsync")
	if stats["files_scanned"] != 4.0 || stats["bytes_scanned"] != 600_005.0 || stats["bytes_uploaded"] != 300_005.0 {
		t.Errorf("initial sync: %v (the copy must dedup whole)", stats)
	}
	if !reflect.DeepEqual(restored(t, store, filepath.Join(dir, "out1")), snapshot(t, local)) {
		t.Error("restore differs from the folder")
	}
	if out := mustRun(t, "verify", "--remote", store); !strings.HasPrefix(out, `{"ok": true, "chunks": `) {
		t.Errorf("verify: %s", out)
	}
	// A rename, a move, an insert, a delete and a new file.
	os.Rename(filepath.Join(local, "a/copy.bin"), filepath.Join(local, "a/renamed.bin"))
	os.Rename(filepath.Join(local, "b/c/small.txt"), filepath.Join(local, "a/small.txt"))
	write(t, filepath.Join(local, "a/big.bin"), big[:150_000]+"inserted"+big[150_000:])
	os.Remove(filepath.Join(local, "empty"))
	write(t, filepath.Join(local, "new/file"), "new")
	stats = syncCLI(t, local, store)
	if stats["moved"] != 2.0 || stats["bytes_hashed"] != 300_011.0 || stats["bytes_uploaded"].(float64) > 3*65536 {
		t.Errorf("incremental sync: %v", stats)
	}
	if !reflect.DeepEqual(restored(t, store, filepath.Join(dir, "out2")), snapshot(t, local)) {
		t.Error("restore differs from the folder after the incremental sync")
	}
	again := syncCLI(t, local, store)
	if again["bytes_uploaded"] != 0.0 || again["tree_hash"] != stats["tree_hash"] {
		t.Errorf("a sync with nothing changed: %v", again)
	}
}

func TestTwoReplicasConvergeAndAConflictKeepsBoth(t *testing.T) {
	dir := t.TempDir()
	one, two, store := filepath.Join(dir, "one"), filepath.Join(dir, "two"), filepath.Join(dir, "store")
	write(t, filepath.Join(one, "docs/report.txt"), "first")
	write(t, filepath.Join(one, "keep.txt"), "keep")
	syncCLI(t, one, store)
	syncCLI(t, two, store)
	write(t, filepath.Join(one, "docs/report.txt"), "edited on one")
	write(t, filepath.Join(two, "docs/report.txt"), "edited on two")
	os.Remove(filepath.Join(one, "keep.txt"))
	os.Rename(filepath.Join(two, "keep.txt"), filepath.Join(two, "kept.txt"))
	os.Rename(filepath.Join(two, "docs"), filepath.Join(two, "papers"))
	syncCLI(t, one, store)
	if stats := syncCLI(t, two, store); stats["conflicts"] != 1.0 {
		t.Errorf("conflicts: %v", stats["conflicts"])
	}
	syncCLI(t, one, store)
	got := snapshot(t, one)
	want := map[string]string{"papers/report.txt": "edited on one", "papers/report (conflicted copy two).txt": "edited on two", "kept.txt": "keep"}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(snapshot(t, two), want) || !reflect.DeepEqual(restored(t, store, filepath.Join(dir, "out")), want) {
		t.Errorf("replicas: %v", got)
	}
}

// smallStore makes a store of one pack and returns it and the pack's path.
func smallStore(t *testing.T, dir string) (string, string) {
	store := filepath.Join(dir, "store")
	write(t, filepath.Join(dir, "local/f.bin"), randomBytes(7, 40_000))
	syncCLI(t, filepath.Join(dir, "local"), store)
	packs, _ := os.ReadDir(filepath.Join(store, "packs"))
	return store, filepath.Join(store, "packs", packs[0].Name())
}

func expectCorrupt(t *testing.T, object string, args ...string) {
	t.Helper()
	_, errOut, code := runCLI(args...)
	var line string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.HasPrefix(l, "sync_engine: ") {
			line = l
			break
		}
	}
	if code != 3 || !strings.HasPrefix(line, "sync_engine: corrupt: "+object) {
		t.Errorf("%v: exit %d, %q (want 3 naming %s)", args, code, errOut, object)
	}
}

func TestCorruptStoresExit3NamingTheObject(t *testing.T) {
	dir := t.TempDir()
	store, pack := smallStore(t, filepath.Join(dir, "flip"))
	data, _ := os.ReadFile(pack)
	data[100] ^= 1
	os.WriteFile(pack, data, 0o666)
	expectCorrupt(t, "packs/"+filepath.Base(pack)+": chunk ", "verify", "--remote", store)
	out := filepath.Join(dir, "out")
	expectCorrupt(t, "packs/", "restore", "--remote", store, "--out", out)
	if list, _ := os.ReadDir(out); len(list) != 0 {
		t.Error("restore left files behind")
	}
	fresh := filepath.Join(dir, "fresh")
	expectCorrupt(t, "packs/", "sync", "--local", fresh, "--remote", store)
	if len(snapshot(t, fresh)) != 0 {
		t.Error("a failed sync wrote user files")
	}

	store, pack = smallStore(t, filepath.Join(dir, "truncate"))
	info, _ := os.Stat(pack)
	os.Truncate(pack, info.Size()-10)
	expectCorrupt(t, "packs/", "verify", "--remote", store)

	store, pack = smallStore(t, filepath.Join(dir, "index"))
	index := filepath.Join(store, "index", filepath.Base(pack))
	text, _ := os.ReadFile(index)
	os.WriteFile(index, []byte(strings.Replace(string(text), " ", "  ", 1)), 0o666)
	expectCorrupt(t, "index/", "verify", "--remote", store)

	store, _ = smallStore(t, filepath.Join(dir, "head"))
	os.WriteFile(filepath.Join(store, "HEAD"), []byte("not a hash\n"), 0o666)
	expectCorrupt(t, "HEAD", "verify", "--remote", store)

	// Corrupt local state: the base record is unreadable.
	store, _ = smallStore(t, filepath.Join(dir, "base"))
	local := filepath.Join(dir, "base/local")
	os.WriteFile(filepath.Join(local, ".claimsync/base.json"), []byte("{not json"), 0o666)
	expectCorrupt(t, ".claimsync/base.json", "sync", "--local", local, "--remote", store)
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "input")
	write(t, f, "abc")
	old := filepath.Join(dir, "old")
	write(t, filepath.Join(old, "format"), "claimbench-sync 3 sha256\n")
	store, _ := smallStore(t, filepath.Join(dir, "s"))
	full := filepath.Join(dir, "full")
	write(t, filepath.Join(full, "x"), "x")
	l := filepath.Join(dir, "l")
	for _, args := range [][]string{
		{}, {"nosuch"}, {"chunk"},
		{"chunk", "--input", f, "--frobnicate", "1"},
		{"chunk", "--input", f, "--mode", "md5"},
		{"chunk", "--input", f, "--hash", "md5"},
		{"chunk", "--input", f, "--avg", "3000"},
		{"chunk", "--input", f, "--min", "64K"},
		{"chunk", "--input", f, "--max", "1X"},
		{"chunk", "--input", f, "--threads", "0"},
		{"chunk", "--input", f, "--threads", "2", "--mode", "chunk"},
		{"chunk", "--input", f, "--input", f},
		{"chunk", "--input", f, "extra"},
		{"chunk", "--input", filepath.Join(dir, "missing")},
		{"sync", "--local", l, "--remote", old},
		{"sync", "--local", l, "--remote", store, "--hash", "fast"},
		{"sync", "--local", l, "--remote", full},
		{"sync", "--local", l, "--remote", filepath.Join(l, "inside")},
		{"sync", "--local", l, "--remote", filepath.Join(dir, "s2"), "--replica", "a/b"},
		{"sync", "--local", f, "--remote", filepath.Join(dir, "s3")},
		{"sync", "--remote", store},
		{"restore", "--remote", store, "--out", full},
		{"restore", "--remote", filepath.Join(dir, "nostore"), "--out", filepath.Join(dir, "o")},
		{"verify", "--remote", old},
	} {
		out, errOut, code := runCLI(args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "sync_engine: error: ") || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

// `serve` (package readstates with the packed cache): the service's end-to-end tests, shared with
// go_discord, on this program.
func TestServe(t *testing.T) { cachetest.RunProgram(t, programCommand) }
