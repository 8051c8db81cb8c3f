package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bad --broadcast-replay-grace is a usage error, said in words, before
// anything is opened.
func TestBrokerReplayGraceOption(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, grace := range []string{"soon", "0", "-1h", "3600"} {
		status, _, stderr := runCLI("broker", "--local-ivo=ivo://starling.test/broker", "--broadcast=tcp:0", "--data-dir", dir, "--broadcast-replay-grace", grace)
		if status != exitUsage || !strings.Contains(stderr, "--broadcast-replay-grace must be a positive duration") {
			t.Errorf("--broadcast-replay-grace %s: status %d, stderr %q", grace, status, stderr)
		}
	}
	status, stdout, stderr := runCLI("broker", "--help")
	for _, opt := range []string{"--broadcast-replay-grace", "--no-broadcast-replay"} {
		if status != exitOK || !strings.Contains(stdout+stderr, opt) {
			t.Errorf("--help (status %d) does not list %s", status, opt)
		}
	}
}

// --http on an address beyond loopback needs a token file; a token file
// must hold one token; each refusal is a usage error said in words.
func TestBrokerHTTPOptions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	empty := filepath.Join(t.TempDir(), "empty")
	os.WriteFile(empty, []byte("\n"), 0o600)
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"--http", "0.0.0.0:8080"}, "is not a loopback address"},
		{[]string{"--http", "192.0.2.1:8080"}, "is not a loopback address"},
		{[]string{"--http", ":8080"}, "is not a loopback address"},
		{[]string{"--http", "127.0.0.1"}, "--http must be HOST:PORT"},
		{[]string{"--http", "0.0.0.0:8080", "--http-token-file", empty}, "must hold one token"},
		{[]string{"--http", "0.0.0.0:8080", "--http-token-file", filepath.Join(dir, "none")}, "--http-token-file"},
		{[]string{"--http-token-file", empty}, "--http-token-file needs --http"},
	} {
		status, _, stderr := runCLI(append([]string{"broker", "--data-dir", dir}, c.args...)...)
		if status != exitUsage || !strings.Contains(stderr, c.says) {
			t.Errorf("%v: status %d, stderr %q; want a usage error saying %q", c.args, status, stderr, c.says)
		}
	}
}
