package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"time"

	"claimbench/http_proxy/cli"
	"claimbench/http_proxy/internal/h1"
)

// proxy is what every connection's goroutine shares: the options and the upstream pool. Safe for
// concurrent use (the pool locks itself; the rest is read-only).
type proxy struct {
	timeouts cli.Timeouts
	limits   h1.Limits
	pool     *pool
}

// serve listens, calls onListening once the socket accepts connections, and serves until SIGTERM or
// SIGINT; then it returns nil at once, leaving the process's exit to close every connection (idle
// keep-alive ones included). It returns an error only when it cannot resolve an address or listen.
func serve(opts cli.Options, onListening func()) error {
	runtime.GOMAXPROCS(opts.Threads) // SPEC.md: at most --threads threads serve connections
	upstreams, err := newPool(opts.Upstreams, opts.Timeouts)
	if err != nil {
		return err
	}
	listener, stopped, err := cli.Listen(opts.Listen, onListening)
	if err != nil {
		return err
	}
	p := &proxy{timeouts: opts.Timeouts, limits: h1.DefaultLimits, pool: upstreams}
	for {
		conn, err := listener.Accept()
		if err != nil {
			if stopped() {
				return nil
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like: wait a little instead of spinning.
			fmt.Fprintf(os.Stderr, "http_proxy: accept failed: %v\n", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		go p.serveConnection(conn.(*net.TCPConn))
	}
}
