package readstates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// Exit statuses (docs/implementation_protocol.md).
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// Program is what a service program brings to Main: its cache and what one entry of it costs.
type Program struct {
	NewCache NewCache
	// BytesPerEntry is the cache's memory per entry, about (for refusing an --entries the machine cannot
	// hold with a usage error instead of the runtime's out-of-memory crash).
	BytesPerEntry uint64
}

// Main is the command line of a service-only program (go_discord): it runs args (without the program
// name) and returns the exit status. Only `serve` is implemented; the batch commands exit 2 saying so.
// A program with a batch side (the go port) calls RunServe for `serve` instead.
func Main(args []string, program Program) int {
	if len(args) == 0 {
		return fail(exitUsage, errors.New(Usage))
	}
	switch args[0] {
	case "serve":
		return RunServe(args[1:], program)
	case "sync", "restore", "verify", "chunk":
		return fail(exitUsage, fmt.Errorf("%s is not implemented here: this program is the read-states service only; "+
			"use another sync_engine implementation for the batch side (%s)", args[0], Usage))
	default:
		return fail(exitUsage, fmt.Errorf("unknown command %q; %s", args[0], Usage))
	}
}

func fail(status int, err error) int {
	fmt.Fprintf(os.Stderr, "sync_engine: error: %v\n", err)
	return status
}

// exitReport is the JSON line printed at a clean exit.
type exitReport struct {
	Entries uint64 `json:"entries"`
	Keys    uint64 `json:"keys"`
	Counters
}

// RunServe is `serve` with its flags (args, after the word `serve`): it serves until SIGTERM or SIGINT,
// prints the exit report and returns the exit status (2 for bad flags, an unusable address or backing
// file, an --entries the machine cannot hold; 1 for a failure while serving), each error one stderr line.
func RunServe(args []string, program Program) int {
	options, err := ParseOptions(args)
	if err != nil {
		return fail(exitUsage, err)
	}
	if err := checkMemory(options.Entries, program.BytesPerEntry, totalMemoryBytes()); err != nil {
		return fail(exitUsage, err)
	}
	runtime.GOMAXPROCS(options.Threads)
	listener, err := net.Listen("tcp", options.Listen)
	if err != nil {
		return fail(exitUsage, fmt.Errorf("cannot listen on %s: %w; choose a free port", options.Listen, err))
	}
	defer listener.Close()
	table, err := OpenTable(options.Backing, options.Keys)
	if err != nil {
		return fail(exitUsage, err)
	}
	defer table.Close()
	cache, err := program.NewCache(options.Entries, table)
	if err != nil {
		return fail(exitUsage, err)
	}
	if err := cache.Preload(); err != nil {
		return fail(exitFailure, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	markReady()
	if err := Serve(ctx, listener, cache, options.Keys, options.WriteBackPeriod); err != nil {
		return fail(exitFailure, err)
	}
	if _, err := cache.WriteBack(); err != nil { // nothing dirty stays behind
		return fail(exitFailure, err)
	}
	report, _ := json.Marshal(exitReport{Entries: cache.Len(), Keys: options.Keys, Counters: cache.Counters()})
	fmt.Printf("%s\n", report)
	return exitOK
}

// totalMemoryBytes is the machine's memory; 0 when it cannot tell.
func totalMemoryBytes() uint64 {
	var info unix.Sysinfo_t
	if unix.Sysinfo(&info) != nil {
		return 0
	}
	return uint64(info.Totalram) * uint64(info.Unit)
}

// checkMemory refuses a cache bigger than the machine's memory (total bytes; 0: unknown, let the
// allocation decide).
func checkMemory(entries, bytesPerEntry, total uint64) error {
	if need := entries * bytesPerEntry; total > 0 && need > total {
		return fmt.Errorf("--entries %d needs about %d MiB, more than this machine's %d MiB; lower --entries",
			entries, need>>20, total>>20)
	}
	return nil
}
