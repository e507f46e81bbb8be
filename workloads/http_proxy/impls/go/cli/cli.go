// Package cli is the command line that every Go proxy of the http_proxy workload shares
// (workloads/http_proxy/SPEC.md, "Command line"): parsing it, the ready mark, and the exit statuses.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

const usage = `usage: http_proxy serve --listen HOST:PORT --upstream HOST:PORT [--upstream HOST:PORT]... [--threads N]
       [--header-timeout-ms MS] [--idle-timeout-ms MS] [--body-timeout-ms MS]
       [--upstream-connect-timeout-ms MS] [--upstream-read-timeout-ms MS]`

// errUsage marks errors in the command line: exit status 2, nothing was started.
var errUsage = errors.New("usage")

// Serve is a proxy: it listens as opts say, calls onListening once the socket accepts connections, and
// serves until SIGTERM or SIGINT, then returns nil. It returns an error when it cannot start.
type Serve func(opts Options, onListening func()) error

// Run parses args (the command line without the program name), runs serve with the ready mark as
// onListening, and returns the exit status: 0 after a stop, 2 with one line on stderr (and the usage)
// for a bad command line, 1 with one line when serve could not start.
func Run(args []string, stderr io.Writer, serve Serve) int {
	opts, err := Parse(args)
	if err == nil {
		err = serve(opts, func() { Mark("ready") })
	}
	if err != nil {
		fmt.Fprintf(stderr, "http_proxy: %v\n", err)
		if errors.Is(err, errUsage) {
			fmt.Fprintln(stderr, usage)
			return 2
		}
		return 1
	}
	return 0
}

// Options is the command line of SPEC.md.
type Options struct {
	Listen    string
	Upstreams []string // HOST:PORT as given
	Threads   int      // goroutines run on at most this many threads: GOMAXPROCS
	Timeouts  Timeouts
}

// Timeouts are SPEC.md's, with its defaults.
type Timeouts struct {
	Header          time.Duration // a request head, from its first byte: then 408 and close
	Idle            time.Duration // no request on a keep-alive connection: close
	Body            time.Duration // the longest gap inside a request body: close
	UpstreamConnect time.Duration // then 504 (a refusal is 502)
	UpstreamRead    time.Duration // the longest wait for the upstream's next bytes: then 504
}

var defaultTimeouts = Timeouts{Header: 10 * time.Second, Idle: 60 * time.Second, Body: 10 * time.Second,
	UpstreamConnect: 3 * time.Second, UpstreamRead: 30 * time.Second}

// Parse reads the command line (without the program name); errors wrap errUsage.
func Parse(args []string) (Options, error) {
	if len(args) == 0 || args[0] != "serve" {
		return Options{}, fmt.Errorf("%w: the only command is 'serve'", errUsage)
	}
	opts := Options{Threads: 1, Timeouts: defaultTimeouts}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("listen", "HOST:PORT to listen on", func(value string) error {
		opts.Listen = value
		return checkHostPort(value, false)
	})
	fs.Func("upstream", "HOST:PORT of an upstream (repeatable)", func(value string) error {
		opts.Upstreams = append(opts.Upstreams, value)
		return checkHostPort(value, true)
	})
	fs.Func("threads", "goroutines run on at most N threads (GOMAXPROCS)", func(value string) error {
		n, err := parseBounded(value, 1, 1024)
		opts.Threads = int(n)
		return err
	})
	for name, target := range map[string]*time.Duration{
		"header-timeout-ms": &opts.Timeouts.Header, "idle-timeout-ms": &opts.Timeouts.Idle,
		"body-timeout-ms": &opts.Timeouts.Body, "upstream-connect-timeout-ms": &opts.Timeouts.UpstreamConnect,
		"upstream-read-timeout-ms": &opts.Timeouts.UpstreamRead,
	} {
		fs.Func(name, "milliseconds", func(value string) error {
			ms, err := parseBounded(value, 1, 86_400_000)
			*target = time.Duration(ms) * time.Millisecond
			return err
		})
	}
	if err := fs.Parse(args[1:]); err != nil {
		return Options{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return Options{}, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	case opts.Listen == "":
		return Options{}, fmt.Errorf("%w: --listen is required", errUsage)
	case len(opts.Upstreams) == 0:
		return Options{}, fmt.Errorf("%w: at least one --upstream is required", errUsage)
	}
	return opts, nil
}

// checkHostPort accepts HOST:PORT (IPv6 as [::1]:8080) with a port in 0..65535, or 1..65535 when
// nonZeroPort is set.
func checkHostPort(value string, nonZeroPort bool) error {
	host, port, err := net.SplitHostPort(value)
	minPort := int64(0)
	if nonZeroPort {
		minPort = 1
	}
	if _, perr := parseBounded(port, minPort, 65535); err != nil || host == "" || perr != nil {
		return fmt.Errorf("wants HOST:PORT, got %q", value)
	}
	return nil
}

// parseBounded reads a decimal integer in [lo, hi] (no sign, no hex, nothing else).
func parseBounded(value string, lo, hi int64) (int64, error) {
	n, err := strconv.ParseUint(value, 10, 63)
	if err != nil || int64(n) < lo || int64(n) > hi {
		return 0, fmt.Errorf("wants a number in %d..%d, got %q", lo, hi, value)
	}
	return int64(n), nil
}
