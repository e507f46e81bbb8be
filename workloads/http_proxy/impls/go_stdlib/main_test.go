package main

import (
	"os"
	"testing"

	"claimbench/http_proxy/proxytest"
)

// TestMain: the test binary is also the proxy (proxytest).
func TestMain(m *testing.M) {
	if proxytest.RunMainIfChild(main) {
		return
	}
	os.Exit(m.Run())
}

func TestForwardsWithTheClientsHostAndItsAddressInXForwardedFor(t *testing.T) {
	o := proxytest.StartOrigin(t, "0")
	_, address := proxytest.StartProxy(t, []string{o.Address()})
	c := proxytest.Dial(t, address)
	resp, body := c.MustDo(t, "GET /x HTTP/1.1\r\nHost: example\r\nX-Forwarded-For: 10.0.0.1\r\nConnection: X-Secret\r\nX-Secret: 1\r\n\r\n")
	if resp.StatusCode != 200 || body != "hello" || resp.Header.Get("X-Private") != "" {
		t.Errorf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	resp, body = c.MustDo(t, "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	if resp.StatusCode != 200 || body != "echo:abc" {
		t.Errorf("chunked POST: %d %q", resp.StatusCode, body)
	}
	first := o.Head(0)
	if got := first.Get("X-Forwarded-For"); got != "10.0.0.1, 127.0.0.1" || first.Get("X-Secret") != "" {
		t.Errorf("upstream got X-Forwarded-For %q and %v", got, first)
	}
}

func TestAnUnreachableUpstreamIs502(t *testing.T) {
	_, address := proxytest.StartProxy(t, []string{"127.0.0.1:1"})
	if resp, _ := proxytest.Dial(t, address).MustDo(t, "GET / HTTP/1.1\r\nHost: a\r\n\r\n"); resp.StatusCode != 502 {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
}

func TestPoolKeepsUpstreamConnectionsAliveForManyClientsAndRoundRobins(t *testing.T) {
	proxytest.CheckPoolReuseAndRoundRobin(t)
}

func TestSIGTERMExits0PromptlyWithIdleKeepAliveConnections(t *testing.T) {
	proxytest.CheckSIGTERMExits0PromptlyWithAnIdleConnection(t)
}

func TestUsageErrorsExit2WithOneLine(t *testing.T) { proxytest.CheckUsageErrors(t, serve) }
