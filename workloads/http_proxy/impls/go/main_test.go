package main

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"claimbench/http_proxy/cli"
)

// TestMain lets the tests run this test binary as the proxy itself (the os/exec tests' pattern), so that
// exit statuses, marks, signals and descriptors are those of a real process.
func TestMain(m *testing.M) {
	if os.Getenv("HTTP_PROXY_TEST_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// proxyCommand returns the proxy as a child process with its marks on its stderr (CLAIMBENCH_MARK_FD=2).
func proxyCommand(args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "HTTP_PROXY_TEST_RUN_MAIN=1", "CLAIMBENCH_MARK_FD=2")
	return cmd
}

// startProxy runs `serve` on a free port in front of upstreams, waits for its ready mark, and stops it
// when the test ends.
func startProxy(t *testing.T, upstreams []string, args ...string) (*exec.Cmd, string) {
	t.Helper()
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	address := probe.Addr().String()
	probe.Close()
	argv := []string{"serve", "--listen", address}
	for _, upstream := range upstreams {
		argv = append(argv, "--upstream", upstream)
	}
	cmd := proxyCommand(append(argv, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	ready := make(chan bool, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "ready ") {
				ready <- true
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(10 * time.Second):
		t.Fatal("no ready mark within 10 s")
	}
	return cmd, address
}

// origin is a tiny upstream: net/http's test server, counting the connections it accepts.
type origin struct {
	*httptest.Server
	accepted atomic.Int64
	mu       sync.Mutex
	heads    []http.Header // what each request arrived with
}

func startOrigin(t *testing.T, index string) *origin {
	t.Helper()
	o := &origin{}
	o.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.heads = append(o.heads, r.Header.Clone())
		o.mu.Unlock()
		w.Header().Set("X-Origin", index)
		w.Header().Set("X-Private", "dropped because Connection names it")
		w.Header().Set("Connection", "X-Private")
		body, _ := io.ReadAll(r.Body)
		switch {
		case r.URL.Path == "/chunked": // no Content-Length and a flush: net/http chunks it
			_, _ = w.Write([]byte("first "))
			w.(http.Flusher).Flush()
			_, _ = w.Write([]byte("second"))
		case r.Method == http.MethodPost:
			_, _ = w.Write(append([]byte("echo:"), body...))
		default:
			w.Header().Set("Content-Length", "5")
			_, _ = w.Write([]byte("hello"))
		}
	}))
	o.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			o.accepted.Add(1)
		}
	}
	o.Start()
	t.Cleanup(o.Close)
	return o
}

func (o *origin) address() string { return strings.TrimPrefix(o.URL, "http://") }

// client is one keep-alive connection to the proxy that sends raw requests and reads responses.
type client struct {
	conn net.Conn
	in   *bufio.Reader
}

func dial(t *testing.T, address string) *client {
	t.Helper()
	conn, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &client{conn, bufio.NewReader(conn)}
}

