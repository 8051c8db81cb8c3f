package e2e

import (
	"strings"
	"testing"
)

// TestBenchAgainstNullBroker runs `starling bench null` and measures it with
// `starling bench submit` and `starling bench fanout`, as the README shows.
func TestBenchAgainstNullBroker(t *testing.T) {
	p := start(t, "bench", "null", "--receive=tcp:0:interface=127.0.0.1", "--broadcast=tcp:0:interface=127.0.0.1")
	recv := p.waitLog(`receiving on (127\.0\.0\.1:\d+)`)
	bcast := p.waitLog(`broadcasting on (127\.0\.0\.1:\d+)`)

	r := run(t, "", nil, "bench", "submit", "--target", recv, "-c", "1,3", "-n", "40")
	if r.code != 0 || strings.Count(r.stdout, "40 acks, 0 naks, 0 errors") != 2 {
		t.Fatalf("bench submit exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "", nil, "bench", "fanout", "--target", recv, "--subscribe", bcast, "-s", "5", "-n", "30")
	if r.code != 0 || !strings.Contains(r.stdout, "150/150") || !strings.Contains(r.stdout, "every event reached every subscriber") {
		t.Fatalf("bench fanout exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	p.stop()
	if p.err != nil {
		t.Fatalf("bench null did not stop cleanly on SIGTERM: %v\n%s", p.err, p.logText())
	}
}
