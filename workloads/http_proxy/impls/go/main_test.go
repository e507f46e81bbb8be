package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"claimbench/http_proxy/proxytest"
)

// TestMain: the test binary is also the proxy (proxytest).
func TestMain(m *testing.M) {
	if proxytest.RunMainIfChild(main) {
		return
	}
	os.Exit(m.Run())
}

func TestPoolKeepsUpstreamConnectionsAliveForManyClientsAndRoundRobins(t *testing.T) {
	proxytest.CheckPoolReuseAndRoundRobin(t)
}

func TestSIGTERMExits0PromptlyWithIdleKeepAliveConnections(t *testing.T) {
	proxytest.CheckSIGTERMExits0PromptlyWithAnIdleConnection(t)
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) { proxytest.CheckUsageErrors(t, serve) }

func TestForwardsThroughATinyOriginWithTheSpecsHeaderHandling(t *testing.T) {
	o := proxytest.StartOrigin(t, "0")
	_, address := proxytest.StartProxy(t, []string{o.Address()})
	c := proxytest.Dial(t, address)
	resp, body := c.MustDo(t, "GET /x HTTP/1.1\r\nHost: example\r\nConnection: X-Secret\r\nX-Secret: 1\r\n"+
		"Keep-Alive: 300\r\nX-Forwarded-For: 10.0.0.1\r\nX-Keep: yes\r\n\r\n")
	if resp.StatusCode != 200 || body != "hello" || resp.Header.Get("X-Origin") != "0" {
		t.Errorf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("X-Private") != "" || resp.Header.Get("Connection") != "" {
		t.Errorf("hop-by-hop fields reached the client: %v", resp.Header)
	}
	resp, body = c.MustDo(t, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
	if resp.StatusCode != 200 || body != "echo:abcde" {
		t.Errorf("chunked POST: %d %q", resp.StatusCode, body)
	}
	resp, body = c.MustDo(t, "GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n")
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" || body != "first second" {
		t.Errorf("chunked response: %v %q", resp.TransferEncoding, body)
	}
	first := o.Head(0)
	if got := first.Get("X-Forwarded-For"); got != "10.0.0.1, 127.0.0.1" {
		t.Errorf("X-Forwarded-For upstream: %q", got)
	}
	if first.Get("X-Secret") != "" || first.Get("Keep-Alive") != "" || first.Get("X-Keep") != "yes" {
		t.Errorf("fields upstream: %v", first)
	}
	if n := o.Accepted.Load(); n != 1 {
		t.Errorf("the origin accepted %d connections for three requests in a row, want 1 (kept alive)", n)
	}
}

func TestHTTP10ClientGetsTheBodyDechunkedAndAClose(t *testing.T) {
	o := proxytest.StartOrigin(t, "0")
	_, address := proxytest.StartProxy(t, []string{o.Address()})
	c := proxytest.Dial(t, address)
	_, _ = io.WriteString(c.Conn, "GET /chunked HTTP/1.0\r\n\r\n")
	all, err := io.ReadAll(c.In)
	if err != nil {
		t.Fatal(err)
	}
	if head, body, _ := strings.Cut(string(all), "\r\n\r\n"); body != "first second" ||
		strings.Contains(head, "Transfer-Encoding") || !strings.Contains(head, "Connection: close") {
		t.Errorf("got %q", all)
	}
}

// openDescriptors counts a process's open file descriptors.
func openDescriptors(t *testing.T, pid int) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestMalformedRequestsGetTheSpecsAnswerAndLeakNothing(t *testing.T) {
	o := proxytest.StartOrigin(t, "0")
	cmd, address := proxytest.StartProxy(t, []string{o.Address()})
	bad := []struct{ request, status, section string }{
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", "400", "RFC 9112 section 6.3"},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx", "400", "RFC 9110 section 8.6"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", "400", "RFC 9112 section 5.2"},
		{"GET / HTTP/1.1\r\nHost: a\r\n\x01\r\n\r\n", "400", "RFC 9112 section 5.1"},
		{"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", "400", "RFC 9112 section 3"},
		{"GET / HTTP/9.9\r\n\r\n", "505", "RFC 9112 section 2.3"},
		{"CONNECT a:1 HTTP/1.1\r\nHost: a\r\n\r\n", "501", "RFC 9110 section 15.6.2"},
		{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400", "RFC 9112 section 7.1"},
		{"GET /\x00 HTTP/1.1\r\n\r\n", "400", "RFC 9112 section 3"},
		{"GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\n", "414", "RFC 9110 section 15.5.15"},
		{"GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("a", 17000), "431", "RFC 6585 section 5"},
	}
	warm := proxytest.Dial(t, address)
	warm.MustDo(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n") // one pooled upstream connection, before the count
	warm.Conn.Close()
	time.Sleep(50 * time.Millisecond)
	before := openDescriptors(t, cmd.Process.Pid)
	for i := range 600 {
		c := bad[i%len(bad)]
		conn := proxytest.Dial(t, address)
		_, _ = io.WriteString(conn.Conn, c.request)
		answer, err := io.ReadAll(conn.In) // until the proxy closes
		conn.Conn.Close()
		if err != nil || !bytes.HasPrefix(answer, []byte("HTTP/1.1 "+c.status+" ")) ||
			!bytes.Contains(answer, []byte(c.section)) || !bytes.Contains(answer, []byte("Connection: close\r\n")) {
			t.Fatalf("%.50q: %v, answered %.120q", c.request, err, answer)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if after := openDescriptors(t, cmd.Process.Pid); after > before {
		t.Errorf("%d descriptors open before the malformed requests, %d after", before, after)
	}
	if resp, body := proxytest.Dial(t, address).MustDo(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 || body != "hello" {
		t.Errorf("after the flood: %d %q", resp.StatusCode, body)
	}
}

func TestUpstreamFailuresAre502And504(t *testing.T) {
	probe, _ := net.Listen("tcp", "127.0.0.1:0")
	nobody := probe.Addr().String()
	probe.Close()
	_, address := proxytest.StartProxy(t, []string{nobody})
	if resp, _ := proxytest.Dial(t, address).MustDo(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 502 {
		t.Errorf("a refused upstream: %d, want 502", resp.StatusCode)
	}
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts (the kernel does) and never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_, address = proxytest.StartProxy(t, []string{silent.Addr().String()}, "--upstream-read-timeout-ms", "200")
	if resp, _ := proxytest.Dial(t, address).MustDo(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 504 {
		t.Errorf("a silent upstream: %d, want 504", resp.StatusCode)
	}
}

// TestPassesTheReferenceConformanceSuite runs the C++ reference's RFC-named end-to-end tests
// (impls/cpp/proxy_test.cc) against this proxy. The harness's [test] command names the C++ build in
// CLAIMBENCH_BUILD_DIR; without it (go test by hand) the test is skipped.
func TestPassesTheReferenceConformanceSuite(t *testing.T) {
	buildDir := os.Getenv("CLAIMBENCH_BUILD_DIR")
	suite := filepath.Join(buildDir, "workloads", "http_proxy", "impls", "cpp", "http_proxy_test")
	if _, err := os.Stat(suite); buildDir == "" || err != nil {
		t.Skipf("the conformance suite is not built (%s); build it with cmake --build build/release --target http_proxy_test", suite)
	}
	cmd := exec.Command(suite)
	cmd.Env = append(proxytest.ChildEnvironment(), "CLAIMBENCH_HTTP_PROXY_UNDER_TEST="+os.Args[0])
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s: %v\n%s", suite, err, output)
	} else {
		t.Logf("%s", output[bytes.LastIndex(output, []byte("[==========]")):])
	}
}

// A pooled connection that sends an interim 103 and then closes gets the request retried on a fresh
// connection, with the request's own head (not the interim head the client was sent).
func TestARetryAfterAnInterimResponseSendsTheRequestAgain(t *testing.T) {
	upstream, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer upstream.Close()
	firstLines := make(chan string, 4)
	go func() {
		for served := 0; ; served++ {
			conn, err := upstream.Accept()
			if err != nil {
				return
			}
			in := bufio.NewReader(conn)
			for request := 0; ; request++ {
				line, err := in.ReadString('\n')
				if err != nil {
					break
				}
				firstLines <- strings.TrimSpace(line)
				for line != "\r\n" && err == nil { // the rest of the head
					line, err = in.ReadString('\n')
				}
				if served == 0 && request == 1 { // the second request on the pooled connection
					_, _ = io.WriteString(conn, "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n")
					break
				}
				_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			}
			conn.Close()
		}
	}()
	_, address := proxytest.StartProxy(t, []string{upstream.Addr().String()})
	c := proxytest.Dial(t, address)
	if resp, body := c.MustDo(t, "GET /first HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 || body != "ok" {
		t.Fatalf("GET /first: %d %q", resp.StatusCode, body)
	}
	if resp, _ := c.MustDo(t, "GET /second HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 103 {
		t.Fatalf("GET /second: %d first, want the interim 103", resp.StatusCode)
	}
	if resp, err := http.ReadResponse(c.In, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /second after the 103: %v %v", resp, err)
	}
	for _, want := range []string{"GET /first HTTP/1.1", "GET /second HTTP/1.1", "GET /second HTTP/1.1"} {
		if got := <-firstLines; got != want {
			t.Errorf("the upstream got %q, want %q", got, want)
		}
	}
}
