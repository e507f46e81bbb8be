package readstates

import (
	"io"
	"os"
	"strings"
	"testing"
)

func TestCheckMemoryRefusesWhatTheMachineCannotHold(t *testing.T) {
	if err := checkMemory(1000, 40, 1<<20); err != nil {
		t.Errorf("40 kB refused on a 1 MiB machine: %v", err)
	}
	if err := checkMemory(1<<20, 40, 1<<20); err == nil || !strings.Contains(err.Error(), "lower --entries") {
		t.Errorf("40 MiB on a 1 MiB machine: %v", err)
	}
	if err := checkMemory(1<<30, 40, 0); err != nil {
		t.Errorf("refused with the machine's memory unknown: %v", err)
	}
}

// A service-only program (Main) refuses the batch commands with a usage error that says where they are.
func TestMainRefusesTheBatchCommands(t *testing.T) {
	for _, command := range []string{"sync", "restore", "verify", "chunk"} {
		status, stderr := mainWithStderr(t, command, "--remote", "x")
		if status != exitUsage || !strings.Contains(stderr, command+" is not implemented here") {
			t.Errorf("%s: exit %d, stderr %q; want exit %d saying it is not implemented here", command, status, stderr, exitUsage)
		}
	}
}

// mainWithStderr runs Main with args and returns its exit status and what it wrote to stderr.
func mainWithStderr(t *testing.T, args ...string) (int, string) {
	t.Helper()
	reader, writer, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = writer
	status := Main(args, Program{})
	os.Stderr = saved
	writer.Close()
	text, _ := io.ReadAll(reader)
	return status, string(text)
}
