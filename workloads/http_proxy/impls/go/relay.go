package main

import (
	"errors"
	"io"
	"os"

	"claimbench/http_proxy/internal/h1"
)

// relayResponse reads the upstream's response head (each read waiting at most upstream-read-timeout),
// forwards interim 1xx heads to an HTTP/1.1 client, and streams the final response to the client. The
// upstream connection goes back to the pool when the response left it reusable, and is closed otherwise
// (except for relayRetry, where the caller closes it).
func (s *session) relayResponse(up *upstreamConn, headRequest bool, clientMinor int, clientClose, mayRetry bool) relayResult {
	resp := &s.resp
	for {
		for {
			buffered, _ := up.in.Peek(up.in.Buffered())
			err := resp.Parse(buffered, headRequest, s.limits)
			if err == nil {
				break
			}
			var refused *h1.Error
			if errors.As(err, &refused) {
				up.close()
				s.respondAndClose(502, "the upstream's response is malformed: "+refused.Error())
				return relayClose
			}
			if _, err := up.in.Peek(up.in.Buffered() + 1); err != nil {
				timedOut := errors.Is(err, os.ErrDeadlineExceeded)
				if mayRetry && up.in.Buffered() == 0 && !timedOut {
					return relayRetry
				}
				up.close()
				if timedOut {
					s.respondAndClose(504, "the upstream did not answer in time")
				} else {
					s.respondAndClose(502, "the upstream closed the connection without a response")
				}
				return relayClose
			}
		}
		if resp.Status >= 200 || resp.Status == 101 {
			break
		}
		if clientMinor == 1 { // an interim response: forward it, then read the final one
			s.clientHead = appendClientHead(s.clientHead[:0], resp, false, false, 1)
			if _, err := s.out.Write(s.clientHead); err != nil || s.out.Flush() != nil {
				up.close()
				return relayClose
			}
		}
		_, _ = up.in.Discard(resp.HeadBytes)
	}
	if resp.Status == 101 { // no upgrades through this proxy: the hop-by-hop Upgrade field was removed
		up.close()
		s.respondAndClose(502, "the upstream switched protocols, which this proxy does not forward")
		return relayClose
	}
	framing, length := resp.Framing, resp.ContentLength
	dechunk := clientMinor == 0 && framing == h1.Chunked
	close := clientClose || framing == h1.UntilClose || dechunk
	reusable := !resp.ConnectionClose && framing != h1.UntilClose
	s.clientHead = appendClientHead(s.clientHead[:0], resp, close, dechunk, clientMinor)
	_, _ = s.out.Write(s.clientHead) // errors stick in s.out and surface at its Flush
	_, _ = up.in.Discard(resp.HeadBytes)

	if !s.streamBody(up, framing, length, dechunk) {
		up.close()
		return relayClose
	}
	if reusable && up.in.Buffered() == 0 {
		s.pool.give(up)
	} else {
		up.close()
	}
	if close {
		_ = s.client.CloseWrite()
		return relayClose
	}
	return relayKeepAlive
}

// streamBody streams the response body from the upstream to the client, flushing before every wait for
// the upstream so that the client gets bytes as they arrive. Chunked framing is verified as it passes
// and forwarded as received, or decoded for an HTTP/1.0 client (dechunk). False when either side failed
// or the framing broke (the client then sees a truncated body and a close).
func (s *session) streamBody(up *upstreamConn, framing h1.Framing, length int64, dechunk bool) bool {
	var framer h1.ChunkedFramer
	remaining := length
	done := framing == h1.NoBody || (framing == h1.ContentLength && length == 0)
	for !done {
		if up.in.Buffered() == 0 {
			if s.out.Buffered() > 0 && s.out.Flush() != nil {
				return false
			}
			if _, err := up.in.Peek(1); err != nil {
				return framing == h1.UntilClose && err == io.EOF
			}
		}
		available, _ := up.in.Peek(up.in.Buffered())
		take, chunk := len(available), []byte(nil)
		switch framing {
		case h1.ContentLength:
			take = int(min(int64(take), remaining))
			remaining -= int64(take)
			done = remaining == 0
			chunk = available[:take]
		case h1.Chunked:
			var status h1.ChunkedStatus
			var decoded *[]byte
			if dechunk {
				s.decoded = s.decoded[:0]
				decoded = &s.decoded
			}
			take, status = framer.Consume(available, decoded)
			if status == h1.ChunkedError {
				return false
			}
			done = status == h1.ChunkedDone
			if chunk = available[:take]; dechunk {
				chunk = s.decoded
			}
		default: // until the upstream closes
			chunk = available
		}
		if _, err := s.out.Write(chunk); err != nil {
			return false // the client left: stop reading the upstream
		}
		_, _ = up.in.Discard(take)
	}
	return s.out.Flush() == nil
}
