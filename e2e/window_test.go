package e2e

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/internal/porttest"
)

// startXvfb starts a virtual display and returns its name; the test is
// skipped where Xvfb or xdotool is missing.
func startXvfb(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"Xvfb", "xdotool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: the real window cannot be run", tool)
		}
	}
	return ":" + firstLineOnFD3(t, exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp"), "Xvfb")
}

// firstLineOnFD3 starts cmd with a pipe as its file descriptor 3 (where
// Xvfb writes its display number, dbus-daemon its address), stops it when
// the test ends, and returns the first line written there.
func firstLineOnFD3(t *testing.T, cmd *exec.Cmd, name string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case l := <-line:
		if l == "" {
			t.Fatalf("%s wrote nothing on its descriptor 3", name)
		}
		return l
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start", name)
	}
	return ""
}

// startWindow runs the desktop app on display over dataDir.
func startWindow(t *testing.T, display, dataDir string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, cmd: exec.Command(starlingBin, append([]string{"--data-dir", dataDir}, args...)...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "DISPLAY="+display, "STARLING_DATA_DIR="+dataDir)
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
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
	t.Cleanup(p.stop)
	return p
}

// setting reads a saved setting with `starling settings get` (the window
// must have closed: it holds the data directory).
func setting(t *testing.T, dataDir, key string) string {
	t.Helper()
	r := run(t, "", nil, "settings", "get", "--data-dir", dataDir, key)
	if r.code != 0 {
		t.Fatalf("settings get %s: %d %s", key, r.code, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

// waitSocket waits until the window listens for second launches.
func waitSocket(t *testing.T, p *proc, sock string) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the window never listened on %s; its log:\n%s", sock, p.logText())
		}
	}
}

// TestWindowUnderXvfbKeepsStateAndTakesSecondLaunches runs the real window
// twice over one data directory under Xvfb, with the real keyboard
// (xdotool):
//   - run 1, with --start-broker: Ctrl+4, a click in the Dedup search box,
//     typing and Ctrl+5 leave the Events tab selected; SIGTERM closes it,
//     which keeps the tab and the broker's switch and removes the socket;
//   - run 2, without --start-broker: the local broker is on (the window's
//     title says so); a second `starling FILE` (a relative path) hands the
//     file over, says so and exits 0, and the window opens it in the Send
//     panel, which is the tab kept at its close.
func TestWindowUnderXvfbKeepsStateAndTakesSecondLaunches(t *testing.T) {
	display := startXvfb(t)
	dir := t.TempDir()
	ports := porttest.Free(t, 2)
	if r := run(t, "", nil, "settings", "set", "--data-dir", dir,
		"broker.receive_port", strconv.Itoa(ports[0]), "broker.broadcast_port", strconv.Itoa(ports[1]), "broker.test_interval", "0"); r.code != 0 {
		t.Fatalf("settings set: %d %s", r.code, r.stderr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	xdo := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "xdotool", args...)
		cmd.Env = append(os.Environ(), "DISPLAY="+display)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("xdotool %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	sock := filepath.Join(dir, "starling.window")

	first := startWindow(t, display, dir, "--start-broker")
	waitSocket(t, first, sock)
	win := strings.Fields(xdo("search", "--sync", "--name", "local broker running"))[0]
	xdo("windowfocus", "--sync", win)
	xdo("key", "ctrl+4")
	time.Sleep(500 * time.Millisecond)
	xdo("mousemove", "--window", win, "500", "376", "click", "1") // the Dedup search box
	xdo("type", "ivo")
	xdo("key", "ctrl+5")
	time.Sleep(time.Second) // the tab's save waits for quiet; the close saves too
	first.stop()
	if first.err != nil {
		t.Fatalf("the window exited with %v; its log:\n%s", first.err, first.logText())
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("the socket is left after the window closed: %v", err)
	}
	if got := setting(t, dir, "window.tab"); got != "Events" {
		t.Errorf("tab kept at close = %q, want Events", got)
	}
	if got := setting(t, dir, "window.broker_on"); got != "true" {
		t.Errorf("broker switch kept at close = %q, want true", got)
	}

	again := startWindow(t, display, dir)
	waitSocket(t, again, sock)
	xdo("search", "--sync", "--name", "local broker running") // started as at the last close

	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "dropped.xml"), []byte("<not a VOEvent/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	second := exec.CommandContext(ctx, starlingBin, "--data-dir", dir, "dropped.xml")
	second.Dir = other
	second.Env = append(os.Environ(), "DISPLAY="+display)
	out, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("the second launch: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "handed 1 file(s) to the Starling window already running") {
		t.Errorf("the second launch said %q", out)
	}
	again.waitLog(`a second launch handed its files to this window.*files=1`)
	time.Sleep(time.Second)
	again.stop()
	if got := setting(t, dir, "window.tab"); got != "Send" {
		t.Errorf("tab at close after the handoff = %q, want Send (the files open as if dropped)", got)
	}
}
