package h1

import "bytes"

// Request is a parsed request head. Its slices are views of the buffer given to Parse.
type Request struct {
	Head
	Method, Target []byte
	Host           []byte // the Host field's value (required in HTTP/1.1)
}

// Parse reads a request head at the start of buf. It returns nil when the head is complete (r is filled),
// ErrIncomplete when more bytes are needed, or an *Error saying what to answer. Reusing one Request
// across calls keeps its field slice, so parsing does not allocate.
func (r *Request) Parse(buf []byte, limits Limits) error {
	r.reset()
	reader := lineReader{buf: buf, maxBytes: limits.MaxHeadBytes}
	// A server SHOULD ignore at least one empty line before the request-line (RFC 9112 section 2.2); up
	// to two are ignored, the CRLF some clients add after a POST body.
	for range 2 {
		if bytes.HasPrefix(buf[reader.pos:], []byte("\r\n")) {
			reader.pos += 2
		}
	}
	line, result := reader.next()
	switch result {
	case lineIncomplete, lineTooLong:
		return checkPartialRequestLine(buf[reader.pos:], limits, result == lineTooLong)
	case lineBadEnding:
		return &Error{400, secMessage, "a bare CR or LF, or a line not ending in CRLF"}
	}
	if err := r.parseRequestLine(line, limits); err != nil {
		return err
	}
	if err := parseFields(&reader, limits, &r.Head, 400); err != nil {
		return err
	}
	hostFields := 0
	for i := range r.Fields {
		if EqualFold(r.Fields[i].Name, "host") {
			hostFields++
			r.Host = r.Fields[i].Value
		}
	}
	switch {
	case hostFields > 1:
		return &Error{400, secHost, "more than one Host field"}
	case hostFields == 0 && r.VersionMinor == 1:
		return &Error{400, secHost, "no Host field in HTTP/1.1"}
	case !isValidHost(r.Host):
		return &Error{400, secHost, "an invalid Host field"}
	}
	if err := decideFraming(&r.Head, true, 400); err != nil {
		return err
	}
	decideConnection(&r.Head)
	return nil
}

// checkPartialRequestLine answers a request line that has not ended yet as early as it can: 400 once the
// method cannot be one (a TLS handshake, binary garbage), 414 once the target alone is too long, 431 once
// the line is longer than a whole head may be.
func checkPartialRequestLine(partial []byte, limits Limits, tooLong bool) error {
	firstSpace := bytes.IndexByte(partial, ' ')
	method := partial
	if firstSpace >= 0 {
		method = partial[:firstSpace]
	}
	if len(partial) > 0 && !isToken(method) {
		return &Error{400, secRequestLine, "an invalid method"}
	}
	if firstSpace >= 0 {
		target := partial[firstSpace+1:]
		if secondSpace := bytes.IndexByte(target, ' '); secondSpace >= 0 {
			target = target[:secondSpace]
		}
		if len(target) > limits.MaxTargetBytes {
			return &Error{414, secURITooLong, "the request-target is too long"}
		}
	}
	if tooLong || len(partial) > limits.MaxHeadBytes {
		return &Error{431, secTooLarge, "the request line is too long"}
	}
	return ErrIncomplete
}

// parseRequestLine splits "method SP request-target SP HTTP-version", single spaces and nothing else.
func (r *Request) parseRequestLine(line []byte, limits Limits) *Error {
	method, rest, ok1 := cut(line, ' ')
	target, version, ok2 := cut(rest, ' ')
	if !ok1 || !ok2 || bytes.IndexByte(version, ' ') >= 0 {
		return &Error{400, secRequestLine, "a malformed request line"}
	}
	r.Method, r.Target = method, target
	if !isToken(method) {
		return &Error{400, secRequestLine, "an invalid method"}
	}
	if len(target) > limits.MaxTargetBytes {
		return &Error{414, secURITooLong, "the request-target is too long"}
	}
	if len(target) == 0 {
		return &Error{400, secRequestLine, "an empty request-target"}
	}
	for _, c := range target {
		if c <= 0x20 || c >= 0x7f {
			return &Error{400, secRequestLine, "an invalid byte in the request-target"}
		}
	}
	if string(method) == "CONNECT" {
		return &Error{501, secNotImplemented, "CONNECT is not supported by a reverse proxy"}
	}
	originForm := target[0] == '/'
	asteriskForm := string(target) == "*" && string(method) == "OPTIONS"
	absoluteForm := bytes.HasPrefix(target, []byte("http://")) || bytes.HasPrefix(target, []byte("https://"))
	if !originForm && !asteriskForm && !absoluteForm {
		return &Error{400, secHost, "a request-target in no valid form"}
	}
	minor, err := parseVersion(version, 400)
	if err != nil {
		return err
	}
	r.VersionMinor = minor
	return nil
}

// isValidHost accepts the bytes of uri-host [ ":" port ] (RFC 3986); a Host with anything else cannot
// name an authority.
func isValidHost(host []byte) bool {
	for _, c := range host {
		ok := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) ||
			bytes.IndexByte([]byte("-._~!$&'()*+,;=:%[]"), c) >= 0
		if !ok {
			return false
		}
	}
	return true
}
