package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the tests run this test binary as the null program itself (the os/exec tests' pattern), so
// that exit statuses, signals and marks are tested on a real process.
func TestMain(m *testing.M) {
	if os.Getenv("NULL_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// command returns the null program as a child process; marks go to its stderr (CLAIMBENCH_MARK_FD=2).
func command(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "NULL_TEST_RUN_MAIN=1", "CLAIMBENCH_MARK_FD=2")
	return cmd
}

type mark struct {
	name string
	ns   int64
}

func parseMarks(stderr string) []mark {
	var marks []mark
	for _, line := range strings.Split(stderr, "\n") {
		name, ns, ok := strings.Cut(line, " ")
		if n, err := strconv.ParseInt(ns, 10, 64); ok && err == nil {
			marks = append(marks, mark{name, n})
		}
	}
	return marks
}

func names(marks []mark) string {
	var out []string
	for _, m := range marks {
		out = append(out, m.name)
	}
	return strings.Join(out, ",")
}

// runNull runs the program to completion; returns stdout, the marks and the exit status.
func runNull(t *testing.T, args ...string) (string, []mark, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := command(args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running null %v: %v", args, err)
	}
	return stdout.String(), parseMarks(stderr.String()), cmd.ProcessState.ExitCode()
}

func TestBatchPrintsTheKnownAnswersBetweenReadyAndDone(t *testing.T) {
	for units, want := range map[string]string{"0": "0000000000000000", "1": "e220a8397b1dcdaf", "3": "52b7c1282f0cb818"} {
		out, marks, status := runNull(t, "batch", "--work-units", units)
		if status != 0 || out != "checksum "+want+"\n" {
			t.Errorf("batch --work-units %s: status %d, output %q", units, status, out)
		}
		if names(marks) != "ready,done" || marks[0].ns > marks[1].ns {
			t.Errorf("marks %v, want ready then done", marks)
		}
	}
}

func TestWithoutTheVariableNoMarksAreWritten(t *testing.T) {
	var stdout, stderr bytes.Buffer
	status := run([]string{"batch", "--work-units", "1"}, &stdout, &stderr)
	if status != 0 || stdout.String() != "checksum e220a8397b1dcdaf\n" || stderr.Len() != 0 {
		t.Errorf("status %d, stdout %q, stderr %q", status, stdout.String(), stderr.String())
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{}, {"batch"}, {"batch", "--work-units", "-1"}, {"batch", "--work-units", "abc"},
		{"batch", "--work-units", "1", "--fault", "nosuch"}, {"batch", "--work-units", "1", "--frobnicate", "1"},
		{"batch", "--work-units", "1", "extra"}, {"serve", "--listen", "nohostport"},
		{"serve", "--listen", "127.0.0.1:0"}, {"serve"}, {"nosuch"},
	} {
		var stdout, stderr bytes.Buffer
		if status := run(args, &stdout, &stderr); status != 2 || stdout.Len() != 0 {
			t.Errorf("null %v: status %d, stdout %q; want 2 and nothing", args, status, stdout.String())
		}
		if !strings.HasPrefix(stderr.String(), "null: ") {
			t.Errorf("null %v: stderr %q does not open with one error line", args, stderr.String())
		}
	}
}

func TestFaultsMisbehaveAsTheSpecSays(t *testing.T) {
	if out, _, _ := runNull(t, "batch", "--work-units", "1", "--fault", "wrong-answer"); out != "checksum e220a8397b1dcdae\n" {
		t.Errorf("wrong-answer printed %q", out)
	}
	if _, marks, status := runNull(t, "batch", "--work-units", "1", "--fault", "exit-code"); status != 3 || names(marks) != "ready,done" {
		t.Errorf("exit-code: status %d, marks %v", status, marks)
	}
	var stderr bytes.Buffer
	cmd := command("batch", "--work-units", "1", "--fault", "crash")
	cmd.Stderr = &stderr
	_ = cmd.Run()
	if cmd.ProcessState.ExitCode() != 2 || !strings.Contains(stderr.String(), "signal SIGSEGV") {
		t.Errorf("crash: status %d, stderr %q", cmd.ProcessState.ExitCode(), stderr.String())
	}
}

func TestHangSleepsAfterReady(t *testing.T) {
	cmd, marks := start(t, "batch", "--work-units", "1", "--fault", "hang")
	if m := <-marks; m.name != "ready" {
		t.Fatalf("first mark %v", m)
	}
	time.Sleep(200 * time.Millisecond)
	if cmd.ProcessState != nil {
		t.Fatal("hang exited")
	}
}

func TestTheTimingLiesWriteTheirMarksOutOfPlaceButAnswerRight(t *testing.T) {
	const answer = "checksum 52b7c1282f0cb818\n"
	if out, marks, _ := runNull(t, "batch", "--work-units", "3", "--fault", "done-first"); out != answer || names(marks) != "done,ready" {
		t.Errorf("done-first: %q, marks %v", out, marks)
	}
	if out, marks, _ := runNull(t, "batch", "--work-units", "3", "--fault", "work-after-done"); out != answer || names(marks) != "ready,done" {
		t.Errorf("work-after-done: %q, marks %v", out, marks)
	}
	began := time.Now()
	out, marks, _ := runNull(t, "batch", "--work-units", "3", "--fault", "backdate-done")
	if time.Since(began) < 150*time.Millisecond || out != answer || names(marks) != "ready,done" {
		t.Fatalf("backdate-done: %q, marks %v after %v", out, marks, time.Since(began))
	}
	if claimed := time.Duration(marks[1].ns - marks[0].ns); claimed < 50*time.Millisecond || claimed > 140*time.Millisecond {
		t.Errorf("backdate-done claims a window of %v, want 150 ms less 100 ms", claimed)
	}
}

// start runs the program in the background, stopped when the test ends; its marks arrive on the channel.
func start(t *testing.T, args ...string) (*exec.Cmd, <-chan mark) {
	t.Helper()
	cmd := command(args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	marks := make(chan mark, 16)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			for _, m := range parseMarks(lines.Text()) {
				marks <- m
			}
		}
		close(marks)
	}()
	return cmd, marks
}

// startService runs null serve on a free port and waits for its ready mark.
func startService(t *testing.T, delayMs string) (*exec.Cmd, string) {
	t.Helper()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	cmd, marks := start(t, "serve", "--listen", addr, "--delay-ms", delayMs)
	select {
	case m := <-marks:
		if m.name != "ready" {
			t.Fatalf("first mark %v", m)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no ready mark")
	}
	return cmd, addr
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn
}

func roundTrip(t *testing.T, conn net.Conn, line string) string {
	t.Helper()
	if _, err := io.WriteString(conn, line); err != nil {
		t.Fatal(err)
	}
	answer := make([]byte, len(line))
	if _, err := io.ReadFull(conn, answer); err != nil {
		t.Fatal(err)
	}
	return string(answer)
}

func TestServeEchoesLinesByteForByteAndExits0OnSIGTERM(t *testing.T) {
	cmd, addr := startService(t, "0")
	a, b := dial(t, addr), dial(t, addr)
	long := strings.Repeat("x", 60000) + "\n"
	for _, c := range []struct {
		conn net.Conn
		line string
	}{{a, "hello\n"}, {b, "\x00\xff binary \r\n"}, {a, long}, {b, "one\ntwo\n"}} {
		if got := roundTrip(t, c.conn, c.line); got != c.line {
			t.Errorf("sent %q..., got %q...", c.line[:min(len(c.line), 20)], got[:min(len(got), 20)])
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(time.Second):
		t.Error("still running 1 s after SIGTERM")
	}
}

func TestALineOver64KiBClosesOnlyItsConnection(t *testing.T) {
	_, addr := startService(t, "0")
	good, bad := dial(t, addr), dial(t, addr)
	_, _ = bad.Write(bytes.Repeat([]byte("y"), 70*1024))
	if rest, _ := io.ReadAll(bad); len(rest) != 0 {
		t.Errorf("got %d bytes back for an over-long line", len(rest))
	}
	if got := roundTrip(t, good, "still here\n"); got != "still here\n" {
		t.Errorf("got %q", got)
	}
}

func TestADelayedResponseDoesNotHoldUpOtherConnections(t *testing.T) {
	_, addr := startService(t, "300")
	a, b := dial(t, addr), dial(t, addr)
	began := time.Now()
	_, _ = io.WriteString(a, "a\n")
	_, _ = io.WriteString(b, "b\n")
	answer := make([]byte, 2)
	_, _ = io.ReadFull(a, answer)
	_, _ = io.ReadFull(b, answer)
	if elapsed := time.Since(began); elapsed < 290*time.Millisecond || elapsed > 550*time.Millisecond {
		t.Errorf("two delayed answers took %v, want about 300 ms (in parallel)", elapsed)
	}
}

func TestScanLinesKeepsEveryByte(t *testing.T) {
	for _, c := range []struct {
		data         string
		atEOF        bool
		advance      int
		token        string
		finalOrError bool
	}{
		{"ab\r\ncd", false, 4, "ab\r\n", false},
		{"abc", false, 0, "", false},
		{"abc", true, 3, "", true},
		{"", true, 0, "", false},
	} {
		advance, token, err := scanLinesKeepingNewline([]byte(c.data), c.atEOF)
		if advance != c.advance || string(token) != c.token || (err != nil) != c.finalOrError {
			t.Errorf("%q atEOF=%v: advance %d token %q err %v", c.data, c.atEOF, advance, token, err)
		}
	}
}