// do sends raw and reads one response with net/http's client-side reader.
func (c *client) do(t *testing.T, raw string) (*http.Response, string) {
	t.Helper()
	if _, err := io.WriteString(c.conn, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(c.in, nil)
	if err != nil {
		t.Fatalf("reading the response to %.40q: %v", raw, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestForwardsThroughATinyOriginWithTheSpecsHeaderHandling(t *testing.T) {
	o := startOrigin(t, "0")
	_, address := startProxy(t, []string{o.address()})
	c := dial(t, address)
	resp, body := c.do(t, "GET /x HTTP/1.1\r\nHost: example\r\nConnection: X-Secret\r\nX-Secret: 1\r\n"+
		"Keep-Alive: 300\r\nX-Forwarded-For: 10.0.0.1\r\nX-Keep: yes\r\n\r\n")
	if resp.StatusCode != 200 || body != "hello" || resp.Header.Get("X-Origin") != "0" {
		t.Errorf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if resp.Header.Get("X-Private") != "" || resp.Header.Get("Connection") != "" {
		t.Errorf("hop-by-hop fields reached the client: %v", resp.Header)
	}
	resp, body = c.do(t, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n")
	if resp.StatusCode != 200 || body != "echo:abcde" {
		t.Errorf("chunked POST: %d %q", resp.StatusCode, body)
	}
	resp, body = c.do(t, "GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n")
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" || body != "first second" {
		t.Errorf("chunked response: %v %q", resp.TransferEncoding, body)
	}
	o.mu.Lock()
	first := o.heads[0]
	o.mu.Unlock()
	if got := first.Get("X-Forwarded-For"); got != "10.0.0.1, 127.0.0.1" {
		t.Errorf("X-Forwarded-For upstream: %q", got)
	}
	if first.Get("X-Secret") != "" || first.Get("Keep-Alive") != "" || first.Get("X-Keep") != "yes" {
		t.Errorf("fields upstream: %v", first)
	}
	if n := o.accepted.Load(); n != 1 {
		t.Errorf("the origin accepted %d connections for three requests in a row, want 1 (kept alive)", n)
	}
}

func TestHTTP10ClientGetsTheBodyDechunkedAndAClose(t *testing.T) {
	o := startOrigin(t, "0")
	_, address := startProxy(t, []string{o.address()})
	c := dial(t, address)
	_, _ = io.WriteString(c.conn, "GET /chunked HTTP/1.0\r\n\r\n")
	all, err := io.ReadAll(c.in)
	if err != nil {
		t.Fatal(err)
	}
	if head, body, _ := strings.Cut(string(all), "\r\n\r\n"); body != "first second" ||
		strings.Contains(head, "Transfer-Encoding") || !strings.Contains(head, "Connection: close") {
		t.Errorf("got %q", all)
	}
}

func TestPoolKeepsUpstreamConnectionsAliveForManyClientsAndRoundRobins(t *testing.T) {
	origins := []*origin{startOrigin(t, "0"), startOrigin(t, "1")}
	_, address := startProxy(t, []string{origins[0].address(), origins[1].address()}, "--threads", "2")
	const clients, requests = 8, 40
	var wg sync.WaitGroup
	seen := make([]atomic.Int64, 2)
	for range clients {
		c := dial(t, address)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range requests {
				resp, body := c.do(t, "GET /r HTTP/1.1\r\nHost: a\r\n\r\n")
				if index, err := strconv.Atoi(resp.Header.Get("X-Origin")); err == nil && body == "hello" {
					seen[index].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if seen[0].Load()+seen[1].Load() != clients*requests || seen[0].Load() != seen[1].Load() {
		t.Errorf("answers per origin %d and %d, want %d each", seen[0].Load(), seen[1].Load(), clients*requests/2)
	}
	for i, o := range origins { // net/http's default of 2 idle per host would open hundreds
		if n := o.accepted.Load(); n > clients {
			t.Errorf("origin %d accepted %d connections for %d concurrent clients", i, n, clients)
		}
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
	o := startOrigin(t, "0")
	cmd, address := startProxy(t, []string{o.address()})
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
	warm := dial(t, address)
	warm.do(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n") // one pooled upstream connection, before the count
	warm.conn.Close()
	time.Sleep(50 * time.Millisecond)
	before := openDescriptors(t, cmd.Process.Pid)
	for i := range 600 {
		c := bad[i%len(bad)]
		conn := dial(t, address)
		_, _ = io.WriteString(conn.conn, c.request)
		answer, err := io.ReadAll(conn.in) // until the proxy closes
		conn.conn.Close()
		if err != nil || !bytes.HasPrefix(answer, []byte("HTTP/1.1 "+c.status+" ")) ||
			!bytes.Contains(answer, []byte(c.section)) || !bytes.Contains(answer, []byte("Connection: close\r\n")) {
			t.Fatalf("%.50q: %v, answered %.120q", c.request, err, answer)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if after := openDescriptors(t, cmd.Process.Pid); after > before {
		t.Errorf("%d descriptors open before the malformed requests, %d after", before, after)
	}
	if resp, body := dial(t, address).do(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 || body != "hello" {
		t.Errorf("after the flood: %d %q", resp.StatusCode, body)
	}
}

func TestUpstreamFailuresAre502And504(t *testing.T) {
	probe, _ := net.Listen("tcp", "127.0.0.1:0")
	nobody := probe.Addr().String()
	probe.Close()
	_, address := startProxy(t, []string{nobody})
	if resp, _ := dial(t, address).do(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 502 {
		t.Errorf("a refused upstream: %d, want 502", resp.StatusCode)
	}
	silent, err := net.Listen("tcp", "127.0.0.1:0") // accepts (the kernel does) and never answers
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	_, address = startProxy(t, []string{silent.Addr().String()}, "--upstream-read-timeout-ms", "200")
	if resp, _ := dial(t, address).do(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 504 {
		t.Errorf("a silent upstream: %d, want 504", resp.StatusCode)
	}
}

func TestSIGTERMExits0PromptlyWithIdleKeepAliveConnections(t *testing.T) {
	o := startOrigin(t, "0")
	cmd, address := startProxy(t, []string{o.address()})
	c := dial(t, address) // connects at once: ready came after listen
	if resp, _ := c.do(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit status 0", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("still running 2 s after SIGTERM")
	}
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{}, {"proxy"}, {"serve"}, {"serve", "--listen", "127.0.0.1:1"}, {"serve", "--upstream", "127.0.0.1:1"},
		{"serve", "--listen", "nohostport", "--upstream", "127.0.0.1:1"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:0"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:70000"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:1", "--threads", "0"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:1", "--threads", "0x2"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:1", "--idle-timeout-ms", "-5"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:1", "--frobnicate", "1"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:1", "extra"},
		{"serve", "--listen", "127.0.0.1:1", "--upstream", "127.0.0.1:1", "--body-timeout-ms"},
	} {
		var stderr bytes.Buffer
		if status := cli.Run(args, &stderr, serve); status != 2 || !strings.HasPrefix(stderr.String(), "http_proxy: ") {
			t.Errorf("%v: status %d, stderr %q; want 2 and one error line", args, status, stderr.String())
		}
	}
	var stderr bytes.Buffer
	if status := cli.Run([]string{"serve", "--listen", "127.0.0.1:1", "--upstream", "no.such.host.invalid:1"}, &stderr, serve); status != 1 {
		t.Errorf("an unresolvable upstream: status %d (%q), want 1", status, stderr.String())
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
	cmd.Env = append(os.Environ(), "CLAIMBENCH_HTTP_PROXY_UNDER_TEST="+os.Args[0], "HTTP_PROXY_TEST_RUN_MAIN=1")
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("%s: %v\n%s", suite, err, output)
	} else {
		t.Logf("%s", output[bytes.LastIndex(output, []byte("[==========]")):])
	}
}
