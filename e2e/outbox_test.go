package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/internal/porttest"
)

// eventFiles writes n distinct valid events (the sample with its IVORN
// rewritten to ivo://hotwired.org/gaia_demo#<prefix>-<i>) and returns their
// paths and IVORNs.
func eventFiles(t *testing.T, prefix string, n int) (paths, ivorns []string) {
	t.Helper()
	dir := t.TempDir()
	good := sample(t)
	for i := range n {
		ivorn := fmt.Sprintf("ivo://hotwired.org/gaia_demo#%s-%04d", prefix, i)
		p := filepath.Join(dir, fmt.Sprintf("%s-%04d.xml", prefix, i))
		if err := os.WriteFile(p, withIVORN(good, ivorn), 0o644); err != nil {
			t.Fatal(err)
		}
		paths, ivorns = append(paths, p), append(ivorns, ivorn)
	}
	return paths, ivorns
}

// outboxStates counts the entries of `starling outbox list` by state.
func outboxStates(t *testing.T, dataDir string) map[string]int {
	t.Helper()
	r := run(t, "", nil, "outbox", "list", "--data-dir", dataDir, "--limit", "100000")
	if r.code != 0 {
		t.Fatalf("outbox list: %d %s", r.code, r.stderr)
	}
	states := map[string]int{}
	row := regexp.MustCompile(`(?m)^\d+\s+(\w+)\s`)
	for _, m := range row.FindAllStringSubmatch(r.stdout, -1) {
		states[m[1]]++
	}
	return states
}

// archiveCount counts the events in a broker's archive with `starling events list --count`.
func archiveCount(t *testing.T, dataDir string) int {
	t.Helper()
	r := run(t, "", nil, "events", "list", "--eventdb", dataDir, "--count")
	n, err := strconv.Atoi(strings.TrimSpace(r.stdout))
	if r.code != 0 || err != nil {
		t.Fatalf("events list --count: %d %q %s", r.code, r.stdout, r.stderr)
	}
	return n
}

