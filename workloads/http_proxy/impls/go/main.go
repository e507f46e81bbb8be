// Command http_proxy is the claimbench HTTP/1.1 reverse proxy in Go (workloads/http_proxy/SPEC.md).
//
// Design: net and bufio from the standard library, a goroutine per client connection, and the strict
// parser of internal/h1 deciding every message's framing (net/http would merge, rewrite or answer some of
// the SPEC's strict-parsing rows itself). Upstream connections are kept alive in one pool shared by all
// goroutines (pool.go); requests go round-robin across the upstreams. --threads N sets GOMAXPROCS to N.
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
	os.Exit(run(os.Args[1:], os.Stderr))
}

const usage = `usage: http_proxy serve --listen HOST:PORT --upstream HOST:PORT [--upstream HOST:PORT]... [--threads N]
       [--header-timeout-ms MS] [--idle-timeout-ms MS] [--body-timeout-ms MS]
       [--upstream-connect-timeout-ms MS] [--upstream-read-timeout-ms MS]`

// errUsage marks errors in the command line: exit status 2, nothing was started.
var errUsage = errors.New("usage")

// run parses the command line and serves until SIGTERM or SIGINT; it returns the exit status.
func run(args []string, stderr io.Writer) int {
	opts, err := parseArgs(args)
	if err == nil {
		err = serve(opts, func() { mark("ready") })
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

// options is the command line of SPEC.md.
type options struct {
	listen    string
	upstreams []string // HOST:PORT as given
	threads   int
	timeouts  timeouts
}

// timeouts are SPEC.md's, with its defaults.
type timeouts struct {
	header, idle, body, upstreamConnect, upstreamRead time.Duration
}

var defaultTimeouts = timeouts{header: 10 * time.Second, idle: 60 * time.Second, body: 10 * time.Second,
	upstreamConnect: 3 * time.Second, upstreamRead: 30 * time.Second}

func parseArgs(args []string) (options, error) {
	if len(args) == 0 || args[0] != "serve" {
		return options{}, fmt.Errorf("%w: the only command is 'serve'", errUsage)
	}
	opts := options{threads: 1, timeouts: defaultTimeouts}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Func("listen", "HOST:PORT to listen on", func(value string) error {
		opts.listen = value
		return checkHostPort(value, false)
	})
	fs.Func("upstream", "HOST:PORT of an upstream (repeatable)", func(value string) error {
		opts.upstreams = append(opts.upstreams, value)
		return checkHostPort(value, true)
	})
	fs.Func("threads", "goroutines run on at most N threads (GOMAXPROCS)", func(value string) error {
		n, err := parseBounded(value, 1, 1024)
		opts.threads = int(n)
		return err
	})
	for name, target := range map[string]*time.Duration{
		"header-timeout-ms": &opts.timeouts.header, "idle-timeout-ms": &opts.timeouts.idle,
		"body-timeout-ms": &opts.timeouts.body, "upstream-connect-timeout-ms": &opts.timeouts.upstreamConnect,
		"upstream-read-timeout-ms": &opts.timeouts.upstreamRead,
	} {
		fs.Func(name, "milliseconds", func(value string) error {
			ms, err := parseBounded(value, 1, 86_400_000)
			*target = time.Duration(ms) * time.Millisecond
			return err
		})
	}
	if err := fs.Parse(args[1:]); err != nil {
		return options{}, fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return options{}, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	case opts.listen == "":
		return options{}, fmt.Errorf("%w: --listen is required", errUsage)
	case len(opts.upstreams) == 0:
		return options{}, fmt.Errorf("%w: at least one --upstream is required", errUsage)
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
