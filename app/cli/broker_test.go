package cli

import (
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
