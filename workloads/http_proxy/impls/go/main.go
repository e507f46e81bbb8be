// Command http_proxy is the claimbench HTTP/1.1 reverse proxy in Go (workloads/http_proxy/SPEC.md).
//
// Design: net and bufio from the standard library, a goroutine per client connection, and the strict
// parser of internal/h1 deciding every message's framing (net/http would merge, rewrite or answer some of
// the SPEC's strict-parsing rows itself). Upstream connections are kept alive in one pool shared by all
// goroutines (pool.go); requests go round-robin across the upstreams. --threads N sets GOMAXPROCS to N.
package main

import (
	"os"

	"claimbench/http_proxy/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], os.Stderr, serve))
}
