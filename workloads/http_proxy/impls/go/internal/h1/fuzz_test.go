package h1

import (
	"errors"
	"testing"
)

// FuzzParsers feeds arbitrary bytes to the request, response and chunked parsers: none may panic, a
// complete head must lie inside the buffer, and every refusal must carry a status the SPEC's tables
// name. `go test` replays the seeds; `go test -fuzz FuzzParsers ./internal/h1` searches for more.
func FuzzParsers(f *testing.F) {
	for _, seed := range []string{
		"GET /r/1?size=1 HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"b\"\r\nhello\r\n0\r\nX: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"\r\n\r\nGET * HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	} {
		f.Add([]byte(seed))
	}
	statuses := map[int]bool{400: true, 414: true, 431: true, 501: true, 502: true, 505: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		var req Request
		err := req.Parse(data, DefaultLimits)
		var refused *Error
		switch {
		case err == nil:
			if req.HeadBytes <= 0 || req.HeadBytes > len(data) || req.HeadBytes > DefaultLimits.MaxHeadBytes {
				t.Fatalf("request head of %d bytes in a buffer of %d", req.HeadBytes, len(data))
			}
		case errors.As(err, &refused):
			if !statuses[refused.Status] || refused.Status == 502 {
				t.Fatalf("request refused with %d", refused.Status)
			}
		case !errors.Is(err, ErrIncomplete):
			t.Fatalf("unexpected error %v", err)
		}
		var resp Response
		if err := resp.Parse(data, false, DefaultLimits); errors.As(err, &refused) && refused.Status != 502 {
			t.Fatalf("response refused with %d", refused.Status)
		} else if err == nil && (resp.HeadBytes <= 0 || resp.HeadBytes > len(data)) {
			t.Fatalf("response head of %d bytes in a buffer of %d", resp.HeadBytes, len(data))
		}
		var framer ChunkedFramer
		var decoded []byte
		consumed, status := framer.Consume(data, &decoded)
		if consumed < 0 || consumed > len(data) || len(decoded) > consumed || (status == ChunkedError) != (framer.Err() != nil) {
			t.Fatalf("chunked: consumed %d of %d, decoded %d, status %v, error %v", consumed, len(data), len(decoded), status, framer.Err())
		}
	})
}
