package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTutorial follows the Comet tutorial with Starling: send, resend, restart, resend.
func TestTutorial(t *testing.T) {
	data := t.TempDir()
	b, addr := startBroker(t, data)
	host, port, _ := strings.Cut(addr, ":")

	r := run(t, "", nil, "sendvo", "-f", "testdata/voevent.xml", "-h", host, "-p", port)
	if r.code != 0 || !strings.Contains(r.stdout, "ACK received") || !strings.Contains(r.stdout, "ivo://hotwired.org/gaia_demo#1") {
		t.Fatalf("first send: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	b.waitLog(`New connection from 127\.0\.0\.1:\d+`)
	b.waitLog(`VOEvent ivo://hotwired\.org/gaia_demo#1 received from 127\.0\.0\.1:\d+; accepted`)

	raw, _ := os.ReadFile("testdata/voevent.xml")
	r = run(t, "", raw, "sendvo", "--host", host, "--port", port)
	if r.code != 1 || !strings.Contains(r.stdout, "Event rejected: Previously seen by this broker") {
		t.Fatalf("resend from stdin: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	b.waitLog(`Event rejected \(Previously seen by this broker\); discarding`)

	// Restart on the same data directory: the seen-list persists.
	b.stop()
	b, addr = startBroker(t, data)
	r = run(t, "comet-sendvo", raw, addr, "-")
	if r.code != 1 || !strings.Contains(r.stdout, "Previously seen by this broker") {
		t.Fatalf("send after restart (comet-sendvo TARGET -): exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, "starling.db")); err != nil {
		t.Fatalf("no SQLite store in the data directory: %v", err)
	}

	// A different event is still welcome, given with the positional file form.
	r = run(t, "", nil, "sendvo", addr, "testdata/example.xml")
	if r.code != 0 {
		t.Fatalf("new event after restart: exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
}

// TestEndpointForms starts a broker on several endpoints at once, including a
// Unix socket, and sends to each.
func TestEndpointForms(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "recv.sock")
	p := start(t, "broker", "--local-ivo=ivo://example/b", "-r", "tcp:0:interface=127.0.0.1",
		"--receive=unix:"+sock, "--receive=tcp:port=0:interface=127.0.0.1", "--data-dir", t.TempDir(), "-v")
	p.waitLog("Receiving events on " + regexpQuote(sock))
	var addrs []string
	deadline := time.Now().Add(10 * time.Second)
	for len(addrs) < 2 && time.Now().Before(deadline) {
		addrs = findAll(`Receiving events on (127\.0\.0\.1:\d+)`, p.logText())
		time.Sleep(10 * time.Millisecond)
	}
	if len(addrs) != 2 {
		t.Fatalf("want two TCP listeners, log:\n%s", p.logText())
	}
	files := []string{"testdata/voevent.xml", "testdata/example.xml"}
	for i, target := range []string{addrs[0], "unix:" + sock} {
		r := run(t, "", nil, "sendvo", target, files[i])
		if r.code != 0 {
			t.Fatalf("send to %s: exit %d\n%s%s", target, r.code, r.stdout, r.stderr)
		}
	}
	r := run(t, "", nil, "sendvo", addrs[1], files[0])
	if r.code != 1 || !strings.Contains(r.stdout, "Previously seen") {
		t.Fatalf("resend through the second listener: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
