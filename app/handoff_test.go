package app

import (
	"bufio"
	"context"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// listenHandoff listens over a new data directory and gathers what it is
// handed.
func listenHandoff(t *testing.T) (dir string, h *Handoff, got chan []string) {
	t.Helper()
	dir = t.TempDir()
	got = make(chan []string, 10)
	h, err := ListenHandoff(dir, func(p []string) { got <- p })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return dir, h, got
}

// TestHandoffHandsPathsOverARealSocket: a second launch's paths reach the
// window, the socket is its user's only, and it is gone after Close; then
// a launch finds no window, with no error.
func TestHandoffHandsPathsOverARealSocket(t *testing.T) {
	dir, h, got := listenHandoff(t)
	fi, err := os.Stat(filepath.Join(dir, HandoffFile))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: mode %v, want a socket, 0600", HandoffFile, fi.Mode())
	}
	paths := []string{"/data/a b.xml", "/data/ünï.json"}
	ok, err := HandOff(context.Background(), dir, paths)
	if !ok || err != nil {
		t.Fatalf("HandOff = %v, %v", ok, err)
	}
	if p := <-got; !reflect.DeepEqual(p, paths) {
		t.Errorf("handed %q, want %q", p, paths)
	}
	if ok, err := HandOff(context.Background(), dir, nil); !ok || err != nil {
		t.Fatalf("HandOff of no files = %v, %v", ok, err)
	}
	if p := <-got; len(p) != 0 {
		t.Errorf("a launch without files handed %q", p)
	}
	h.Close()
	if _, err := os.Stat(filepath.Join(dir, HandoffFile)); !os.IsNotExist(err) {
		t.Errorf("the socket is still there after Close: %v", err)
	}
	if ok, err := HandOff(context.Background(), dir, paths); ok || err != nil {
		t.Errorf("HandOff with no window = %v, %v; want false, nil", ok, err)
	}
}

// TestHandoffStaleSocketIsIgnored: a socket file that no one listens on (a
// window that ended without closing) takes no files, and the next window
// listens in its place.
func TestHandoffStaleSocketIsIgnored(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, HandoffFile)
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no stale socket: %v", err)
	}
	if ok, err := HandOff(context.Background(), dir, []string{"/x.xml"}); ok || err != nil {
		t.Fatalf("HandOff over a stale socket = %v, %v; want false, nil", ok, err)
	}
	got := make(chan []string, 1)
	h, err := ListenHandoff(dir, func(p []string) { got <- p })
	if err != nil {
		t.Fatalf("listening over a stale socket: %v", err)
	}
	defer h.Close()
	if ok, err := HandOff(context.Background(), dir, []string{"/x.xml"}); !ok || err != nil {
		t.Fatalf("HandOff = %v, %v", ok, err)
	}
	if p := <-got; len(p) != 1 || p[0] != "/x.xml" {
		t.Errorf("handed %q", p)
	}
	// A second listener over a live one is refused.
	if _, err := ListenHandoff(dir, func([]string) {}); err == nil {
		t.Error("a second listener took the socket of a live one")
	}
}

// TestHandoffRefusesAnythingButAListOfPaths: what is not one JSON object
// with a list of absolute paths, or is beyond the limits, is refused with
// a reason, and nothing reaches the window.
func TestHandoffRefusesAnythingButAListOfPaths(t *testing.T) {
	dir, _, got := listenHandoff(t)
	long := `{"open":["/` + strings.Repeat("a", maxHandoffBytes) + `"]}`
	many := `{"open":[` + strings.Repeat(`"/a",`, maxHandoffPaths) + `"/a"]}`
	for _, c := range []struct{ msg, reason string }{
		{"hello\n", "not a list of files"},
		{`{"open":"/a"}` + "\n", "not a list of files"},
		{`{"open":["/a"],"run":"rm"}` + "\n", "unknown field"},
		{`{}` + "\n", `no "open"`},
		{`{"open":["a.xml"]}` + "\n", "not absolute"},
		{`{"open":["/a\u0000b"]}` + "\n", "not text"},
		{`{"open":["/a"]} {"open":["/b"]}` + "\n", "more than one value"},
		{many + "\n", "at most"},
		{long + "\n", "longer than"},
		{"", "reading the message"},
	} {
		c2, err := net.Dial("unix", filepath.Join(dir, HandoffFile))
		if err != nil {
			t.Fatal(err)
		}
		go func() { c2.Write([]byte(c.msg)); c2.(*net.UnixConn).CloseWrite() }()
		reply, _ := bufio.NewReader(c2).ReadString('\n')
		c2.Close()
		if !strings.HasPrefix(reply, "refused: ") || !strings.Contains(reply, c.reason) {
			t.Errorf("%.40q: reply %q, want refused: …%s…", c.msg, reply, c.reason)
		}
	}
	select {
	case p := <-got:
		t.Errorf("a refused message reached the window: %q", p)
	default:
	}
	if _, err := HandOff(context.Background(), dir, []string{"relative.xml"}); err == nil || !strings.Contains(err.Error(), "not absolute") {
		t.Errorf("HandOff of a relative path: %v, want it refused before sending", err)
	}
}
