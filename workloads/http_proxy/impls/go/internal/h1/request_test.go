package h1

import (
	"errors"
	"strings"
	"testing"
)

func parseRequest(text string, limits Limits) (*Request, error) {
	var r Request
	return &r, r.Parse([]byte(text), limits)
}

func TestAcceptsASimpleGetAndSaysWhereItsHeadEnds(t *testing.T) {
	const head = "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nAccept:  */* \r\n\r\n"
	r, err := parseRequest(head+"rest", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if string(r.Method) != "GET" || string(r.Target) != "/a?b=c" || string(r.Host) != "example.com" ||
		r.Framing != NoBody || r.ConnectionClose || r.HeadBytes != len(head) {
		t.Errorf("parsed %+v", r)
	}
	if accept, ok := r.Get("ACCEPT"); !ok || string(accept) != "*/*" {
		t.Errorf("Accept = %q, want the value without surrounding whitespace", accept)
	}
}

func TestIncompleteUntilTheEmptyLine(t *testing.T) {
	for _, text := range []string{"", "GET / HT", "GET / HTTP/1.1\r\nHost: a\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r"} {
		if _, err := parseRequest(text, DefaultLimits); !errors.Is(err, ErrIncomplete) {
			t.Errorf("%q: %v, want ErrIncomplete", text, err)
		}
	}
}

func TestFramingOfAcceptedRequests(t *testing.T) {
	r, err := parseRequest("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 42\r\n\r\n", DefaultLimits)
	if err != nil || r.Framing != ContentLength || r.ContentLength != 42 {
		t.Errorf("Content-Length: %v, %+v", err, r)
	}
	r, err = parseRequest("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n", DefaultLimits)
	if err != nil || r.Framing != Chunked {
		t.Errorf("gzip, chunked: %v, %+v", err, r)
	}
}

func TestConnectionCloseAndTheHTTP10Default(t *testing.T) {
	for text, close := range map[string]bool{
		"GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n": true,
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n":                           false,
		"GET / HTTP/1.0\r\n\r\n":                                      true,
		"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n":            false,
	} {
		if r, err := parseRequest(text, DefaultLimits); err != nil || r.ConnectionClose != close {
			t.Errorf("%q: %v, close %v, want %v", text, err, r.ConnectionClose, close)
		}
	}
}

func TestIgnoresUpToTwoLeadingEmptyLinesRfc9112Section2_2(t *testing.T) {
	if _, err := parseRequest("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", DefaultLimits); err != nil {
		t.Error(err)
	}
}

// rejected is one message the strict rules refuse, with the status and section the answer must name.
type rejected struct {
	text    string
	status  int
	section string
}

func expectRejected(t *testing.T, cases []rejected, limits Limits) {
	t.Helper()
	for _, c := range cases {
		_, err := parseRequest(c.text, limits)
		var refused *Error
		if !errors.As(err, &refused) {
			t.Errorf("%q: %v, want a refusal", c.text, err)
			continue
		}
		if refused.Status != c.status || refused.Section != c.section {
			t.Errorf("%q: %d %s (%s), want %d %s", c.text, refused.Status, refused.Section, refused.Reason,
				c.status, c.section)
		}
	}
}

func TestRequestSmugglingShapesOfMessageFraming(t *testing.T) {
	cases := []rejected{
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 section 6.3"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400, "RFC 9112 section 6.3"},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 400, "RFC 9110 section 8.6"},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\n", 400, "RFC 9110 section 8.6"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400, "RFC 9112 section 6.3"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 400, "RFC 9112 section 6.3"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 section 6.1"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400, "RFC 9112 section 6.1"},
		{"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "RFC 9112 section 6.1"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 501, "RFC 9110 section 15.6.2"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked \t;x\r\n\r\n", 501, "RFC 9110 section 15.6.2"},
		// bytes.EqualFold would read U+212A KELVIN SIGN as 'k' and take this for chunked.
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chun\u212aed\r\n\r\n", 501, "RFC 9110 section 15.6.2"},
	}
	for _, value := range []string{"-1", "+5", "0x10", "5 5", "", "1e3", "99999999999999999999", "1234567890123456789"} {
		cases = append(cases, rejected{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\n", 400, "RFC 9110 section 8.6"})
	}
	expectRejected(t, cases, DefaultLimits)
}

func TestRequestSmugglingShapesOfFieldSyntax(t *testing.T) {
	expectRejected(t, []rejected{
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", 400, "RFC 9112 section 5.2"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n", 400, "RFC 9112 section 5.2"},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\n", 400, "RFC 9112 section 5.1"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\n\r\n", 400, "RFC 9112 section 5.1"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", 400, "RFC 9112 section 5.1"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX\xff: b\r\n\r\n", 400, "RFC 9112 section 5.1"},
		{"GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", 400, "RFC 9112 section 5.1"},
		{"GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n", 400, "RFC 9112 section 5.1"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x00c\r\n\r\n", 400, "RFC 9110 section 5.5"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x01\r\n\r\n", 400, "RFC 9110 section 5.5"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\x7f\r\n\r\n", 400, "RFC 9110 section 5.5"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", 400, "RFC 9112 section 2.2"},
		{"GET / HTTP/1.1\r\nHost: a\nX-A: b\r\n\r\n", 400, "RFC 9112 section 2.2"},
		{"GET / HTTP/1.1\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.2"},
		{"GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", 400, "RFC 9112 section 3.2"},
		{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "RFC 9112 section 3.2"},
		{"GET / HTTP/1.1\r\nhost: a\r\nHOST: a\r\n\r\n", 400, "RFC 9112 section 3.2"},
		{"GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "RFC 9112 section 3.2"},
		{"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "RFC 9112 section 3.2"},
	}, DefaultLimits)
}

func TestMalformedRequestLines(t *testing.T) {
	expectRejected(t, []rejected{
		{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"},
		{"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"},
		{"GET /\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"},
		{"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"},
		{"GET /a\x7f HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"},
		{"GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3"},
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 400, "RFC 9112 section 3"}, // a TLS hello, at once
		{"GET a/b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3.2"},
		{"GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 3.2"},
		{"GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3"},
		{"GET / http/1.1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3"},
		{"GET / HTTP/1\r\nHost: a\r\n\r\n", 400, "RFC 9112 section 2.3"},
		{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "RFC 9112 section 2.3"},
		{"CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n", 501, "RFC 9110 section 15.6.2"},
	}, DefaultLimits)
	for _, text := range []string{"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", "GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET / HTTP/1.2\r\nHost: [::1]:80\r\n\r\n"} {
		if _, err := parseRequest(text, DefaultLimits); err != nil {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestLimitsAre414And431EvenBeforeTheHeadEnds(t *testing.T) {
	target := strings.Repeat("a", 200)
	expectRejected(t, []rejected{
		{"GET /" + target + " HTTP/1.1\r\nHost: a\r\n\r\n", 414, "RFC 9110 section 15.5.15"},
		{"GET /" + target, 414, "RFC 9110 section 15.5.15"}, // no endless target is buffered
	}, Limits{MaxHeadBytes: 16 * 1024, MaxTargetBytes: 100, MaxFields: 128})
	value := strings.Repeat("b", 2000)
	expectRejected(t, []rejected{
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: " + value + "\r\n\r\n", 431, "RFC 6585 section 5"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX-A: " + value, 431, "RFC 6585 section 5"},
		{"GET /" + value, 431, "RFC 6585 section 5"},
	}, Limits{MaxHeadBytes: 1024, MaxTargetBytes: 8 * 1024, MaxFields: 128})
	expectRejected(t, []rejected{
		{"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431, "RFC 6585 section 5"},
	}, Limits{MaxHeadBytes: 16 * 1024, MaxTargetBytes: 8 * 1024, MaxFields: 3})
}

func TestHopByHopFieldsByNameAndByConnectionRfc9110Section7_6_1(t *testing.T) {
	r, err := parseRequest("GET / HTTP/1.1\r\nHost: a\r\nConnection: close, X-Secret\r\nConnection: x-more\r\n\r\n", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	for name, hop := range map[string]bool{"Connection": true, "keep-alive": true, "Transfer-Encoding": true,
		"Upgrade": true, "TE": true, "Proxy-Authorization": true, "x-secret": true, "X-More": true,
		"X-Other": false, "Content-Length": false, "Host": false} {
		if r.IsHopByHop([]byte(name)) != hop {
			t.Errorf("IsHopByHop(%q) = %v", name, !hop)
		}
	}
}

func TestParsingIntoAReusedRequestDoesNotAllocate(t *testing.T) {
	text := []byte("GET /r/1?size=1024 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: x\r\nAccept: */*\r\n\r\n")
	var r Request
	allocations := testing.AllocsPerRun(100, func() {
		if err := r.Parse(text, DefaultLimits); err != nil {
			t.Fatal(err)
		}
	})
	if allocations != 0 {
		t.Errorf("%v allocations per parse", allocations)
	}
}
