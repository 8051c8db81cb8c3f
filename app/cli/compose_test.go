package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/starling-broker/starling/netcore/compose"
)

func TestParseParamFlag(t *testing.T) {
	cases := []struct {
		in   string
		want compose.Param
	}{
		{"TrigID=42", compose.Param{Name: "TrigID", Value: "42", DataType: "int"}},
		{"mag=18.5:mag:phot.mag", compose.Param{Name: "mag", Value: "18.5", Unit: "mag", UCD: "phot.mag", DataType: "float"}},
		{"z=0.1:", compose.Param{Name: "z", Value: "0.1", DataType: "float"}},
		{"filter=r", compose.Param{Name: "filter", Value: "r"}},
		{"T=12:30:00::time", compose.Param{Name: "T", Value: "12:30:00", UCD: "time"}},
	}
	for _, c := range cases {
		got, err := parseParamFlag(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: got %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"novalue", "=1"} {
		if _, err := parseParamFlag(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestComposeCommand runs the command with no data directory: it prints a
// valid document, and refuses with the field when it would not validate.
func TestComposeCommand(t *testing.T) {
	dir := t.TempDir() + "/none"
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb}
	code := Main("starling", []string{"compose", "--data-dir", dir, "--stream", "starling.test/alerts", "--id", "a1",
		"--role", "observation", "--ra", "1", "--dec", "2", "--param", "z=0.5::src.redshift"}, env)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if p := compose.Validate(out.Bytes()); p != nil {
		t.Fatalf("printed document does not validate: %v", p)
	}
	if !strings.Contains(out.String(), `role="observation"`) || !strings.Contains(out.String(), `ucd="src.redshift"`) {
		t.Fatalf("document: %s", out.String())
	}
	out.Reset()
	errb.Reset()
	code = Main("starling", []string{"compose", "--data-dir", dir, "--stream", "starling.test/alerts", "--id", "a1", "--param", "z=x", "--role", "prediction"}, env)
	if code == 0 || out.Len() != 0 || !strings.Contains(errb.String(), "Role:") {
		t.Fatalf("bad role: exit %d, out %q, err %q", code, out.String(), errb.String())
	}
	errb.Reset()
	if code = Main("starling", []string{"compose", "--data-dir", dir, "--id", "a1"}, env); code != 2 || !strings.Contains(errb.String(), "--stream") {
		t.Fatalf("no stream: exit %d, err %q", code, errb.String())
	}
}
