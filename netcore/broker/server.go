package broker

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// server is what the receiver and the broadcaster share, after net/http's
// Server: listeners, an accept loop that survives transient errors, one
// goroutine per connection, and a shutdown that waits for connections.
type server struct {
	log *slog.Logger

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[net.Conn]struct{}
	// wg counts connection goroutines and any other goroutine that shutdown
	// must wait for (the broadcaster's timers).
	wg      sync.WaitGroup
	closing atomic.Bool
}

func newServer(log *slog.Logger) server {
	return server{log: log, listeners: map[net.Listener]struct{}{}, conns: map[net.Conn]struct{}{}}
}

// serve registers l (running first, under the lock, on the first call only
// if it is set) and accepts connections until shutdown, handing each to
// handle on its own goroutine. It returns ErrServerClosed after shutdown.
func (s *server) serve(l net.Listener, first func(), handle func(net.Conn)) error {
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	if first != nil {
		first()
	}
	s.mu.Unlock()
	var backoff time.Duration
	for {
		c, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, os.ErrDeadlineExceeded) || isTemporary(err) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "in", backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		if !s.track(c) {
			c.Close()
			continue
		}
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			handle(c)
		}()
	}
}

// isTemporary reports accept errors worth retrying, such as running out of
// file descriptors.
func isTemporary(err error) bool {
	var se interface{ Temporary() bool }
	return errors.As(err, &se) && se.Temporary()
}

// track counts a new connection, under the lock that shutdown takes, and
// fails once shutdown has begun.
func (s *server) track(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.wg.Add(1)
	s.conns[c] = struct{}{}
	return true
}

func (s *server) untrack(c net.Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// shutdown stops accepting (running begin once, under the lock, so that the
// owner can stop its timers), then waits for the connections to finish, or
// closes those left when ctx ends.
func (s *server) shutdown(ctx context.Context, begin func()) error {
	s.mu.Lock()
	if !s.closing.Swap(true) && begin != nil {
		begin()
	}
	for l := range s.listeners {
		l.Close()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		<-done
		return ctx.Err()
	}
}
