package cachetest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"claimbench/sync_engine/readstates"
)

// runMainVariable, set to 1, makes a test binary run as the program itself (TestMain).
const runMainVariable = "READ_STATES_TEST_RUN_MAIN"

// TestMain is a program's TestMain: it lets RunProgram's tests run the test binary as the program (the
// os/exec tests' pattern), so exit statuses, signals and marks are those of a real process.
func TestMain(m *testing.M, programMain func()) {
	if os.Getenv(runMainVariable) == "1" {
		programMain()
		return
	}
	os.Exit(m.Run())
}

// Command makes the program under test a child process with these arguments.
type Command func(args ...string) *exec.Cmd

// TestBinary is the test binary as the program (see TestMain), its marks on stderr (CLAIMBENCH_MARK_FD=2).
func TestBinary(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), runMainVariable+"=1", "CLAIMBENCH_MARK_FD=2")
	return cmd
}

// RunProgram runs `serve`'s end-to-end tests on the program command starts (TestBinary, or a program's
// own equivalent): exit statuses and error lines for bad input, and a real service answering over TCP,
// through `ready`, SIGTERM and its exit report.
func RunProgram(t *testing.T, command Command) {
	t.Run("BadInputExitsTwoWithOneLine", func(t *testing.T) { badInputExitsTwo(t, command) })
	t.Run("ServesAndExitsCleanlyOnSigterm", func(t *testing.T) { servesAndExitsCleanly(t, command) })
}

func badInputExitsTwo(t *testing.T, command Command) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	cases := map[string][]string{
		"":                              {},
		"unknown command":               {"frobnicate"},
		"--entries is required":         {"serve", "--listen", "127.0.0.1:0"},
		"--threads wants":               {"serve", "--listen", "127.0.0.1:0", "--entries", "10", "--threads", "-1"},
		"cannot listen":                 {"serve", "--listen", busy.Addr().String(), "--entries", "10"},
		"cannot create the backing tab": {"serve", "--listen", "127.0.0.1:0", "--entries", "10", "--backing", "/nonexistent/dir/table"},
	}
	for want, args := range cases {
		cmd := command(args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		line := strings.TrimSuffix(stderr.String(), "\n")
		if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 2 || strings.Contains(line, "\n") ||
			!strings.HasPrefix(line, "sync_engine: error: ") || !strings.Contains(line, want) {
			t.Errorf("%v: %v, stderr %q; want exit 2 and one line with %q", args, err, stderr.String(), want)
		}
	}
}

func request(op readstates.Op, key readstates.Key, message uint64) []byte {
	f := make([]byte, readstates.FrameBytes)
	f[0] = byte(op)
	binary.LittleEndian.PutUint64(f[8:], key.User)
	binary.LittleEndian.PutUint64(f[16:], key.Channel)
	binary.LittleEndian.PutUint64(f[24:], message)
	return f
}

func servesAndExitsCleanly(t *testing.T, command Command) {
	free, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := free.Addr().String()
	free.Close()
	cmd := command("serve", "--listen", address, "--entries", "100", "--keys", "1000", "--write-back-ms", "1")
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := bufio.NewScanner(stderr)
	for lines.Scan() && !strings.HasPrefix(lines.Text(), "ready ") {
	}
	go io.Copy(io.Discard, stderr) // the GC trace of go_discord, say
	conn, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatalf("no service after ready: %v", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))

	key := readstates.Key{User: 5, Channel: 3}
	initial := readstates.InitialState(key)
	var pipelined []byte
	pipelined = append(pipelined, request(readstates.OpGet, key, 0)...)
	pipelined = append(pipelined, request(readstates.OpMention, key, 0)...)
	pipelined = append(pipelined, request(readstates.OpGet, readstates.Key{User: 1000, Channel: 0}, 0)...) // outside
	pipelined = append(pipelined, request(readstates.OpAck, key, initial.LastReadMessageID+1)...)
	conn.Write(pipelined[:45]) // a frame split across writes
	time.Sleep(20 * time.Millisecond)
	conn.Write(pipelined[45:])
	want := readstates.AppendResponse(nil, readstates.StatusOK, 1, key, initial)
	want = readstates.AppendResponse(want, readstates.StatusOK, 3, key, readstates.State{LastReadMessageID: initial.LastReadMessageID, MentionCount: 8})
	want = readstates.AppendResponse(want, readstates.StatusOutOfRange, 1, readstates.Key{}, readstates.State{})
	want = readstates.AppendResponse(want, readstates.StatusOK, 2, key, readstates.State{LastReadMessageID: initial.LastReadMessageID + 1})
	got := make([]byte, len(want))
	if _, err := io.ReadFull(conn, got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("answers %v (%v)\nwant %v", got, err, want)
	}
	// Every other key, so the one changed above is evicted and written back, then reloaded.
	for k := range uint64(1000) {
		conn.Write(request(readstates.OpGet, readstates.KeyOfIndex(k), 0))
	}
	io.ReadFull(conn, make([]byte, 1000*readstates.FrameBytes))
	conn.Write(request(readstates.OpGet, key, 0))
	want = readstates.AppendResponse(nil, readstates.StatusOK, 1, key, readstates.State{LastReadMessageID: initial.LastReadMessageID + 1})
	if _, err := io.ReadFull(conn, got[:32]); err != nil || !bytes.Equal(got[:32], want) {
		t.Fatalf("after eviction: %v (%v), want %v", got[:32], err, want)
	}
	// A malformed frame: its error frame, then the connection closes.
	conn.Write(request(7, key, 0))
	if _, err := io.ReadFull(conn, got[:32]); err != nil || !bytes.Equal(got[:32], append([]byte{1, 7}, make([]byte, 30)...)) {
		t.Fatalf("malformed frame answered %v (%v)", got[:32], err)
	}
	if n, err := conn.Read(got); n != 0 || err == nil {
		t.Fatalf("the connection stayed open after a malformed frame: %d bytes, %v", n, err)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("after SIGTERM: %v", err)
	}
	var report map[string]uint64
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil || report["requests"] != 1004 ||
		report["keys"] != 1000 || report["entries"] > 100 || report["written_back"] == 0 || report["evictions"] == 0 {
		t.Errorf("exit report %q (%v)", stdout.String(), err)
	}
}
