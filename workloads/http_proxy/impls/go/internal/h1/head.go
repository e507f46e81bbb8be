// Package h1 is the strict HTTP/1.1 framing the proxy relies on (RFC 9112, RFC 9110): request and
// response heads, chunked bodies, and the hop-by-hop rules.
//
// Design: a proxy that forwards a message whose length two parties could read differently lets an
// attacker hide a second request inside the first ("request smuggling"), so nothing here guesses. Whatever
// a recipient could read in more than one way (Content-Length beside Transfer-Encoding, duplicate or
// list-valued Content-Length, obs-fold, whitespace before the colon, a bare CR or LF, a final coding other
// than chunked, ...) is an *Error carrying the status to answer with and the RFC section that forbids it
// (workloads/http_proxy/SPEC.md, "Strict parsing"). Go's net/http cannot be used for this: it merges equal
// Content-Length values, lets Transfer-Encoding win over Content-Length and answers errors itself. The
// parsers are pure (no I/O) and work on views of the caller's buffer: a parsed head's slices are valid
// until the caller changes that buffer. Comparisons are ASCII-only: bytes.EqualFold folds Unicode too
// (U+212A KELVIN SIGN equals 'k'), which would let "chun\u212aed" pass for "chunked".
package h1

import "errors"

// Limits bound what a head may take, so that an oversized message is an error instead of unbounded
// buffering.
type Limits struct {
	MaxHeadBytes   int // request or status line, fields and the final CRLF; beyond it: 431
	MaxTargetBytes int // the request-target; beyond it: 414
	MaxFields      int // field lines; beyond it: 431
}

// DefaultLimits are SPEC.md's: a 16 KiB head, an 8 KiB target, 128 fields.
var DefaultLimits = Limits{MaxHeadBytes: 16 * 1024, MaxTargetBytes: 8 * 1024, MaxFields: 128}

// ErrIncomplete says that the buffer holds the beginning of a head and nothing so far breaks a rule or a
// limit: read more and parse again.
var ErrIncomplete = errors.New("h1: incomplete head")

// Error is a message refused by the strict rules: answer Status (400, 414, 431, 501, 505 for requests;
// 502 for everything an upstream sends) and close.
type Error struct {
	Status  int
	Section string // e.g. "RFC 9112 section 6.3"
	Reason  string // e.g. "Content-Length together with Transfer-Encoding"
}

func (e *Error) Error() string { return e.Reason + " (" + e.Section + ")" }

// The RFC sections the errors name.
const (
	secMessage          = "RFC 9112 section 2.2"
	secRequestLine      = "RFC 9112 section 3"
	secVersion          = "RFC 9112 section 2.3"
	secHost             = "RFC 9112 section 3.2"
	secStatusLine       = "RFC 9112 section 4"
	secFieldSyntax      = "RFC 9112 section 5.1"
	secObsFold          = "RFC 9112 section 5.2"
	secTransferEncoding = "RFC 9112 section 6.1"
	secBodyLength       = "RFC 9112 section 6.3"
	secChunked          = "RFC 9112 section 7.1"
	secChunkExt         = "RFC 9112 section 7.1.1"
	secTrailer          = "RFC 9112 section 7.1.2"
	secFieldValues      = "RFC 9110 section 5.5"
	secContentLength    = "RFC 9110 section 8.6"
	secTooLarge         = "RFC 6585 section 5"
	secURITooLong       = "RFC 9110 section 15.5.15"
	secNotImplemented   = "RFC 9110 section 15.6.2"
)

// Framing says where a message body ends.
type Framing int

const (
	NoBody        Framing = iota // no body (Content-Length: 0 is ContentLength with length 0)
	ContentLength                // exactly Head.ContentLength bytes
	Chunked                      // chunked is the final coding: check it with a ChunkedFramer
	UntilClose                   // responses only: the body ends when the upstream closes
)

// Field is one field line: its name as received (case preserved) and its value without surrounding
// whitespace. Both are views of the parsed buffer.
type Field struct {
	Name, Value []byte
}

// Head is what request and response heads share.
type Head struct {
	VersionMinor    int // HTTP/1.<minor>: 0 or 1 (a higher minor is read as 1)
	Fields          []Field
	Framing         Framing
	ContentLength   int64 // ContentLength framing only
	ConnectionClose bool  // "Connection: close", or HTTP/1.0 without "keep-alive"
	HeadBytes       int   // bytes of the head, the final CRLF included
}

// Get returns the value of the first field called name (ASCII case-insensitive) and whether there is one.
func (h *Head) Get(name string) ([]byte, bool) {
	for i := range h.Fields {
		if EqualFold(h.Fields[i].Name, name) {
			return h.Fields[i].Value, true
		}
	}
	return nil, false
}

