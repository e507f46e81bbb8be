package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"claimbench/http_proxy/internal/h1"
)

// lingerTime is how long a connection closed after an error response drains what the client still
// sends, so that the kernel does not answer those bytes with a reset that destroys the response.
const lingerTime = time.Second

// writers holds the bufio.Writers of busy connections; an idle keep-alive connection gives its writer
// back, so it costs its reader, its goroutine and the socket.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 16*1024) }}

// session is one client connection, served by its own goroutine: requests strictly in order (read a
// head, forward it with its body, stream the response back, repeat), so pipelined requests are answered
// in order without a queue, and bodies stream through fixed buffers, never held whole.
type session struct {
	*proxy
	client        *net.TCPConn
	clientReads   *gapReader    // under in: the body timeout applies per read while a body streams
	in            *bufio.Reader // client bytes not yet forwarded
	out           *bufio.Writer // response bytes for the client; nil while idle
	clientAddress string        // for X-Forwarded-For
	req           h1.Request    // reused, so that parsing does not allocate
	resp          h1.Response
	upstreamHead  []byte // the request head as forwarded (sent again when a stale connection is retried)
	clientHead    []byte // scratch: a response head as the client gets it
	forwardedFor  []byte // scratch
	decoded       []byte // scratch: chunk data for an HTTP/1.0 client
}

// gapReader reads conn; while gap is set, each read waits at most gap for its first byte.
type gapReader struct {
	conn *net.TCPConn
	gap  time.Duration
}

func (g *gapReader) Read(b []byte) (int, error) {
	if g.gap > 0 {
		if err := g.conn.SetReadDeadline(time.Now().Add(g.gap)); err != nil {
			return 0, err
		}
	}
	return g.conn.Read(b)
}

// serveConnection serves one client connection until it closes. A panic ends this connection only, as
// net/http does, and is reported on stderr.
func (p *proxy) serveConnection(conn *net.TCPConn) {
	s := &session{proxy: p, client: conn, clientReads: &gapReader{conn: conn}}
	s.in = bufio.NewReaderSize(s.clientReads, ioBufferBytes)
	if address, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		s.clientAddress = address.IP.String()
	}
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "http_proxy: panic serving %s: %v\n%s", s.clientAddress, r, debug.Stack())
		}
		s.releaseWriter()
		conn.Close()
	}()
	for s.awaitRequest() && s.serveRequest() {
	}
}

// awaitRequest waits, at most idle-timeout, for the first byte of the next request unless it is already
// buffered (pipelined). False when the client closed or the wait timed out: close without a response.
func (s *session) awaitRequest() bool {
	if s.in.Buffered() > 0 {
		return true
	}
	s.releaseWriter()
	s.clientReads.gap = 0
	if s.client.SetReadDeadline(time.Now().Add(s.timeouts.Idle)) != nil {
		return false
	}
	_, err := s.in.Peek(1)
	return err == nil
}

func (s *session) releaseWriter() {
	if s.out != nil {
		s.out.Reset(nil)
		writers.Put(s.out)
		s.out = nil
	}
}

// serveRequest reads one request head (header-timeout from its first byte), forwards the request and
// streams the response back. True when the connection stays open for the next request.
func (s *session) serveRequest() bool {
	if s.out == nil {
		s.out = writers.Get().(*bufio.Writer)
		s.out.Reset(s.client)
	}
	deadlineSet := false
	for {
		buffered, _ := s.in.Peek(s.in.Buffered())
		err := s.req.Parse(buffered, s.limits)
		if err == nil {
			break
		}
		var refused *h1.Error
		if errors.As(err, &refused) {
			s.respondAndClose(refused.Status, refused.Error())
			return false
		}
		if !deadlineSet { // most heads arrive whole: the deadline costs nothing for them
			deadlineSet = true
			if s.client.SetReadDeadline(time.Now().Add(s.timeouts.Header)) != nil {
				return false
			}
		}
		if _, err := s.in.Peek(s.in.Buffered() + 1); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				s.respondAndClose(408, "the request head took too long (RFC 9110 section 15.5.9)")
			} else if errors.Is(err, bufio.ErrBufferFull) { // cannot happen: the parser's limit is below the buffer's
				s.respondAndClose(431, "the header section is too large (RFC 6585 section 5)")
			}
			return false
		}
	}
	return s.forward()
}

