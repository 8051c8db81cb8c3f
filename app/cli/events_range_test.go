package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/starling-broker/starling/app/apptest"
)

// TestEventsListSinceUntil counts alerts received once a minute, from
// 22:51 on 30 November to 00:30 on 1 December (UTC).
func TestEventsListSinceUntil(t *testing.T) {
	dir := t.TempDir()
	apptest.Synthetic(t, dir, 100, time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC), 100*time.Minute)
	for _, c := range []struct {
		since, until, want string
	}{
		{"2026-11-30", "2026-11-30", "69"}, // a date alone: its whole UTC day
		{"2026-11-30 23:00", "2026-12-01T00:00:00Z", "60"},
		{"", "2026-12-01 00:10+01:00", "19"}, // an offset given: 23:10 UTC
		{"2026-12-01 00:25 UTC", "", "6"},
	} {
		args := []string{"events", "list", "--count", "--data-dir", dir}
		if c.since != "" {
			args = append(args, "--since", c.since)
		}
		if c.until != "" {
			args = append(args, "--until", c.until)
		}
		code, out, errs := runCLI(args...)
		if code != 0 || strings.TrimSpace(out) != c.want {
			t.Errorf("--since %q --until %q: %d %q %s, want %s", c.since, c.until, code, out, errs, c.want)
		}
	}
	code, _, errs := runCLI("events", "list", "--until", "2026-11-31", "--data-dir", dir)
	if code != exitUsage || !strings.Contains(errs, "--until") || !strings.Contains(errs, "2026-11-30 22:41") {
		t.Errorf("a day that does not exist: status %d, %q", code, errs)
	}
}
