package readstates

import (
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
