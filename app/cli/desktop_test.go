package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
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

// TestUnknownCommand: a word that is neither a command nor a file for the
// window ("starling visibility --help") is refused as an unknown command
// with the list of commands and status 2, wherever it stands; files (paths
// that exist, or names ending .xml, .json, .fits, .fits.gz) still go to the
// window.
func TestUnknownCommand(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "event.voe")
	if err := os.WriteFile(existing, []byte("<x/>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"visibility", "--help"}, {"visibility"}, {"sendv", "-f", "a.xml"}} {
		if !IsSubcommand("starling", args) {
			t.Errorf("%q is taken for the desktop app", args)
		}
		var out, errb bytes.Buffer
		if st := Main("starling", args, Env{Stdout: &out, Stderr: &errb}); st != exitUsage {
			t.Errorf("%q: status %d, want %d", args, st, exitUsage)
		}
		want := fmt.Sprintf("starling: unknown command %q\n", args[0])
		if !strings.HasPrefix(errb.String(), want) || !strings.Contains(errb.String(), "\ncommands:\n") || !strings.Contains(errb.String(), "  sendvo ") || out.Len() != 0 {
			t.Errorf("%q: stdout %q, stderr %q", args, out.String(), errb.String())
		}
	}
	// After options, the desktop parser refuses it the same way, even before --help.
	for _, args := range [][]string{{"-v", "visibility", "--help"}, {"--data-dir", dir, "a.xml", "visibility"}} {
		var out, errb bytes.Buffer
		_, st, done := ParseDesktop(args, Env{Stdout: &out, Stderr: &errb})
		if !done || st != exitUsage || !strings.HasPrefix(errb.String(), `starling: unknown command "visibility"`) || out.Len() != 0 {
			t.Errorf("%q: done %v, status %d, stdout %q, stderr %q", args, done, st, out.String(), errb.String())
		}
	}
	// Files for the window.
	for _, f := range []string{"missing.xml", "ALERT.JSON", "map.fits", "map.fits.gz", existing, dir} {
		if IsSubcommand("starling", []string{f}) {
			t.Errorf("%q is taken for a command", f)
		}
		var out, errb bytes.Buffer
		o, _, done := ParseDesktop([]string{"--data-dir", dir, f}, Env{Stdout: &out, Stderr: &errb})
		if done || len(o.Files) != 1 || o.Files[0] != f {
			t.Errorf("%q: done %v, files %q, stderr %q", f, done, o.Files, errb.String())
		}
	}
}
