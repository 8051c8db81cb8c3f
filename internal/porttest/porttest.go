// Package porttest finds loopback ports for tests.
package porttest

import (
	"net"
	"testing"
)

// Free returns n ports on 127.0.0.1 that nobody listened on a moment ago
// (all held at once, so that they differ).
func Free(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, 0, n)
	ls := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

// One returns one free port on 127.0.0.1.
func One(t testing.TB) int {
	t.Helper()
	return Free(t, 1)[0]
}
