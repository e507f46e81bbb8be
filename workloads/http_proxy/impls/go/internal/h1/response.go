package h1

// Response is a parsed response head. Its slices are views of the buffer given to Parse.
type Response struct {
	Head
	Status int
	Reason []byte
}

// badGateway is what every violation by an upstream is answered with.
const badGateway = 502

// Parse reads a response head at the start of buf, for a request whose method was HEAD when headRequest
// is set (its response has no body, whatever its fields say). Same contract as Request.Parse, with every
// *Error's Status 502; 1xx heads are returned as they are (the caller forwards them and parses the next).
func (r *Response) Parse(buf []byte, headRequest bool, limits Limits) error {
	r.reset()
	r.Status, r.Reason = 0, nil
	reader := lineReader{buf: buf, maxBytes: limits.MaxHeadBytes}
	line, result := reader.next()
	switch result {
	case lineIncomplete:
		return ErrIncomplete
	case lineTooLong:
		return &Error{badGateway, secTooLarge, "the upstream's status line is too long"}
	case lineBadEnding:
		return &Error{badGateway, secMessage, "a bare CR or LF, or a line not ending in CRLF"}
	}
	// status-line = HTTP-version SP status-code SP [ reason-phrase ]
	if len(line) < 12 || line[8] != ' ' {
		return &Error{badGateway, secStatusLine, "a malformed status line"}
	}
	minor, err := parseVersion(line[:8], badGateway)
	if err != nil {
		return err
	}
	r.VersionMinor = minor
	code := line[9:12]
	if code[0] < '1' || code[0] > '5' || !isDigit(code[1]) || !isDigit(code[2]) {
		return &Error{badGateway, secStatusLine, "a malformed status code"}
	}
	r.Status = int(code[0]-'0')*100 + int(code[1]-'0')*10 + int(code[2]-'0')
	if len(line) > 12 {
		if line[12] != ' ' {
			return &Error{badGateway, secStatusLine, "a malformed status line"}
		}
		r.Reason = line[13:]
		for _, c := range r.Reason {
			if !isFieldValueByte(c) {
				return &Error{badGateway, secStatusLine, "a control byte in the reason phrase"}
			}
		}
	}
	if err := parseFields(&reader, limits, &r.Head, badGateway); err != nil {
		return err
	}
	if err := decideFraming(&r.Head, false, badGateway); err != nil {
		return err
	}
	// Responses that never have a body, whatever their fields say (RFC 9112 section 6.3 items 1 and 2).
	if headRequest || r.Status < 200 || r.Status == 204 || r.Status == 304 {
		r.Framing = NoBody
	}
	decideConnection(&r.Head)
	if r.Framing == UntilClose {
		r.ConnectionClose = true
	}
	return nil
}
