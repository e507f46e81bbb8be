// Command null is the claimbench null workload in Go (workloads/null/SPEC.md): a checksum batch job and a
// line-echo service.
//
// Design: the standard library only, as a Go team would write it: the flag package for each subcommand,
// and net with one goroutine per connection for the service, so a delayed response (time.Sleep) holds up
// its own connection and nothing else. The one dependency, golang.org/x/sys/unix, reads CLOCK_MONOTONIC
// for the marks, which the runtime's monotonic clock does not expose.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: null batch --work-units N [--delay-ms D] [--fault FAULT]
       null serve --listen HOST:PORT [--delay-ms D]
FAULT: crash|hang|wrong-answer|exit-code|oom|backdate-done|done-first|work-after-done`

// errUsage marks errors that exit with status 2 (nothing was run).
var errUsage = errors.New("usage")

// run executes one subcommand and returns the process's exit status.
func run(args []string, stdout, stderr io.Writer) int {
	marks := marksFromEnv()
	status, err := dispatch(args, stdout, marks)
	if err != nil {
		fmt.Fprintf(stderr, "null: %v\n", err)
		if errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		return 1
	}
	return status
}

func dispatch(args []string, stdout io.Writer, marks *marks) (int, error) {
	if len(args) == 0 {
		return 0, fmt.Errorf("%w: missing command", errUsage)
	}
	switch args[0] {
	case "batch":
		opts, err := parseBatch(args[1:])
		if err != nil {
			return 0, err
		}
		return runBatch(opts, stdout, marks), nil
	case "serve":
		opts, err := parseServe(args[1:])
		if err != nil {
			return 0, err
		}
		return 0, runServe(opts, marks)
	default:
		return 0, fmt.Errorf("%w: unknown command %q", errUsage, args[0])
	}
}

type batchOptions struct {
	workUnits uint64
	delay     time.Duration
	fault     fault
}

type serveOptions struct {
	listen string
	delay  time.Duration
}

// newFlagSet returns a FlagSet that reports errors to the caller instead of printing or exiting.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseBatch(args []string) (batchOptions, error) {
	fs := newFlagSet("batch")
	workUnits := fs.Uint64("work-units", 0, "work units to fold into the checksum")
	delayMs := fs.Uint64("delay-ms", 0, "sleep this long after the work")
	var f fault
	fs.Var(&f, "fault", "misbehave this way")
	if err := parseFlags(fs, args); err != nil {
		return batchOptions{}, err
	}
	if !isSet(fs, "work-units") {
		return batchOptions{}, fmt.Errorf("%w: batch needs --work-units N", errUsage)
	}
	return batchOptions{*workUnits, time.Duration(*delayMs) * time.Millisecond, f}, nil
}

func parseServe(args []string) (serveOptions, error) {
	fs := newFlagSet("serve")
	listen := fs.String("listen", "", "HOST:PORT to listen on")
	delayMs := fs.Uint64("delay-ms", 0, "send each response this long after its request")
	if err := parseFlags(fs, args); err != nil {
		return serveOptions{}, err
	}
	host, port, err := net.SplitHostPort(*listen)
	if n, perr := strconv.ParseUint(port, 10, 16); err != nil || host == "" || perr != nil || n == 0 {
		return serveOptions{}, fmt.Errorf("%w: --listen expects HOST:PORT with a port in 1..65535, got %q", errUsage, *listen)
	}
	return serveOptions{*listen, time.Duration(*delayMs) * time.Millisecond}, nil
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %s: %v", errUsage, fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
