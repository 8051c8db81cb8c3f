package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// triggerByKey waits until `events triggers --json` lists key with the
// given number of alerts, and returns its line.
func triggerByKey(t *testing.T, dir, key string, alerts int) map[string]any {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var last []map[string]any
	for time.Now().Before(deadline) {
		last = triggersJSON(t, dir)
		for _, tr := range last {
			if tr["trigger"] == key {
				if as, _ := tr["alerts"].([]any); len(as) == alerts {
					return tr
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("trigger %s with %d alerts never listed; last listing %v", key, alerts, last)
	return nil
}

// composeAndSend runs `starling compose ARGS -o FILE` and `starling sendvo
// ADDR FILE`, and returns the document.
func composeAndSend(t *testing.T, addr, data string, args ...string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "event.xml")
	r := run(t, "", nil, append([]string{"compose", "--data-dir", data, "-o", file}, args...)...)
	if r.code != 0 {
		t.Fatalf("compose %v: exit %d: %s", args, r.code, r.stderr)
	}
	if r := run(t, "", nil, "sendvo", addr, file); r.code != 0 {
		t.Fatalf("sendvo: exit %d: %s", r.code, r.stderr)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestComposeRetraction sends a user's own alert and its retraction, both
// written by `starling compose`, to a running `starling broker`: the
// trigger shows retracted. A retraction composed, on another stream, of
// another author's alert shows as a citation: that trigger stays live.
func TestComposeRetraction(t *testing.T) {
	data := t.TempDir()
	_, addr := startBroker(t, data)

	own := "ivo://starling.test/alerts#alert-1"
	composeAndSend(t, addr, data, "--stream", "starling.test/alerts", "--id", "alert-1", "--param", "TrigID=777001",
		"--ra", "10.5", "--dec", "-20.25", "--error", "0.1", "--time", "now", "--description", "My optical transient",
		"--author", "ivo://starling.test/contact", "--contact", "A. Author", "--email", "author@example.org")
	tr := triggerByKey(t, data, "777001", 1)
	if tr["retracted"] != false {
		t.Fatalf("the alert alone is retracted: %v", tr)
	}

	// The same IVORN again is refused, with the reason.
	if r := run(t, "", nil, "compose", "--data-dir", data, "--stream", "starling.test/alerts", "--id", "alert-1"); r.code == 0 || !strings.Contains(r.stderr, "already in the archive") {
		t.Fatalf("duplicate IVORN: exit %d, stderr %q", r.code, r.stderr)
	}
	// What would not validate is refused with its field.
	if r := run(t, "", nil, "compose", "--data-dir", data, "--stream", "starling.test/alerts", "--id", "bad", "--ra", "10", "--dec", "95"); r.code == 0 || !strings.Contains(r.stderr, "WhereWhen: Dec 95") || r.stdout != "" {
		t.Fatalf("bad Dec: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// The retraction, from the template: stream, trigger and position come from the archived alert.
	doc := composeAndSend(t, addr, data, "--template", "retraction", "--cites", own, "--id", "alert-1-retraction")
	for _, want := range []string{`ivorn="ivo://starling.test/alerts#alert-1-retraction"`, `cite="retraction">` + own, `name="TrigID" value="777001"`, "<C1>10.5</C1>", "Retraction of " + own} {
		if !strings.Contains(doc, want) {
			t.Errorf("retraction lacks %s:\n%s", want, doc)
		}
	}
	tr = triggerByKey(t, data, "777001", 2)
	if tr["retracted"] != true {
		t.Fatalf("own retraction did not retract the trigger: %v", tr)
	}

	// Another author's alert, and a retraction of it from our stream.
	other := "ivo://other.test/alerts#o-1"
	composeAndSend(t, addr, data, "--stream", "other.test/alerts", "--id", "o-1", "--param", "TrigID=777002", "--ra", "200", "--dec", "5")
	triggerByKey(t, data, "777002", 1)
	composeAndSend(t, addr, data, "--template", "retraction", "--cites", other, "--stream", "starling.test/alerts", "--id", "retract-other")
	tr = triggerByKey(t, data, "777002", 2)
	if tr["retracted"] != false {
		t.Fatalf("another stream's retraction retracted the trigger: %v", tr)
	}

	// Without a data directory the template is filled from the IVORN alone.
	r := run(t, "", nil, "compose", "--template", "followup", "--cites", own, "--stream", "me.test/followups", "--id", "f1")
	if r.code != 0 || !strings.Contains(r.stdout, `cite="followup">`+own) {
		t.Fatalf("followup from IVORN: exit %d: %s %s", r.code, r.stdout, r.stderr)
	}
}
