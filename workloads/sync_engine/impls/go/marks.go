package main

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// marks writes "<name> <CLOCK_MONOTONIC ns>\n" lines, one write(2) each, to the descriptor that
// CLAIMBENCH_MARK_FD names (docs/implementation_protocol.md). A nil *marks writes nothing (the program
// run by hand). Safe for concurrent use: a mark is one write shorter than PIPE_BUF.
type marks struct {
	out *os.File // held so that the garbage collector never closes the descriptor
}

func marksFromEnv() *marks {
	fd, err := strconv.Atoi(os.Getenv("CLAIMBENCH_MARK_FD"))
	if err != nil || fd < 0 {
		return nil
	}
	return &marks{out: os.NewFile(uintptr(fd), "claimbench-marks")}
}

// mark writes name stamped now; a failed write is ignored (marks are advisory).
func (m *marks) mark(name string) {
	if m == nil {
		return
	}
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	_, _ = m.out.WriteString(name + " " + strconv.FormatInt(ts.Nano(), 10) + "\n")
}
