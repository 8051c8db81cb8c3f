package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsOnMissingDataDir checks that the reading commands answer on
// a data directory that does not exist without creating it.
func TestCommandsOnMissingDataDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "none")
	for _, tt := range []struct {
		args   []string
		status int
		out    string
		errout string
	}{
		{[]string{"events", "list"}, exitOK, "No events.\n", ""},
		{[]string{"events", "list", "--count"}, exitOK, "0\n", ""},
		{[]string{"events", "list", "--json"}, exitOK, "", ""},
		{[]string{"events", "groups"}, exitOK, "No triggers.\n", ""},
		{[]string{"events", "show", "ivo://a/b#c"}, exitFailure, "", "starling events show: no event ivo://a/b#c in the archive of " + dir + "\n"},
		{[]string{"outbox", "list"}, exitOK, "The outbox is empty.\n", ""},
		{[]string{"outbox", "cancel", "3"}, exitFailure, "", "starling outbox cancel: the outbox in " + dir + " is empty\n"},
		{[]string{"outbox", "profile", "list"}, exitOK, "No saved destinations.\n", ""},
		{[]string{"outbox", "profile", "delete", "x"}, exitFailure, "", "starling outbox profile: no profile \"x\"\n"},
	} {
		var out, errb bytes.Buffer
		args := append(tt.args, "--data-dir", dir)
		status := Main("starling", args, Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
		if status != tt.status || out.String() != tt.out || errb.String() != tt.errout {
			t.Errorf("%q: status %d, stdout %q, stderr %q; want %d, %q, %q", tt.args, status, out.String(), errb.String(), tt.status, tt.out, tt.errout)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory was created: %v", err)
	}
}
