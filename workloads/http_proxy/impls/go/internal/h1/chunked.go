package h1

// ChunkedStatus is where a chunked body stands after ChunkedFramer.Consume.
type ChunkedStatus int

const (
	ChunkedNeedMore ChunkedStatus = iota // the body goes on
	ChunkedDone                          // the last chunk and the trailer section have passed
	ChunkedError                         // the framing broke a rule: ChunkedFramer.Err says which
)

const (
	maxChunkLineBytes = 4096      // a chunk-size line with its extensions, or one trailer line
	maxTrailerBytes   = 16 * 1024 // the whole trailer section
)

type chunkedState int

const (
	stateSizeLine chunkedState = iota
	stateData
	stateDataCR
	stateDataLF
	stateTrailerLine
	stateDone
	stateError
)

// ChunkedFramer checks the framing of a chunked body as it streams past (RFC 9112 section 7.1): chunk
// sizes in hex without sign or whitespace (at most 15 digits), extensions that are tokens or quoted
// strings, CRLF after each chunk's data, trailer fields under the rules of header fields, and bounds on
// the size lines and the trailers. The caller forwards the bytes Consume accepted verbatim, so framing
// is verified, never rewritten. The zero value is ready for a new body; not safe for concurrent use.
type ChunkedFramer struct {
	state        chunkedState
	line         []byte // the size or trailer line being collected (bounded)
	remaining    int64  // data bytes left in the current chunk
	trailerBytes int
	err          *Error
}

// Err says why the body was refused (after ChunkedError); Status is 400.
func (f *ChunkedFramer) Err() *Error { return f.err }

// Consume accepts a prefix of in: up to the end of the body, or all of it, and returns how many bytes it
// accepted. When decoded is not nil, the chunk data (without framing) is appended to it. After
// ChunkedDone or ChunkedError it accepts nothing and returns the same status.
func (f *ChunkedFramer) Consume(in []byte, decoded *[]byte) (int, ChunkedStatus) {
	consumed := 0
	for consumed < len(in) && f.state != stateDone && f.state != stateError {
		switch f.state {
		case stateData:
			take := int(min(f.remaining, int64(len(in)-consumed)))
			if decoded != nil {
				*decoded = append(*decoded, in[consumed:consumed+take]...)
			}
			consumed += take
			f.remaining -= int64(take)
			if f.remaining == 0 {
				f.state = stateDataCR
			}
		case stateDataCR, stateDataLF:
			want := byte('\r')
			if f.state == stateDataLF {
				want = '\n'
			}
			if in[consumed] != want {
				return consumed, f.fail(secChunked, "chunk data not followed by CRLF")
			}
			consumed++
			if f.state == stateDataCR {
				f.state = stateDataLF
			} else {
				f.state = stateSizeLine
			}
		case stateSizeLine, stateTrailerLine:
			c := in[consumed]
			consumed++
			if status, done := f.lineByte(c); done {
				return consumed, status
			}
		}
	}
	return consumed, f.status()
}

func (f *ChunkedFramer) status() ChunkedStatus {
	switch f.state {
	case stateDone:
		return ChunkedDone
	case stateError:
		return ChunkedError
	}
	return ChunkedNeedMore
}

// lineByte adds one byte of a size or trailer line; done is set when Consume must return status now.
func (f *ChunkedFramer) lineByte(c byte) (status ChunkedStatus, done bool) {
	f.line = append(f.line, c)
	if f.state == stateTrailerLine {
		if f.trailerBytes++; f.trailerBytes > maxTrailerBytes {
			return f.fail(secChunked, "trailer section too large"), true
		}
	}
	if len(f.line) > maxChunkLineBytes {
		return f.fail(secChunked, "a chunk size line too long"), true
	}
	afterCR := len(f.line) >= 2 && f.line[len(f.line)-2] == '\r'
	switch {
	case c == '\r':
		if afterCR {
			return f.fail(secChunked, "a bare CR in chunk framing"), true
		}
	case c == '\n':
		if !afterCR {
			return f.fail(secChunked, "a bare LF in chunk framing"), true
		}
		body := f.line[:len(f.line)-2]
		var err *Error
		if f.state == stateSizeLine {
			err = f.finishSizeLine(body)
		} else {
			err = f.finishTrailerLine(body)
		}
		f.line = f.line[:0]
		if err != nil {
			f.state, f.err = stateError, err
			return ChunkedError, true
		}
		if f.state == stateDone {
			return ChunkedDone, true
		}
	case afterCR:
		return f.fail(secChunked, "a bare CR in chunk framing"), true
	case c == 0:
		return f.fail(secChunked, "a NUL byte in chunk framing"), true
	}
	return ChunkedNeedMore, false
}

