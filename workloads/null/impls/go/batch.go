package main

import (
	"fmt"
	"io"
	"time"
)

// fault is one of SPEC.md's --fault modes: ways to misbehave so that the harness's handling of a broken
// port can be tested on this one. It implements flag.Value.
type fault string

const (
	faultNone          fault = ""
	faultCrash         fault = "crash"           // die from a nil dereference after ready
	faultHang          fault = "hang"            // sleep forever after ready
	faultWrongAnswer   fault = "wrong-answer"    // print a checksum with one bit flipped
	faultExitCode      fault = "exit-code"       // exit 3 after done
	faultOOM           fault = "oom"             // allocate and touch memory without bound
	faultBackdateDone  fault = "backdate-done"   // stamp done 100 ms before it is written
	faultDoneFirst     fault = "done-first"      // write done before ready, then work
	faultWorkAfterDone fault = "work-after-done" // write ready and done back to back, then work
)

var faults = []fault{faultCrash, faultHang, faultWrongAnswer, faultExitCode, faultOOM, faultBackdateDone,
	faultDoneFirst, faultWorkAfterDone}

func (f *fault) String() string { return string(*f) }

func (f *fault) Set(value string) error {
	for _, known := range faults {
		if fault(value) == known {
			*f = known
			return nil
		}
	}
	return fmt.Errorf("unknown fault %q", value)
}

const (
	chunkBytes = 64 << 20
	pageBytes  = 4096
)

// runBatch computes the checksum between the ready and done marks and prints it; returns the exit status.
func runBatch(opts batchOptions, stdout io.Writer, m *marks) int {
	if opts.fault == faultDoneFirst {
		m.mark("done")
	}
	m.mark("ready")
	readyAt := time.Now()
	if opts.fault == faultWorkAfterDone {
		m.mark("done")
	}
	switch opts.fault {
	case faultCrash:
		crash()
	case faultHang:
		select {} // blocks forever; the harness's timeout ends it
	case faultOOM:
		hoardMemory()
	}
	answer := checksum(opts.workUnits)
	if opts.delay > 0 {
		time.Sleep(opts.delay)
	}
	if opts.fault == faultWrongAnswer {
		answer ^= 1
	}
	switch opts.fault {
	case faultBackdateDone:
		time.Sleep(150*time.Millisecond - time.Since(readyAt))
		m.markBackdated("done", 100*time.Millisecond)
	case faultDoneFirst, faultWorkAfterDone:
	default:
		m.mark("done")
	}
	fmt.Fprintf(stdout, "checksum %016x\n", answer)
	if opts.fault == faultExitCode {
		return 3
	}
	return 0
}

// crash dies from an invalid memory access the way a Go program does: the runtime catches the SIGSEGV and
// turns it into an unrecovered panic ("signal SIGSEGV: segmentation violation", exit status 2).
func crash() {
	var nowhere *struct{ unit uint64 }
	nowhere.unit = 1
}

func hoardMemory() {
	var hoard [][]byte
	for {
		chunk := make([]byte, chunkBytes)
		for i := 0; i < len(chunk); i += pageBytes { // fresh pages are not resident until written
			chunk[i] = 1
		}
		hoard = append(hoard, chunk)
	}
}
