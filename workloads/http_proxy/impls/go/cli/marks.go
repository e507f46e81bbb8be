package cli

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// markFD is the descriptor named by CLAIMBENCH_MARK_FD (docs/implementation_protocol.md), or -1 when the
// program runs by hand and writes no marks.
var markFD = func() int {
	fd, err := strconv.Atoi(os.Getenv("CLAIMBENCH_MARK_FD"))
	if err != nil || fd < 0 {
		return -1
	}
	return fd
}()

// Mark writes "<name> <CLOCK_MONOTONIC ns>\n" in one write(2), so the harness can use the stamp. The
// descriptor is written with unix.Write rather than through an *os.File, which the garbage collector
// would close once unreachable. Errors are ignored: a mark is advisory. Safe for concurrent use.
func Mark(name string) {
	if markFD < 0 {
		return
	}
	var now unix.Timespec
	stamp := ""
	if unix.ClockGettime(unix.CLOCK_MONOTONIC, &now) == nil {
		stamp = " " + strconv.FormatInt(now.Nano(), 10)
	}
	_, _ = unix.Write(markFD, []byte(name+stamp+"\n"))
}
