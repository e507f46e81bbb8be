package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"claimbench/http_proxy/cli"
)

// maxIdlePerUpstream bounds the idle connections kept per upstream host: far above the connection count
// of any case, so that the pool never churns (net/http's default of 2 per host would).
const maxIdlePerUpstream = 1024

// ioBufferBytes is the size of every bufio.Reader here: one byte more than the longest head, so that a
// head over the limit is seen as such while it is still incomplete.
const ioBufferBytes = 16*1024 + 1

// upstreamConn is one connection to an upstream host and the reader over it. Reads wait at most
// upstream-read-timeout for their first byte (a deadline is set before each read).
type upstreamConn struct {
	conn *net.TCPConn
	in   *bufio.Reader
	host int // index into pool.upstreams
}

func (u *upstreamConn) close() { u.conn.Close() }

// pool keeps idle keep-alive connections to the upstreams, one stack per host, shared by every
// goroutine behind one mutex (as Pingora shares its pools across threads; Go moves goroutines between
// threads, so a per-thread pool has no meaning here). Safe for concurrent use.
type pool struct {
	upstreams      []string // HOST:PORT as given on the command line, also the Host of HTTP/1.0 requests
	addresses      []*net.TCPAddr
	dialer         net.Dialer
	readTimeout    time.Duration
	next           atomic.Uint64 // round robin
	mu             sync.Mutex
	idle           [][]*upstreamConn // per host, most recently used last
	maxIdlePerHost int
}

// newPool resolves the upstreams once; an address that does not resolve is an error saying what to give.
func newPool(upstreams []string, t cli.Timeouts) (*pool, error) {
	p := &pool{upstreams: upstreams, dialer: net.Dialer{Timeout: t.UpstreamConnect}, readTimeout: t.UpstreamRead,
		idle: make([][]*upstreamConn, len(upstreams)), maxIdlePerHost: maxIdlePerUpstream}
	for _, upstream := range upstreams {
		address, err := net.ResolveTCPAddr("tcp", upstream)
		if err != nil {
			return nil, fmt.Errorf("cannot resolve %q: %w; give a numeric address", upstream, err)
		}
		p.addresses = append(p.addresses, address)
	}
	return p, nil
}

// nextHost picks the upstream for the next request, round-robin.
func (p *pool) nextHost() int { return int((p.next.Add(1) - 1) % uint64(len(p.upstreams))) }

// take returns an idle connection to host, or nil when there is none.
func (p *pool) take(host int) *upstreamConn {
	p.mu.Lock()
	defer p.mu.Unlock()
	stack := p.idle[host]
	if len(stack) == 0 {
		return nil
	}
	u := stack[len(stack)-1]
	p.idle[host] = stack[:len(stack)-1]
	return u
}

// give keeps u for the next request to its host, or closes it when the host has enough idle ones.
func (p *pool) give(u *upstreamConn) {
	p.mu.Lock()
	if len(p.idle[u.host]) < p.maxIdlePerHost {
		p.idle[u.host] = append(p.idle[u.host], u)
		u = nil
	}
	p.mu.Unlock()
	if u != nil {
		u.close()
	}
}

// errConnectTimeout is dial's error when the upstream did not accept in time (504, where a refusal is 502).
var errConnectTimeout = errors.New("the upstream did not accept the connection in time")

// dial opens a new connection to host.
func (p *pool) dial(host int) (*upstreamConn, error) {
	conn, err := p.dialer.Dial("tcp", p.addresses[host].String())
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, errConnectTimeout
		}
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			return nil, errConnectTimeout
		}
		return nil, err
	}
	tcp := conn.(*net.TCPConn) // Go sets TCP_NODELAY on TCP connections by default
	return &upstreamConn{conn: tcp, in: bufio.NewReaderSize(deadlineReader{tcp, p.readTimeout}, ioBufferBytes),
		host: host}, nil
}

// deadlineReader gives each read of conn timeout to deliver its first byte: a gap limit, not a limit on
// the whole message.
type deadlineReader struct {
	conn    net.Conn
	timeout time.Duration
}

func (d deadlineReader) Read(b []byte) (int, error) {
	if err := d.conn.SetReadDeadline(time.Now().Add(d.timeout)); err != nil {
		return 0, err
	}
	return d.conn.Read(b)
}
