package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
)

// Listen listens on address (TCP), installs the SIGTERM and SIGINT handler, then calls onListening (the
// handler comes first, so a signal right after ready already means "stop"). A signal closes the
// listener, so the caller's accept loop ends; stopped then reports true, and the caller returns nil and
// lets the process's exit close every connection, idle keep-alive ones included. An error says which
// address could not be listened on.
func Listen(address string, onListening func()) (listener net.Listener, stopped func() bool, err error) {
	listener, err = net.Listen("tcp", address)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot listen on %s: %w; choose another port", address, err)
	}
	ctx, _ := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	onListening()
	go func() {
		<-ctx.Done()
		listener.Close()
	}()
	return listener, func() bool { return ctx.Err() != nil }, nil
}
