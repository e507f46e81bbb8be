package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// marks writes the mark protocol's lines (docs/implementation_protocol.md): "<name> <CLOCK_MONOTONIC
// ns>\n", one write(2) each, to the descriptor named by CLAIMBENCH_MARK_FD. A nil *marks writes nothing
// (the program is run by hand). Safe for concurrent use: each mark is one write shorter than PIPE_BUF.
type marks struct {
	pipe *os.File // kept reachable: the garbage collector closes unreachable Files
}

func marksFromEnv() *marks {
	fd, err := strconv.Atoi(os.Getenv("CLAIMBENCH_MARK_FD"))
	if err != nil || fd < 0 {
		return nil
	}
	return &marks{pipe: os.NewFile(uintptr(fd), "claimbench-marks")}
}

// mark writes name stamped now. Errors are ignored: a mark is advisory.
func (m *marks) mark(name string) {
	m.write(name, monotonicNs())
}

// markBackdated writes name stamped ago before now: the backdate-done lie of SPEC.md, nothing honest.
func (m *marks) markBackdated(name string, ago time.Duration) {
	m.write(name, monotonicNs()-ago.Nanoseconds())
}

func (m *marks) write(name string, ns int64) {
	if m == nil {
		return
	}
	_, _ = m.pipe.WriteString(fmt.Sprintf("%s %d\n", name, ns))
}

// monotonicNs reads CLOCK_MONOTONIC, the clock the harness stamps marks with.
func monotonicNs() int64 {
	var now unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &now); err != nil {
		return 0 // cannot happen on Linux; a zero stamp is refused by the harness, which then uses the arrival
	}
	return now.Nano()
}
