package readstates

import (
	"context"
	"errors"
	"net"
	"sync"
	"time"
)

// readBufferBytes: what one connection reads at a time (512 frames of pipelined requests).
const readBufferBytes = 16 << 10

// Serve answers every connection listener accepts, one goroutine each, and writes the cache back every
// writeBackPeriod on a goroutine of its own, until ctx is done; then it closes the listener and every
// connection, waits for their goroutines and returns nil. It returns early with the error when the cache
// fails (the table's I/O): the service cannot answer exactly any more. Serve writes nothing back after the
// last period: the caller's last WriteBack does.
func Serve(ctx context.Context, listener net.Listener, cache Cache, keys uint64, writeBackPeriod time.Duration) error {
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	s := &server{cache: cache, keys: keys, fail: stop, conns: make(map[net.Conn]struct{})}
	var workers sync.WaitGroup
	workers.Go(func() { s.writeBackEvery(ctx, writeBackPeriod) })
	workers.Go(func() { s.accept(ctx, listener, &workers) })
	<-ctx.Done()
	listener.Close()
	s.closeConnections()
	workers.Wait()
	if err := context.Cause(ctx); !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

type server struct {
	cache Cache
	keys  uint64
	fail  context.CancelCauseFunc

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
}

func (s *server) writeBackEvery(ctx context.Context, period time.Duration) {
	ticker := time.NewTicker(period)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			if _, err := s.cache.WriteBack(); err != nil {
				s.fail(err)
				return
			}
		}
	}
}

func (s *server) accept(ctx context.Context, listener net.Listener, workers *sync.WaitGroup) {
	for {
		conn, err := listener.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			time.Sleep(10 * time.Millisecond) // out of descriptors, say: the client retries
			continue
		}
		if !s.track(conn) {
			conn.Close()
			return
		}
		workers.Go(func() {
			defer s.untrack(conn)
			s.answer(conn)
		})
	}
}

func (s *server) track(conn net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[conn] = struct{}{}
	return true
}

func (s *server) untrack(conn net.Conn) {
	conn.Close()
	s.mu.Lock()
	delete(s.conns, conn)
	s.mu.Unlock()
}

func (s *server) closeConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for conn := range s.conns {
		conn.Close()
	}
}

// answer serves one connection: read what arrived, answer every whole frame in order, write the answers in
// one write, read again. It returns when the client closes (mid-frame included), after a malformed frame's
// answer, or when the connection is closed under it. Its two buffers are its only allocations.
func (s *server) answer(conn net.Conn) {
	in := make([]byte, readBufferBytes)
	out := make([]byte, 0, readBufferBytes)
	have := 0
	for {
		n, readErr := conn.Read(in[have:])
		have += n
		if whole := have / FrameBytes * FrameBytes; whole > 0 {
			var open bool
			var err error
			out, open, err = s.answerFrames(in[:whole], out[:0])
			if err != nil {
				s.fail(err)
				return
			}
			if _, err := conn.Write(out); err != nil || !open {
				if tcp, ok := conn.(*net.TCPConn); ok {
					tcp.CloseWrite()
				}
				return
			}
			have = copy(in, in[whole:have])
		}
		if readErr != nil {
			return
		}
	}
}

// answerFrames appends the answer of every frame of in to out; open is false after a malformed frame,
// whose error frame is then the last answer.
func (s *server) answerFrames(in, out []byte) (answers []byte, open bool, err error) {
	for frame := in; len(frame) >= FrameBytes; frame = frame[FrameBytes:] {
		request, ok := DecodeRequest(frame)
		if !ok {
			return AppendResponse(out, StatusMalformed, frame[0], Key{}, State{}), false, nil
		}
		k, inside := request.Key.Index(s.keys)
		if !inside {
			out = AppendResponse(out, StatusOutOfRange, frame[0], Key{}, State{})
			continue
		}
		state, err := s.cache.Execute(k, request.Op, request.MessageID)
		if err != nil {
			return out, false, err
		}
		out = AppendResponse(out, StatusOK, frame[0], request.Key, state)
	}
	return out, true, nil
}
