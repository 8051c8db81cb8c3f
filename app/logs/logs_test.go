package logs

import (
	"bytes"
	"log/slog"
	"regexp"
	"testing"
)

func TestFormat(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf, slog.LevelInfo).With("component", "receiver")
	l.Info("New connection from 127.0.0.1:5", "ivorn", "ivo://a/b#c", "reason", "two words")
	l.Debug("hidden")
	got := buf.String()
	re := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z INFO  \[receiver\] New connection from 127\.0\.0\.1:5 ivorn=ivo://a/b#c reason="two words"\n$`)
	if !re.MatchString(got) {
		t.Fatalf("unexpected line %q", got)
	}
}
