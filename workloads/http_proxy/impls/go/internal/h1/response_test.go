package h1

import (
	"errors"
	"testing"
)

func parseResponse(text string, headRequest bool) (*Response, error) {
	var r Response
	return &r, r.Parse([]byte(text), headRequest, DefaultLimits)
}

func TestFramingOfOrdinaryResponses(t *testing.T) {
	for _, c := range []struct {
		text    string
		framing Framing
		close   bool
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", ContentLength, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Chunked, false},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", UntilClose, true},
		{"HTTP/1.1 200 OK\r\n\r\n", UntilClose, true},
		{"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", ContentLength, false},
		{"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", ContentLength, true},
		{"HTTP/1.1 100 Continue\r\n\r\n", NoBody, false},
		{"HTTP/1.1 204 No Content\r\n\r\n", NoBody, false},
		{"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n", NoBody, false},
	} {
		r, err := parseResponse(c.text, false)
		if err != nil || r.Framing != c.framing || r.ConnectionClose != c.close {
			t.Errorf("%q: %v, framing %v close %v; want %v %v", c.text, err, r.Framing, r.ConnectionClose, c.framing, c.close)
		}
	}
	if r, err := parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true); err != nil || r.Framing != NoBody {
		t.Errorf("a response to HEAD: %v, framing %v", err, r.Framing)
	}
	if r, _ := parseResponse("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false); r.Status != 404 || string(r.Reason) != "Not Found" {
		t.Errorf("status %d reason %q", r.Status, r.Reason)
	}
	if _, err := parseResponse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", false); !errors.Is(err, ErrIncomplete) {
		t.Errorf("an unfinished head: %v", err)
	}
}

func TestEveryUpstreamViolationIs502WithItsSection(t *testing.T) {
	for _, c := range []struct{ text, section string }{
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "RFC 9112 section 6.3"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "RFC 9110 section 8.6"},
		{"HTTP/1.1 200 OK\r\nContent-Length: 3,3\r\n\r\n", "RFC 9110 section 8.6"},
		{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", "RFC 9112 section 6.1"},
		{"HTTP/1.1 20 OK\r\n\r\n", "RFC 9112 section 4"},
		{"HTTP/1.1  200 OK\r\n\r\n", "RFC 9112 section 4"},
		{"HTTP/1.1 200x\r\n\r\n", "RFC 9112 section 4"},
		{"HTTP/1.1 999 What\r\n\r\n", "RFC 9112 section 4"},
		{"HTTP/1.1 200 O\x01K\r\n\r\n", "RFC 9112 section 4"},
		{"HTTP/2.0 200 OK\r\n\r\n", "RFC 9112 section 2.3"},
		{"HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 0\r\n\r\n", "RFC 9112 section 5.2"},
		{"HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "RFC 9112 section 2.2"},
	} {
		_, err := parseResponse(c.text, false)
		var refused *Error
		if !errors.As(err, &refused) || refused.Status != 502 || refused.Section != c.section {
			t.Errorf("%q: %v, want 502 citing %s", c.text, err, c.section)
		}
	}
}
