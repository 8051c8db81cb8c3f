package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// privateDunst starts a display (Xvfb), a private session bus and dunst as
// its notification server, and points this process's session bus at it.
// It skips the test when one of them is not installed.
func privateDunst(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"Xvfb", "dbus-daemon", "dunst", "dunstctl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (the setup script installs it)", tool)
		}
	}
	dir := t.TempDir()
	start := func(name string, env []string, args ...string) {
		cmd := exec.Command(name, args...)
		cmd.Env = append(os.Environ(), env...)
		if err := cmd.Start(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	}
	display := fmt.Sprintf(":%d", 200+os.Getpid()%300)
	start("Xvfb", nil, display, "-screen", "0", "800x600x24", "-nolisten", "tcp")
	conf := filepath.Join(dir, "bus.conf")
	os.WriteFile(conf, []byte(`<busconfig><type>session</type><listen>unix:path=`+filepath.Join(dir, "bus")+`</listen>
<auth>EXTERNAL</auth><policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy></busconfig>`), 0o600)
	start("dbus-daemon", nil, "--config-file="+conf, "--nofork", "--nopidfile")
	addr := "unix:path=" + filepath.Join(dir, "bus")
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	rc := filepath.Join(dir, "dunstrc")
	// Each urgency its own timeout, which dunst's history shows: so the
	// test can tell a critical notification from a normal one.
	os.WriteFile(rc, []byte("[global]\n    history_length = 20\n[urgency_normal]\n    timeout = 77\n[urgency_critical]\n    timeout = 33\n"), 0o600)
	start("dunst", []string{"DISPLAY=" + display, "DBUS_SESSION_BUS_ADDRESS=" + addr}, "-config", rc)
	deadline := time.Now().Add(20 * time.Second)
	for exec.Command("dunstctl", "is-paused").Run() != nil {
		if time.Now().After(deadline) {
			t.Skip("dunst did not take the notification service on the private bus (no display?)")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// dunstHistory is dunst's history: summary, body, timeout of each.
func dunstHistory(t *testing.T) []map[string]string {
	t.Helper()
	out, err := exec.Command("dunstctl", "history").Output()
	if err != nil {
		t.Fatalf("dunstctl history: %v", err)
	}
	var h struct {
		Data [][]map[string]struct {
			Data any `json:"data"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &h); err != nil {
		t.Fatalf("dunstctl history: %v\n%s", err, out)
	}
	var notes []map[string]string
	for _, group := range h.Data {
		for _, n := range group {
			m := map[string]string{}
			for k, v := range n {
				m[k] = fmt.Sprint(v.Data)
			}
			notes = append(notes, m)
		}
	}
	return notes
}

// TestDesktopNotificationIsCriticalAndShows sends a retraction's
// notification to a real notification server (dunst): it arrives
// critical, and its Show action, picked through dunstctl, runs Show.
func TestDesktopNotificationIsCriticalAndShows(t *testing.T) {
	privateDunst(t)
	newTestApp(t)
	d, err := newDesktopNotifier()
	if err != nil {
		t.Fatalf("no desktop notifier with dunst on the bus: %v", err)
	}
	defer d.close()
	shown := make(chan struct{}, 1)
	if err := d.notify(desktopNote{Title: "LVK S261206a Retraction", Body: "RETRACTED: LVK S261206a is withdrawn (GW)",
		Critical: true, Show: func() { shown <- struct{}{} }}); err != nil {
		t.Fatal(err)
	}
	// And a normal one, which dunst keeps for the normal timeout.
	if err := d.notify(desktopNote{Title: "LVK S261206b Preliminary", Body: "GW"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// dunstctl action runs the default action of the newest notification
	// on show; Starling's default action is Show.
	for {
		if exec.Command("dunstctl", "action", "0").Run() == nil {
			select {
			case <-shown:
				goto picked
			case <-time.After(500 * time.Millisecond):
			}
		}
		if ctx.Err() != nil {
			t.Fatal("the notification's Show action did not reach Starling")
		}
	}
picked:
	exec.Command("dunstctl", "close-all").Run()
	deadline := time.Now().Add(10 * time.Second)
	for {
		for _, n := range dunstHistory(t) {
			if us, _ := strconv.ParseFloat(n["timeout"], 64); strings.Contains(n["summary"], "S261206b") && us != 77e6 {
				t.Fatalf("a normal notification not kept for the normal timeout: %v", n)
			}
			if strings.Contains(n["summary"], "S261206a") {
				if us, _ := strconv.ParseFloat(n["timeout"], 64); !strings.Contains(n["body"], "RETRACTED") || us != 33e6 {
					t.Fatalf("the notification in dunst's history is not critical (critical: timeout 33 s): %v", n)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no notification for S261206a in dunst's history: %v", dunstHistory(t))
		}
		time.Sleep(100 * time.Millisecond)
	}
}