// TestOutboxOffline queues 50 events while no broker listens, then starts
// `starling broker -r` on that port and checks that they all arrive.
func TestOutboxOffline(t *testing.T) {
	outDir, brokerDir := t.TempDir(), t.TempDir()
	port := porttest.One(t)
	dest := "127.0.0.1:" + strconv.Itoa(port)
	paths, ivorns := eventFiles(t, "offline", 50)

	t0 := time.Now()
	r := run(t, "", nil, append([]string{"outbox", "add", "--data-dir", outDir, "--to", dest}, paths...)...)
	if r.code != 0 || !strings.Contains(r.stdout, "50 queued for "+dest+", 0 refused") {
		t.Fatalf("outbox add: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("queued 50 files in %v", time.Since(t0))

	// Nobody listens: flush fails at once, and keeps everything queued.
	r = run(t, "", nil, "outbox", "flush", "--data-dir", outDir)
	if r.code != 1 || !strings.Contains(r.stderr, "50 still queued") || !strings.Contains(r.stderr, "connection refused") {
		t.Fatalf("flush with no broker: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if s := outboxStates(t, outDir); s["queued"] != 50 {
		t.Fatalf("after a failed flush: %v", s)
	}

	// The broker comes up; a second Starling on the outbox's data directory
	// (here a broker that receives elsewhere) drains it by itself.
	b := start(t, "broker", "-r", "tcp:"+strconv.Itoa(port)+":interface=127.0.0.1", "--local-ivo=ivo://hotwired.org/test", "--eventdb", brokerDir)
	b.waitLog(`Receiving events on 127\.0\.0\.1:\d+`)
	sender := start(t, "broker", "--receive=tcp:0:interface=127.0.0.1", "--local-ivo=ivo://hotwired.org/sender", "--data-dir", outDir)
	sender.waitLog(`Receiving events on`)
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(b.logText(), "; accepted") < 50 {
		if time.Now().After(deadline) {
			t.Fatalf("the queue did not drain: broker accepted %d", strings.Count(b.logText(), "; accepted"))
		}
		time.Sleep(50 * time.Millisecond)
	}

	// `outbox add` while that Starling holds the data directory: it queues,
	// and the running one sends.
	more, moreIVORNs := eventFiles(t, "busy", 3)
	r = run(t, "", nil, append([]string{"outbox", "add", "--data-dir", outDir, "--to", dest}, more...)...)
	if r.code != 0 || !strings.Contains(r.stderr, "will send them") {
		t.Fatalf("outbox add while in use: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	b.waitLog(regexp.QuoteMeta(moreIVORNs[2]) + ` received from .*; accepted`)
	sender.stop()

	if s := outboxStates(t, outDir); s["sent"] != 53 || len(s) != 1 {
		t.Fatalf("outbox list after draining: %v", s)
	}
	r = run(t, "", nil, "outbox", "flush", "--data-dir", outDir)
	if r.code != 0 || !strings.Contains(r.stdout, "0 still queued") {
		t.Fatalf("flush of an empty outbox: %d %s %s", r.code, r.stdout, r.stderr)
	}
	b.stop()
	if n := archiveCount(t, brokerDir); n != 53 {
		t.Fatalf("the broker archived %d events, want 53", n)
	}
	r = run(t, "", nil, "events", "show", "--data-dir", brokerDir, "--raw", ivorns[7])
	if want, _ := os.ReadFile(paths[7]); r.code != 0 || r.stdout != string(want) {
		t.Fatalf("events show --raw: %d, %d bytes (want %d)", r.code, len(r.stdout), len(want))
	}
	r = run(t, "", nil, "events", "list", "--data-dir", brokerDir, "--search", "offline-004", "--role", "test")
	if r.code != 0 || strings.Count(r.stdout, "offline-004") != 10 {
		t.Fatalf("events list --search: %d\n%s", r.code, r.stdout)
	}
}

// TestOutboxKill9 kills `starling outbox flush` while it sends a batch and
// restarts it: every event reaches the broker once, none is lost, none is
// left in "sending".
func TestOutboxKill9(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	outDir, brokerDir := t.TempDir(), t.TempDir()
	b, addr := startBroker(t, brokerDir)
	paths, ivorns := eventFiles(t, "kill", n)
	t0 := time.Now()
	r := run(t, "", nil, append([]string{"outbox", "add", "--data-dir", outDir, "--to", addr}, paths...)...)
	if r.code != 0 {
		t.Fatalf("outbox add: %d %s", r.code, r.stderr)
	}
	t.Logf("queued %d files in %v", n, time.Since(t0))

	f := start(t, "outbox", "flush", "--data-dir", outDir)
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(b.logText(), "; accepted") < n/3 {
		if time.Now().After(deadline) {
			t.Fatal("the first flush made no progress")
		}
		time.Sleep(2 * time.Millisecond)
	}
	f.cmd.Process.Kill() // SIGKILL
	<-f.done
	killedAt := strings.Count(b.logText(), "; accepted")
	if killedAt >= n {
		t.Fatalf("the flush finished (%d accepted) before it was killed; queue more events", killedAt)
	}
	states := outboxStates(t, outDir)
	t.Logf("killed after %d accepted; outbox: %v", killedAt, states)

	t0 = time.Now()
	r = run(t, "", nil, "outbox", "flush", "--data-dir", outDir)
	if r.code != 0 {
		t.Fatalf("second flush: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	t.Logf("second flush: %s", strings.TrimSpace(r.stdout))
	if s := outboxStates(t, outDir); s["sent"] != n || len(s) != 1 {
		t.Fatalf("outbox after the second flush: %v", s)
	}
	log := b.logText()
	dupes := strings.Count(log, "Previously seen by this broker")
	if dupes > 1 {
		t.Errorf("%d events were sent twice; at most the one in flight may be", dupes)
	}
	t.Logf("events the broker refused as previously seen (in flight at the kill): %d", dupes)
	for _, iv := range ivorns {
		if c := strings.Count(log, "VOEvent "+iv+" received from"); c != 1 {
			t.Errorf("%s accepted %d times", iv, c)
		}
	}
	b.stop()
	if got := archiveCount(t, brokerDir); got != n {
		t.Errorf("the broker archived %d events, want %d", got, n)
	}
}