// reset clears h for the next parse, keeping the field slice's capacity so that parsing into a reused
// head does not allocate.
func (h *Head) reset() {
	*h = Head{Fields: h.Fields[:0]}
}

// tokenChar is tchar (RFC 9110 section 5.6.2), one load per byte.
var tokenChar = func() (table [256]bool) {
	for c := '0'; c <= '9'; c++ {
		table[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		table[c] = true
		table[c-'a'+'A'] = true
	}
	for _, c := range []byte("!#$%&'*+-.^_`|~") {
		table[c] = true
	}
	return table
}()

func isToken(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	for _, c := range s {
		if !tokenChar[c] {
			return false
		}
	}
	return true
}

func isWhitespace(c byte) bool { return c == ' ' || c == '\t' }

// isFieldValueByte is field-vchar, SP or HTAB, obs-text included: everything but NUL, CR, LF, the other
// controls and DEL.
func isFieldValueByte(c byte) bool { return c == '\t' || (c >= 0x20 && c != 0x7f) }

func trim(s []byte) []byte {
	for len(s) > 0 && isWhitespace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isWhitespace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EqualFold reports whether a and b are equal under ASCII case folding (and only ASCII: see the package
// comment).
func EqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// forEachListElement calls visit with each non-empty, trimmed element of a comma-separated list (RFC 9110
// section 5.6.1).
func forEachListElement(list []byte, visit func(element []byte)) {
	for {
		element, rest, more := cut(list, ',')
		if element = trim(element); len(element) > 0 {
			visit(element)
		}
		if !more {
			return
		}
		list = rest
	}
}

func cut(s []byte, sep byte) (before, after []byte, found bool) {
	for i, c := range s {
		if c == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, nil, false
}

// parseFieldLine checks one field line (without its CRLF) and splits it; status is what a violation is
// answered with.
func parseFieldLine(line []byte, status int) (Field, *Error) {
	if len(line) > 0 && isWhitespace(line[0]) {
		return Field{}, &Error{status, secObsFold, "obsolete line folding (a field line starting with whitespace)"}
	}
	name, value, found := cut(line, ':')
	switch {
	case !found:
		return Field{}, &Error{status, secFieldSyntax, "a field line without a colon"}
	case len(name) == 0:
		return Field{}, &Error{status, secFieldSyntax, "an empty field name"}
	case isWhitespace(name[len(name)-1]):
		return Field{}, &Error{status, secFieldSyntax, "whitespace between a field name and the colon"}
	case !isToken(name):
		return Field{}, &Error{status, secFieldSyntax, "an invalid byte in a field name"}
	}
	for _, c := range value {
		if !isFieldValueByte(c) {
			return Field{}, &Error{status, secFieldValues, "NUL, CR, LF or another control byte in a field value"}
		}
	}
	return Field{Name: name, Value: trim(value)}, nil
}

// lineResult is what lineReader.next found.
type lineResult int

const (
	lineOK         lineResult = iota
	lineIncomplete            // no LF yet, and the head is still within its limit
	lineTooLong               // the head passes its limit before its end
	lineBadEnding             // a line not ending in CRLF, or a CR inside it
)

// lineReader hands out the lines of a head, each checked for its CRLF ending and for bare CRs.
type lineReader struct {
	buf      []byte
	maxBytes int
	pos      int
}

// next returns the next line without its CRLF.
func (r *lineReader) next() ([]byte, lineResult) {
	newline := -1
	for i := r.pos; i < len(r.buf); i++ {
		if r.buf[i] == '\n' {
			newline = i
			break
		}
	}
	if newline < 0 {
		if len(r.buf) > r.maxBytes {
			return nil, lineTooLong
		}
		return nil, lineIncomplete
	}
	if newline+1 > r.maxBytes {
		return nil, lineTooLong
	}
	if newline == r.pos || r.buf[newline-1] != '\r' {
		return nil, lineBadEnding
	}
	line := r.buf[r.pos : newline-1]
	for _, c := range line {
		if c == '\r' {
			return nil, lineBadEnding
		}
	}
	r.pos = newline + 1
	return line, lineOK
}

// parseVersion reads "HTTP/1.x" into the minor version.
func parseVersion(text []byte, status int) (int, *Error) {
	if len(text) != 8 || string(text[:5]) != "HTTP/" || text[6] != '.' || !isDigit(text[5]) || !isDigit(text[7]) {
		return 0, &Error{status, secVersion, "a malformed HTTP version"}
	}
	if text[5] != '1' {
		if status == 400 {
			status = 505
		}
		return 0, &Error{status, secVersion, "an HTTP major version other than 1"}
	}
	if text[7] == '0' {
		return 0, nil
	}
	return 1, nil // a higher minor version is answered as the highest we support (RFC 9112 section 2.3)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// parseFields reads field lines up to the empty line and sets h.HeadBytes. status answers violations;
// the limits answer 431 for requests and status for responses.
func parseFields(r *lineReader, limits Limits, h *Head, status int) error {
	tooLarge := status
	if status == 400 {
		tooLarge = 431
	}
	for {
		line, result := r.next()
		switch result {
		case lineIncomplete:
			return ErrIncomplete
		case lineTooLong:
			return &Error{tooLarge, secTooLarge, "the header section is too large"}
		case lineBadEnding:
			return &Error{status, secMessage, "a bare CR or LF, or a line not ending in CRLF"}
		}
		if len(line) == 0 {
			h.HeadBytes = r.pos
			return nil
		}
		if len(h.Fields) >= limits.MaxFields {
			return &Error{tooLarge, secTooLarge, "too many header fields"}
		}
		field, err := parseFieldLine(line, status)
		if err != nil {
			return err
		}
		h.Fields = append(h.Fields, field)
	}
}

// decideFraming applies RFC 9112 section 6 to Content-Length and Transfer-Encoding, the two fields that
// decide where a message ends. isRequest selects the request-only rules.
func decideFraming(h *Head, isRequest bool, status int) *Error {
	var contentLength *Field
	hasTransferEncoding, chunkedFinal, chunkedNotFinal, unknownCoding := false, false, false, false
	for i := range h.Fields {
		field := &h.Fields[i]
		switch {
		case EqualFold(field.Name, "content-length"):
			if contentLength != nil {
				return &Error{status, secContentLength, "more than one Content-Length field"}
			}
			contentLength = field
		case EqualFold(field.Name, "transfer-encoding"):
			hasTransferEncoding = true
			forEachListElement(field.Value, func(coding []byte) {
				if chunkedFinal {
					chunkedNotFinal = true // anything after chunked, another chunked included
				}
				chunkedFinal = EqualFold(coding, "chunked")
				if !chunkedFinal && !EqualFold(coding, "gzip") && !EqualFold(coding, "deflate") &&
					!EqualFold(coding, "compress") && !EqualFold(coding, "x-gzip") {
					unknownCoding = true
				}
			})
		}
	}
	if hasTransferEncoding {
		switch {
		case contentLength != nil:
			return &Error{status, secBodyLength, "Content-Length together with Transfer-Encoding"}
		case h.VersionMinor == 0:
			return &Error{status, secTransferEncoding, "Transfer-Encoding in an HTTP/1.0 message"}
		case chunkedNotFinal:
			return &Error{status, secTransferEncoding, "the chunked coding applied more than once"}
		case isRequest && unknownCoding:
			return &Error{501, secNotImplemented, "an unknown transfer coding"}
		case !chunkedFinal && isRequest:
			return &Error{status, secBodyLength, "a Transfer-Encoding whose final coding is not chunked"}
		case !chunkedFinal:
			h.Framing = UntilClose
		default:
			h.Framing = Chunked
		}
		return nil
	}
	if contentLength != nil {
		length, ok := parseContentLength(contentLength.Value)
		if !ok {
			return &Error{status, secContentLength, "an invalid Content-Length"}
		}
		h.Framing, h.ContentLength = ContentLength, length
		return nil
	}
	if isRequest {
		h.Framing = NoBody
	} else {
		h.Framing = UntilClose
	}
	return nil
}

// maxContentLength bounds a body's length (2^62 bytes), far beyond anything real and far from overflow.
const maxContentLength = 1 << 62

// parseContentLength accepts 1 to 18 decimal digits and nothing else: no sign, no list, no whitespace.
func parseContentLength(digits []byte) (int64, bool) {
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var length int64
	for _, c := range digits {
		if !isDigit(c) {
			return 0, false
		}
		length = length*10 + int64(c-'0')
	}
	return length, length <= maxContentLength
}

// decideConnection sets ConnectionClose from every Connection field and the version.
func decideConnection(h *Head) {
	close, keepAlive := false, false
	for i := range h.Fields {
		if !EqualFold(h.Fields[i].Name, "connection") {
			continue
		}
		forEachListElement(h.Fields[i].Value, func(option []byte) {
			close = close || EqualFold(option, "close")
			keepAlive = keepAlive || EqualFold(option, "keep-alive")
		})
	}
	h.ConnectionClose = close || (h.VersionMinor == 0 && !keepAlive)
}
