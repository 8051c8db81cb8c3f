package cli

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/starling-broker/starling/netcore/channel"
)

// The channels from the command line: add a webhook with its secret from a
// file, list it (the secret never shown), send a rule to it, test it
// against a real receiver (and a refusing one), remove it.
func TestSettingsChannels(t *testing.T) {
	dir := t.TempDir()
	var status atomic.Int32
	status.Store(200)
	var sigOK atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		sigOK.Store(r.Header.Get(channel.SignatureHeader) == channel.Sign("hush-hush", b))
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	secret := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(secret, []byte("hush-hush\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if st, out, errs := runCLI("settings", "channels", "add", "ops", "--webhook", srv.URL, "--secret-file", secret, "--per-minute", "30", "--data-dir", dir); st != 0 || !strings.Contains(out, `Added channel "ops"`) {
		t.Fatalf("add: %d %s %s", st, out, errs)
	}
	st, out, _ := runCLI("settings", "channels", "list", "--data-dir", dir)
	if st != 0 || !strings.Contains(out, "ops") || !strings.Contains(out, "webhook") || !strings.Contains(out, "set") || strings.Contains(out, "hush") {
		t.Fatalf("list: %d\n%s", st, out)
	}
	if st, out, errs := runCLI("settings", "channels", "add", "bad", "--webhook", "http://example.org/x", "--data-dir", dir); st == 0 || !strings.Contains(errs, "https") {
		t.Errorf("plain http to a remote host: %d %s %s", st, out, errs)
	}
	if st, _, errs := runCLI("settings", "channels", "add", "two", "--webhook", srv.URL, "--ntfy", srv.URL+"/t", "--data-dir", dir); st == 0 || !strings.Contains(errs, "one of") {
		t.Errorf("two kinds: %d %s", st, errs)
	}
	if st, out, errs := runCLI("settings", "rules", "add", "GW", "--type", "LVK", "--channel", "ops", "--data-dir", dir); st != 0 || !strings.Contains(out, "→ ops") {
		t.Fatalf("rule: %d %s %s", st, out, errs)
	}
	if st, _, errs := runCLI("settings", "rules", "add", "GW2", "--channel", "nowhere", "--data-dir", dir); st == 0 || !strings.Contains(errs, "nowhere") {
		t.Errorf("rule to an unknown channel: %d %s", st, errs)
	}
	if r := rulesJSON(t, dir); len(r) != 4 || len(r[3].Channels) != 1 || r[3].Channels[0] != "ops" {
		t.Errorf("rules %+v", r)
	}
	if st, out, errs := runCLI("settings", "channels", "test", "ops", "--data-dir", dir); st != 0 || !strings.Contains(out, "accepted") || !sigOK.Load() {
		t.Errorf("test: %d %s %s (signature ok: %v)", st, out, errs, sigOK.Load())
	}
	status.Store(403)
	if st, _, errs := runCLI("settings", "channels", "test", "ops", "--data-dir", dir); st == 0 || !strings.Contains(errs, "Forbidden") {
		t.Errorf("test of a refusing receiver: %d %s", st, errs)
	}
	if st, _, errs := runCLI("settings", "channels", "remove", "ops", "--data-dir", dir); st != 0 {
		t.Fatalf("remove: %d %s", st, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "secrets", "channel-ops")); !os.IsNotExist(err) {
		t.Errorf("secret file after remove: %v", err)
	}
}