// respondAndClose sends an error response and closes gracefully: it stops sending and drains what the
// client still sends for a moment, so that the kernel does not reset the connection and destroy the
// response in flight. The caller then closes the connection.
func (s *session) respondAndClose(status int, why string) {
	if s.out != nil && s.out.Flush() != nil {
		return
	}
	if _, err := s.client.Write(errorResponse(status, why)); err != nil {
		return
	}
	_ = s.client.CloseWrite()
	if s.client.SetReadDeadline(time.Now().Add(lingerTime)) == nil {
		_, _ = io.Copy(io.Discard, s.client)
	}
}

// Outcomes of forwarding a response.
type relayResult int

const (
	relayKeepAlive relayResult = iota // the client connection stays open
	relayClose                        // the client connection closes
	relayRetry                        // a reused upstream connection had been closed: try a fresh one
)

// forward sends the request just parsed (s.req) upstream with its body and relays the response. True
// when the client connection stays open for the next request.
func (s *session) forward() bool {
	req := &s.req
	host := s.pool.nextHost()
	clientClose, clientMinor := req.ConnectionClose, req.VersionMinor
	framing, length := req.Framing, req.ContentLength
	headRequest := string(req.Method) == "HEAD"
	hasBody := framing == h1.Chunked || (framing == h1.ContentLength && length > 0)
	// Expect: 100-continue (RFC 9110 section 10.1.1): the proxy answers 100 itself when it starts reading
	// the body and does not forward the expectation (an upstream's own 100 would be a second one).
	sendContinue := false
	for i := range req.Fields {
		sendContinue = sendContinue || (clientMinor == 1 && isContinueExpectation(&req.Fields[i]))
	}
	// req's slices point into s.in's buffer: everything needed is copied before it is read again.
	s.upstreamHead, s.forwardedFor = appendUpstreamHead(s.upstreamHead[:0], req, s.pool.upstreams[host], s.clientAddress, s.forwardedFor)
	_, _ = s.in.Discard(req.HeadBytes)

	// A pooled connection the upstream closed meanwhile fails at once; a request without a body is then
	// retried once on a fresh connection (nothing of it can have been processed).
	for attempt := 0; ; attempt++ {
		up, reused := s.pool.take(host), true
		if up == nil {
			reused = false
			var err error
			if up, err = s.pool.dial(host); err != nil {
				if errors.Is(err, errConnectTimeout) {
					s.respondAndClose(504, err.Error())
				} else {
					s.respondAndClose(502, "the upstream refused the connection")
				}
				return false
			}
		}
		mayRetry := reused && !hasBody && attempt == 0
		if _, err := up.conn.Write(s.upstreamHead); err != nil {
			up.close()
			if mayRetry {
				continue
			}
			s.respondAndClose(502, "the upstream connection failed while sending the request")
			return false
		}
		if hasBody {
			if sendContinue && s.in.Buffered() == 0 { // not when the client sent the body without waiting
				sendContinue = false
				if _, err := s.client.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n")); err != nil {
					up.close()
					return false
				}
			}
			if status, why := s.forwardBody(up, framing, length); status != 0 {
				up.close()
				if status > 0 {
					s.respondAndClose(status, why)
				}
				return false
			}
		}
		switch s.relayResponse(up, headRequest, clientMinor, clientClose, mayRetry) {
		case relayRetry:
			up.close()
			continue
		case relayKeepAlive:
			return true
		default:
			return false
		}
	}
}

// forwardBody streams the request body to the upstream, each read from the client waiting at most
// body-timeout. It returns 0 when the body is through; otherwise the status to answer with (400: broken
// chunked framing, 502: the upstream write failed) and why, or -1 when the client left or was too slow
// (close without an answer).
func (s *session) forwardBody(up *upstreamConn, framing h1.Framing, length int64) (int, string) {
	s.clientReads.gap = s.timeouts.Body
	defer func() { s.clientReads.gap = 0 }()
	var framer h1.ChunkedFramer
	for remaining := length; framing == h1.Chunked || remaining > 0; {
		if s.in.Buffered() == 0 {
			if _, err := s.in.Peek(1); err != nil {
				return -1, ""
			}
		}
		available, _ := s.in.Peek(s.in.Buffered())
		take, done := len(available), false
		if framing == h1.Chunked {
			var status h1.ChunkedStatus
			take, status = framer.Consume(available, nil)
			if status == h1.ChunkedError {
				return 400, framer.Err().Error()
			}
			done = status == h1.ChunkedDone
		} else {
			take = int(min(int64(take), remaining))
			remaining -= int64(take)
		}
		if _, err := up.conn.Write(available[:take]); err != nil {
			return 502, "the upstream connection failed while sending the body"
		}
		_, _ = s.in.Discard(take)
		if done {
			break
		}
	}
	return 0, ""
}
