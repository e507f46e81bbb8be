package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// maxLineBytes is the longest request line, its newline included (SPEC.md).
const maxLineBytes = 64 * 1024

// runServe listens, marks ready, and echoes lines on every connection until SIGTERM or SIGINT; then it
// closes the listener and every connection and returns nil. It returns an error only if it cannot listen.
func runServe(opts serveOptions, m *marks) error {
	// Handlers go in before ready, so a SIGTERM right after it already means "stop".
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	listener, err := net.Listen("tcp", opts.listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", opts.listen, err)
	}
	m.mark("ready")
	go func() {
		<-ctx.Done()
		listener.Close()
	}()

	var open connections
	for {
		conn, err := listener.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break // stopping
			}
			fmt.Fprintf(os.Stderr, "null: accept failed: %v\n", err)
			continue
		}
		open.serve(conn, opts.delay)
	}
	open.closeAll()
	return nil
}

// connections tracks the open connections so that stopping can close them. Safe for concurrent use.
type connections struct {
	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// serve echoes on conn in its own goroutine and forgets conn when it is closed.
func (c *connections) serve(conn net.Conn, delay time.Duration) {
	c.mu.Lock()
	if c.conns == nil {
		c.conns = make(map[net.Conn]struct{})
	}
	c.conns[conn] = struct{}{}
	c.mu.Unlock()
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		echo(conn, delay)
		c.mu.Lock()
		delete(c.conns, conn)
		c.mu.Unlock()
		conn.Close()
	}()
}

// closeAll closes every open connection and waits for their goroutines to return.
func (c *connections) closeAll() {
	c.mu.Lock()
	for conn := range c.conns {
		conn.Close()
	}
	c.mu.Unlock()
	c.wg.Wait()
}

// echo writes each line back byte for byte; it returns when the client closes, on an error, or on a line
// longer than maxLineBytes.
func echo(conn net.Conn, delay time.Duration) {
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), maxLineBytes)
	lines.Split(scanLinesKeepingNewline)
	for lines.Scan() {
		if delay > 0 {
			time.Sleep(delay)
		}
		if _, err := conn.Write(lines.Bytes()); err != nil {
			return
		}
	}
}

// scanLinesKeepingNewline is a bufio.SplitFunc for whole lines, '\n' included and nothing stripped (unlike
// bufio.ScanLines, which drops "\r\n"); a last line without its newline is dropped.
func scanLinesKeepingNewline(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		return i + 1, data[:i+1], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), nil, bufio.ErrFinalToken
	}
	return 0, nil, nil
}
