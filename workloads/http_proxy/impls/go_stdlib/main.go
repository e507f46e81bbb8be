// Command http_proxy is the http_proxy workload (workloads/http_proxy/SPEC.md) as most Go teams would ship
// a reverse proxy: net/http's server in front of httputil.ReverseProxy over an http.Transport pool.
//
// Design: net/http decides framing itself, so this variant cannot give the SPEC's strict-parsing table
// (README.md lists where it differs); it is measured on the performance cases only. What is set, and
// why: MaxIdleConnsPerHost far above any case's connection count (the default, 2, would close and reopen
// upstream connections all the time and misrepresent Go); the SPEC's timeouts where net/http has them;
// X-Forwarded-For and Host as the reference forwards them; round robin across the upstreams.
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"claimbench/http_proxy/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stderr, serve))
}

// maxIdlePerUpstream is the Transport's MaxIdleConnsPerHost: far above the connection count of any case.
const maxIdlePerUpstream = 1024

// serve listens, calls onListening once the socket accepts connections, and serves until SIGTERM or
// SIGINT; then it returns nil at once, leaving the process's exit to close every connection (idle
// keep-alive ones included).
func serve(opts cli.Options, onListening func()) error {
	runtime.GOMAXPROCS(opts.Threads) // SPEC.md: at most --threads threads serve connections
	var targets []*url.URL
	for _, upstream := range opts.Upstreams {
		if _, err := net.ResolveTCPAddr("tcp", upstream); err != nil {
			return fmt.Errorf("cannot resolve %q: %w; give a numeric address", upstream, err)
		}
		targets = append(targets, &url.URL{Scheme: "http", Host: upstream})
	}
	server := &http.Server{
		Handler:           newReverseProxy(targets, opts.Timeouts),
		ReadHeaderTimeout: opts.Timeouts.Header,
		IdleTimeout:       opts.Timeouts.Idle,
		MaxHeaderBytes:    16 * 1024,
		ErrorLog:          log.New(os.Stderr, "http_proxy: ", 0),
	}
	listener, stopped, err := cli.Listen(opts.Listen, onListening)
	if err != nil {
		return err
	}
	if err := server.Serve(listener); !stopped() {
		return err
	}
	return nil
}

// newReverseProxy sends each request to the next target, round robin, over one Transport (its pool of
// idle connections is shared by every goroutine).
func newReverseProxy(targets []*url.URL, t cli.Timeouts) *httputil.ReverseProxy {
	var next atomic.Uint64
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(targets[(next.Add(1)-1)%uint64(len(targets))])
			pr.Out.Host = pr.In.Host // the client's Host goes upstream, as the reference forwards it
			// The client's X-Forwarded-For (Rewrite has removed it from Out) with its address appended.
			if client, _, err := net.SplitHostPort(pr.In.RemoteAddr); err == nil {
				forwarded := slices.Concat(pr.In.Header.Values("X-Forwarded-For"), []string{client})
				pr.Out.Header.Set("X-Forwarded-For", strings.Join(forwarded, ", "))
			}
		},
		Transport: &http.Transport{
			DialContext:           (&net.Dialer{Timeout: t.UpstreamConnect}).DialContext,
			MaxIdleConnsPerHost:   maxIdlePerUpstream,
			IdleConnTimeout:       90 * time.Second, // http.DefaultTransport's
			ResponseHeaderTimeout: t.UpstreamRead,
			DisableCompression:    true, // forward what the upstream sends, as it is
		},
		ErrorHandler: answerUpstreamError,
	}
}

// answerUpstreamError answers 504 when the upstream did not accept or answer in time and 502 otherwise,
// as the reference does, with a text/plain line saying why.
func answerUpstreamError(w http.ResponseWriter, _ *http.Request, err error) {
	status := http.StatusBadGateway
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		status = http.StatusGatewayTimeout
	}
	w.Header().Set("Content-Type", "text/plain")
	w.Header().Set("Connection", "close")
	w.WriteHeader(status)
	fmt.Fprintf(w, "the upstream failed: %v\n", err)
}