func (f *ChunkedFramer) fail(section, reason string) ChunkedStatus {
	f.state, f.err = stateError, &Error{400, section, reason}
	return ChunkedError
}

// finishSizeLine reads "<hex>[chunk-ext]" and moves to the chunk's data, or to the trailers after the last.
func (f *ChunkedFramer) finishSizeLine(line []byte) *Error {
	var size int64
	digits := 0
	for ; digits < len(line); digits++ {
		value := hexValue(line[digits])
		if value < 0 {
			break
		}
		if digits >= 15 {
			return &Error{400, secChunked, "a chunk size too large"}
		}
		size = size*16 + int64(value)
	}
	if digits == 0 {
		return &Error{400, secChunked, "a chunk size that is not hexadecimal"}
	}
	if err := checkChunkExtensions(line[digits:]); err != nil {
		return err
	}
	f.remaining = size
	if size == 0 {
		f.state = stateTrailerLine
	} else {
		f.state = stateData
	}
	return nil
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// checkChunkExtensions accepts *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ), where a
// value is a token or a quoted string (RFC 9112 section 7.1.1).
func checkChunkExtensions(ext []byte) *Error {
	skipWhitespace := func() {
		for len(ext) > 0 && isWhitespace(ext[0]) {
			ext = ext[1:]
		}
	}
	tokenLength := func() int {
		n := 0
		for n < len(ext) && tokenChar[ext[n]] {
			n++
		}
		return n
	}
	for len(ext) > 0 {
		skipWhitespace()
		if len(ext) == 0 || ext[0] != ';' {
			return &Error{400, secChunkExt, "bytes after the chunk size that are not a chunk extension"}
		}
		ext = ext[1:]
		skipWhitespace()
		name := tokenLength()
		if name == 0 {
			return &Error{400, secChunkExt, "a chunk extension without a name"}
		}
		ext = ext[name:]
		probe := 0
		for probe < len(ext) && isWhitespace(ext[probe]) {
			probe++
		}
		if probe == len(ext) || ext[probe] != '=' {
			continue
		}
		ext = ext[probe+1:]
		skipWhitespace()
		if len(ext) > 0 && ext[0] == '"' {
			end := quotedStringEnd(ext)
			if end < 0 {
				return &Error{400, secChunkExt, "an unterminated or invalid quoted chunk extension value"}
			}
			ext = ext[end:]
			continue
		}
		value := tokenLength()
		if value == 0 {
			return &Error{400, secChunkExt, "a chunk extension with an empty value"}
		}
		ext = ext[value:]
	}
	return nil
}

// quotedStringEnd returns the length of the quoted string at the start of s (which opens with '"'), or -1
// when it does not close or holds a byte a field value may not.
func quotedStringEnd(s []byte) int {
	for j := 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '\\' && j+1 < len(s):
			j++
		case c == '"':
			return j + 1
		case !isFieldValueByte(c):
			return -1
		}
	}
	return -1
}

// finishTrailerLine checks one trailer field line; the empty line ends the body.
func (f *ChunkedFramer) finishTrailerLine(line []byte) *Error {
	if len(line) == 0 {
		f.state = stateDone
		return nil
	}
	if _, err := parseFieldLine(line, 400); err != nil {
		return &Error{400, secTrailer, err.Reason}
	}
	return nil
}
