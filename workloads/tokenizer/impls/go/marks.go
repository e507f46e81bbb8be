package main

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// marks writes the protocol's marks (docs/implementation_protocol.md): "<name> <CLOCK_MONOTONIC ns>\n" in
// one write(2) to the descriptor in CLAIMBENCH_MARK_FD. A nil *marks (run by hand) writes nothing.
type marks struct {
	pipe *os.File // held so that the garbage collector does not close the descriptor
}

func marksFromEnv() *marks {
	fd, err := strconv.Atoi(os.Getenv("CLAIMBENCH_MARK_FD"))
	if err != nil || fd < 0 {
		return nil
	}
	return &marks{pipe: os.NewFile(uintptr(fd), "claimbench-marks")}
}

// mark writes name stamped now; a failed write is ignored (the harness reports missing marks itself).
func (m *marks) mark(name string) {
	if m == nil {
		return
	}
	line := strconv.AppendInt([]byte(name+" "), monotonicNs(), 10)
	_, _ = m.pipe.Write(append(line, '\n'))
}

// monotonicNs reads CLOCK_MONOTONIC, the clock the harness stamps its own events with; Go's runtime
// clock is monotonic too but does not expose its origin.
func monotonicNs() int64 {
	var now unix.Timespec
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &now) != nil {
		return 0 // cannot happen on Linux; the harness refuses a zero stamp
	}
	return now.Nano()
}
