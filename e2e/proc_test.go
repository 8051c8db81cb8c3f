// Package e2e holds end-to-end tests that build the real starling binary and
// run it as separate processes on 127.0.0.1.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// starlingBin is the starling binary built once for all tests.
var starlingBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "starling-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	starlingBin = filepath.Join(dir, "starling")
	build := exec.Command("go", "build", "-o", starlingBin, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building starling:", err)
		os.Exit(1)
	}
	if err := os.Symlink(starlingBin, filepath.Join(dir, "comet-sendvo")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running starling process whose log is collected.
type proc struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	log  bytes.Buffer
	done chan struct{}
	err  error
}

// start runs starling with args and collects its standard error.
func start(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(starlingBin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "STARLING_DATA_DIR="+t.TempDir())
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("log of starling %s:\n%s", strings.Join(args, " "), p.logText())
		}
	})
	return p
}

func (p *proc) logText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.log.String()
}

// waitLog waits until the log matches re and returns the first submatch.
func (p *proc) waitLog(re string) string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(p.logText()); m != nil {
			if len(m) > 1 {
				return m[1]
			}
			return m[0]
		}
		select {
		case <-p.done:
			p.t.Fatalf("starling exited (%v) before logging %q", p.err, re)
		case <-time.After(20 * time.Millisecond):
		}
	}
	p.t.Fatalf("starling never logged %q", re)
	return ""
}

// stop ends the process with SIGTERM and waits.
func (p *proc) stop() { terminate(p.cmd, p.done) }

// terminate sends cmd SIGTERM unless done is closed already, and waits for
// done; after 10 s it kills cmd.
func terminate(cmd *exec.Cmd, done <-chan struct{}) {
	select {
	case <-done:
		return
	default:
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// startBroker runs `starling broker` on 127.0.0.1 port 0 with dataDir and
// returns the process and its receive address.
func startBroker(t *testing.T, dataDir string, extra ...string) (*proc, string) {
	t.Helper()
	args := append([]string{"broker", "--receive=tcp:0:interface=127.0.0.1", "--local-ivo=ivo://hotwired.org/test", "--eventdb", dataDir}, extra...)
	p := start(t, args...)
	addr := p.waitLog(`Receiving events on (127\.0\.0\.1:\d+)`)
	return p, addr
}

// result is a finished command.
type result struct {
	code           int
	stdout, stderr string
}

// run runs the binary (or the named link to it) to completion.
func run(t *testing.T, name string, stdin []byte, args ...string) result {
	t.Helper()
	path := starlingBin
	if name != "" {
		path = filepath.Join(filepath.Dir(starlingBin), name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = append(os.Environ(), "STARLING_DATA_DIR="+t.TempDir())
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %s: %v", path, err)
	}
	return result{code, out.String(), errb.String()}
}
