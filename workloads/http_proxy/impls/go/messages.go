package main

import (
	"strconv"

	"claimbench/http_proxy/internal/h1"
)

// statusText is the reason phrase of each status the proxy answers itself.
func statusText(status int) string {
	switch status {
	case 400:
		return "Bad Request"
	case 408:
		return "Request Timeout"
	case 414:
		return "URI Too Long"
	case 431:
		return "Request Header Fields Too Large"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	}
	return "Error"
}

// errorResponse is a whole response that says why, as text/plain, and announces the close that follows.
func errorResponse(status int, why string) []byte {
	body := why + "\n"
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " " + statusText(status) +
		"\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " + strconv.Itoa(len(body)) +
		"\r\n\r\n" + body)
}

func isContinueExpectation(f *h1.Field) bool {
	return h1.EqualFold(f.Name, "expect") && h1.EqualFold(f.Value, "100-continue")
}

func appendField[Name string | []byte](b []byte, name Name, value []byte) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

// appendUpstreamHead appends the request head as the upstream gets it: HTTP/1.1, hop-by-hop fields and a
// 100-continue expectation (answered by the proxy) removed, the chunked coding restated, a Host for an
// HTTP/1.0 request without one (RFC 9112 section 3.2), and clientAddress appended to X-Forwarded-For.
// forwardedFor is scratch space, returned for reuse.
func appendUpstreamHead(b []byte, req *h1.Request, upstream, clientAddress string, forwardedFor []byte) ([]byte, []byte) {
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, req.Target...)
	b = append(b, " HTTP/1.1\r\n"...)
	forwardedFor = forwardedFor[:0]
	hasHost := false
	for i := range req.Fields {
		f := &req.Fields[i]
		switch {
		case h1.EqualFold(f.Name, "x-forwarded-for"):
			if len(forwardedFor) > 0 {
				forwardedFor = append(forwardedFor, ", "...)
			}
			forwardedFor = append(forwardedFor, f.Value...)
		case req.IsHopByHop(f.Name), isContinueExpectation(f):
		default:
			hasHost = hasHost || h1.EqualFold(f.Name, "host")
			b = appendField(b, f.Name, f.Value)
		}
	}
	b = appendChunkedCoding(b, &req.Head)
	if !hasHost && req.VersionMinor == 0 {
		b = appendField(b, "Host", []byte(upstream))
	}
	if len(forwardedFor) > 0 {
		forwardedFor = append(forwardedFor, ", "...)
	}
	forwardedFor = append(forwardedFor, clientAddress...)
	b = appendField(b, "X-Forwarded-For", forwardedFor)
	return append(b, "\r\n"...), forwardedFor
}

// appendChunkedCoding restates the Transfer-Encoding fields (hop-by-hop, so dropped with the others) of
// a chunked message that is forwarded as it is.
func appendChunkedCoding(b []byte, h *h1.Head) []byte {
	if h.Framing != h1.Chunked {
		return b
	}
	for i := range h.Fields {
		if h1.EqualFold(h.Fields[i].Name, "transfer-encoding") {
			b = appendField(b, "Transfer-Encoding", h.Fields[i].Value)
		}
	}
	return b
}

// appendClientHead appends the response head as the client gets it: HTTP/1.1, hop-by-hop fields removed,
// the chunked coding restated unless dechunk (an HTTP/1.0 client gets the body without it, then a
// close), and the Connection field the client needs.
func appendClientHead(b []byte, resp *h1.Response, close, dechunk bool, clientMinor int) []byte {
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(resp.Status), 10)
	b = append(b, ' ')
	b = append(b, resp.Reason...)
	b = append(b, "\r\n"...)
	for i := range resp.Fields {
		if f := &resp.Fields[i]; !resp.IsHopByHop(f.Name) {
			b = appendField(b, f.Name, f.Value)
		}
	}
	if !dechunk {
		b = appendChunkedCoding(b, &resp.Head)
	}
	switch {
	case close:
		b = append(b, "Connection: close\r\n"...)
	case clientMinor == 0:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...)
}
