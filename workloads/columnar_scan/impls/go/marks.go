package main

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// markPipe is where the mark protocol's lines go (docs/implementation_protocol.md): the descriptor named
// by CLAIMBENCH_MARK_FD, or nil when the program is run by hand. A package variable keeps the File
// reachable, so the garbage collector never closes it.
var markPipe = openMarkPipe()

func openMarkPipe() *os.File {
	fd, err := strconv.Atoi(os.Getenv("CLAIMBENCH_MARK_FD"))
	if err != nil || fd < 0 {
		return nil
	}
	return os.NewFile(uintptr(fd), "claimbench-marks")
}

// mark writes "<name> <CLOCK_MONOTONIC ns>\n" in one write(2). Errors are ignored: a mark is advisory.
// Safe for concurrent use (one write shorter than PIPE_BUF).
func mark(name string) {
	if markPipe == nil {
		return
	}
	var now unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &now) != nil {
		return
	}
	_, _ = markPipe.WriteString(name + " " + strconv.FormatInt(now.Nano(), 10) + "\n")
}
