package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

// TestParseDesktop checks the desktop app's options, read like the commands'.
func TestParseDesktop(t *testing.T) {
	t.Setenv("STARLING_DATA_DIR", "/default")
	for _, tt := range []struct {
		args   []string
		want   DesktopOptions
		done   bool
		status int
		stderr string
	}{
		{args: nil, want: DesktopOptions{DataDir: "/default"}},
		{args: []string{"--data-dir=/x", "a.xml"}, want: DesktopOptions{DataDir: "/x", Files: []string{"a.xml"}}},
		{args: []string{"--data-dir", "/x", "--start-broker", "-v", "a.xml", "b.xml"},
			want: DesktopOptions{DataDir: "/x", StartBroker: true, Verbose: true, Files: []string{"a.xml", "b.xml"}}},
		{args: []string{"--", "-odd.xml"}, want: DesktopOptions{DataDir: "/default", Files: []string{"-odd.xml"}}},
		{args: []string{"--data-dir"}, done: true, status: exitUsage, stderr: "starling: option --data-dir needs a value (DIR)\nusage: starling "},
		{args: []string{"--nope"}, done: true, status: exitUsage, stderr: "starling: unknown option --nope\n"},
		{args: []string{"a.xml", "--help"}, done: true, status: exitOK},
	} {
		var out, errb bytes.Buffer
		got, status, done := ParseDesktop(tt.args, Env{Stdout: &out, Stderr: &errb})
		if done != tt.done || status != tt.status || !strings.HasPrefix(errb.String(), tt.stderr) {
			t.Errorf("%q: done %v, status %d, stderr %q; want %v, %d, %q", tt.args, done, status, errb.String(), tt.done, tt.status, tt.stderr)
			continue
		}
		if !done && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, want %+v", tt.args, got, tt.want)
		}
		if tt.done && tt.status == exitOK && !strings.Contains(out.String(), "--start-broker") {
			t.Errorf("%q: help %q lacks --start-broker", tt.args, out.String())
		}
	}
}
