package h1

import (
	"strings"
	"testing"
)

// consumeChunks feeds body to a new framer in one piece, or one byte at a time when bytewise.
func consumeChunks(body string, bytewise bool) (status ChunkedStatus, consumed int, decoded string, err *Error) {
	var f ChunkedFramer
	var out []byte
	if bytewise {
		for i := 0; i < len(body) && status == ChunkedNeedMore; i++ {
			var n int
			n, status = f.Consume([]byte(body[i:i+1]), &out)
			consumed += n
		}
	} else {
		consumed, status = f.Consume([]byte(body), &out)
	}
	return status, consumed, string(out), f.Err()
}

func TestChunkedDecodesAndStopsAtTheEndOfTheBody(t *testing.T) {
	const body = "5\r\nhello\r\n1;name=value; q = \"a \\\" b\"\r\n!\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\nGET /next"
	for _, bytewise := range []bool{false, true} {
		status, consumed, decoded, err := consumeChunks(body, bytewise)
		if status != ChunkedDone || decoded != "hello!0123456789" || body[consumed:] != "GET /next" {
			t.Errorf("bytewise %v: status %v, decoded %q, left %q, %v", bytewise, status, decoded, body[consumed:], err)
		}
	}
}

func TestChunkedFramingErrorsNameTheirSection(t *testing.T) {
	for _, c := range []struct{ body, section string }{
		{"x\r\n", "RFC 9112 section 7.1"},
		{"-5\r\n", "RFC 9112 section 7.1"},
		{"+5\r\n", "RFC 9112 section 7.1"},
		{" 5\r\n", "RFC 9112 section 7.1"},
		{"\r\n", "RFC 9112 section 7.1"},
		{"1234567890abcdef0\r\n", "RFC 9112 section 7.1"},
		{"5\r\nhelloX\r\n0\r\n\r\n", "RFC 9112 section 7.1"},
		{"5\r\nhello\n0\r\n\r\n", "RFC 9112 section 7.1"},
		{"5\nhello\r\n", "RFC 9112 section 7.1"},
		{"5\r\r\n", "RFC 9112 section 7.1"},
		{"5\x00\r\n", "RFC 9112 section 7.1"},
		{"0x5\r\n", "RFC 9112 section 7.1.1"},
		{"5 \r\n", "RFC 9112 section 7.1.1"},
		{"5x\r\n", "RFC 9112 section 7.1.1"},
		{"5;\r\n", "RFC 9112 section 7.1.1"},
		{"5;a=\r\n", "RFC 9112 section 7.1.1"},
		{"5;a=\"b\r\n", "RFC 9112 section 7.1.1"},
		{"0\r\nX-T : 1\r\n\r\n", "RFC 9112 section 7.1.2"},
		{"0\r\n folded\r\n\r\n", "RFC 9112 section 7.1.2"},
		{"5;" + strings.Repeat("a", 10_000), "RFC 9112 section 7.1"},
		{"0\r\n" + strings.Repeat("X-T: 1\r\n", 3000), "RFC 9112 section 7.1"},
	} {
		status, _, _, err := consumeChunks(c.body, false)
		if status != ChunkedError || err == nil || err.Status != 400 || err.Section != c.section {
			t.Errorf("%.40q: status %v, %v; want 400 citing %s", c.body, status, err, c.section)
		}
	}
}

func TestChunkedAcceptsNothingAfterItsEnd(t *testing.T) {
	var f ChunkedFramer
	if _, status := f.Consume([]byte("0\r\n\r\n"), nil); status != ChunkedDone {
		t.Fatalf("status %v", status)
	}
	if n, status := f.Consume([]byte("more"), nil); n != 0 || status != ChunkedDone {
		t.Errorf("after the end: consumed %d, status %v", n, status)
	}
}
