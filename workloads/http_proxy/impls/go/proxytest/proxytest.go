// Package proxytest runs a Go proxy of the http_proxy workload as a real process in its own tests, in
// front of tiny origins, and holds the end-to-end checks every Go proxy must pass whatever its framing
// (the command line, keep-alive reuse and round robin, SIGTERM). The test binary itself is the proxy: a
// module's TestMain calls RunMainIfChild first (the os/exec tests' pattern), so exit statuses, marks,
// signals and descriptors are those of a real process. For tests only.
package proxytest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"claimbench/http_proxy/cli"
)

// childVariable, set to 1, makes the test binary run the proxy instead of the tests.
const childVariable = "HTTP_PROXY_TEST_RUN_MAIN"

// RunMainIfChild runs main and returns true when this test binary was started as the proxy; TestMain
// then returns without running the tests.
func RunMainIfChild(main func()) bool {
	if os.Getenv(childVariable) != "1" {
		return false
	}
	main()
	return true
}

// ChildEnvironment is the environment that makes a copy of this test binary the proxy: for programs that
// start it themselves (the C++ conformance suite).
func ChildEnvironment() []string { return append(os.Environ(), childVariable+"=1") }

// StartProxy runs `serve` on a free port in front of upstreams with its marks on stderr, waits for its
// ready mark, and stops it when the test ends. It returns the process and the address to connect to.
func StartProxy(t *testing.T, upstreams []string, args ...string) (*exec.Cmd, string) {
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
	cmd := exec.Command(os.Args[0], append(argv, args...)...)
	cmd.Env = append(ChildEnvironment(), "CLAIMBENCH_MARK_FD=2")
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

// Origin is a tiny upstream: net/http's test server, counting the connections it accepts and keeping
// the head of every request. It answers GET /chunked in two flushed pieces (chunked), a POST with
// "echo:" and its body, and anything else with "hello" (Content-Length); every answer carries
// X-Origin: its index and a field that its Connection field names (so it must not reach the client).
type Origin struct {
	*httptest.Server
	Accepted atomic.Int64
	mu       sync.Mutex
	heads    []http.Header
}

// StartOrigin starts an origin, closed when the test ends.
func StartOrigin(t *testing.T, index string) *Origin {
	t.Helper()
	o := &Origin{}
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
			o.Accepted.Add(1)
		}
	}
	o.Start()
	t.Cleanup(o.Close)
	return o
}

// Address is the origin's HOST:PORT, for --upstream.
func (o *Origin) Address() string { return strings.TrimPrefix(o.URL, "http://") }

// Head is the head the i-th request arrived with.
func (o *Origin) Head(i int) http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.heads[i]
}

// Client is one keep-alive connection to the proxy that sends raw requests and reads responses.
type Client struct {
	Conn net.Conn
	In   *bufio.Reader
}

// Dial connects to the proxy; every read and write must be done within 10 s.
func Dial(t *testing.T, address string) *Client {
	t.Helper()
	conn, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &Client{conn, bufio.NewReader(conn)}
}

// Do sends raw and reads one response (net/http's client-side reader) and its whole body. Safe to call
// from another goroutine than the test's: it reports failures with t.Error and returns a nil response.
func (c *Client) Do(t *testing.T, raw string) (*http.Response, string) {
	t.Helper()
	if _, err := io.WriteString(c.Conn, raw); err != nil {
		t.Error(err)
		return nil, ""
	}
	resp, err := http.ReadResponse(c.In, nil)
	if err != nil {
		t.Errorf("reading the response to %.40q: %v", raw, err)
		return nil, ""
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	return resp, string(body)
}

// CheckPoolReuseAndRoundRobin sends 8 clients' requests through a proxy of two origins: the answers
// must alternate between the origins, and neither may accept more connections than there are clients
// (net/http's default of 2 idle connections per host would open hundreds).
func CheckPoolReuseAndRoundRobin(t *testing.T) {
	origins := []*Origin{StartOrigin(t, "0"), StartOrigin(t, "1")}
	_, address := StartProxy(t, []string{origins[0].Address(), origins[1].Address()}, "--threads", "2")
	const clients, requests = 8, 40
	var wg sync.WaitGroup
	seen := make([]atomic.Int64, 2)
	for range clients {
		c := Dial(t, address)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range requests {
				resp, body := c.Do(t, "GET /r HTTP/1.1\r\nHost: a\r\n\r\n")
				if resp == nil {
					return
				}
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
	for i, o := range origins {
		if n := o.Accepted.Load(); n > clients {
			t.Errorf("origin %d accepted %d connections for %d concurrent clients", i, n, clients)
		}
	}
}

// CheckSIGTERMExits0PromptlyWithAnIdleConnection: connecting right after ready works (ready came after
// listen), and SIGTERM with a keep-alive connection idle ends the proxy with status 0 within 2 s.
func CheckSIGTERMExits0PromptlyWithAnIdleConnection(t *testing.T) {
	o := StartOrigin(t, "0")
	cmd, address := StartProxy(t, []string{o.Address()})
	if resp, _ := Dial(t, address).MustDo(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 200 {
		t.Fatalf("response %v", resp)
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

// CheckUsageErrors: every malformed command line exits 2 with one "http_proxy: " line (and the usage),
// and an upstream that does not resolve exits 1.
func CheckUsageErrors(t *testing.T, serve cli.Serve) {
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

// MustDo is Do for the test's own goroutine: a failure ends the test.
func (c *Client) MustDo(t *testing.T, raw string) (*http.Response, string) {
	t.Helper()
	resp, body := c.Do(t, raw)
	if resp == nil {
		t.FailNow()
	}
	return resp, body
}
