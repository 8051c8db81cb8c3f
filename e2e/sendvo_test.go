package e2e

import (
	"net"
	"strings"
	"testing"
)

// TestSendvoFailures checks that every failure has its message and exit status.
func TestSendvoFailures(t *testing.T) {
	// A port with nobody listening.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	// A server that accepts and never answers.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	// A server that hangs up at once.
	rude, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer rude.Close()
	go func() {
		for {
			c, err := rude.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"connection refused", []string{"sendvo", closed, "testdata/voevent.xml"}, 3, "connection refused"},
		{"timeout", []string{"sendvo", "--timeout", "1", silent.Addr().String(), "testdata/voevent.xml"}, 4, "timed out"},
		{"closed early", []string{"sendvo", rude.Addr().String(), "testdata/voevent.xml"}, 5, "closed"},
		{"missing file", []string{"sendvo", "-f", "testdata/nope.xml"}, 6, "no such file"},
		{"not XML", []string{"sendvo", "-f", "proc_test.go"}, 6, "not well-formed"},
		{"bad option", []string{"sendvo", "--colour"}, 2, "unknown option"},
		{"bad port", []string{"sendvo", "-p", "http", "-f", "testdata/voevent.xml"}, 2, "port"},
	}
	for _, c := range cases {
		r := run(t, "", nil, c.args...)
		if r.code != c.code || !strings.Contains(strings.ToLower(r.stderr), c.want) {
			t.Errorf("%s: exit %d (want %d), stderr %q (want %q)", c.name, r.code, c.code, r.stderr, c.want)
		}
	}
}

// TestVersionAndHelp checks the top-level flags.
func TestVersionAndHelp(t *testing.T) {
	if r := run(t, "", nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "starling ") {
		t.Fatalf("--version: %d %q", r.code, r.stdout)
	}
	if r := run(t, "comet-sendvo", nil, "--help"); r.code != 0 || !strings.Contains(r.stdout, "--host") {
		t.Fatalf("comet-sendvo --help: %d %q", r.code, r.stdout)
	}
	if r := run(t, "", nil, "broker", "--receive"); r.code != 2 || !strings.Contains(r.stderr, "--local-ivo") {
		t.Fatalf("broker without --local-ivo: %d %q", r.code, r.stderr)
	}
	if r := run(t, "", nil, "broker", "--local-ivo=ivo://x", "-r"); r.code != 2 || !strings.Contains(r.stderr, "invalid IVOA identifier") {
		t.Fatalf("broker with a bad --local-ivo: %d %q", r.code, r.stderr)
	}
}

// TestPortInUse: a second broker on a taken port says so and exits non-zero.
func TestPortInUse(t *testing.T) {
	_, addr := startBroker(t, t.TempDir())
	_, port, _ := strings.Cut(addr, ":")
	r := run(t, "", nil, "broker", "--local-ivo=ivo://a.b/c", "--receive=tcp:"+port+":interface=127.0.0.1", "--data-dir", t.TempDir())
	if r.code == 0 || !strings.Contains(r.stderr, "in use by another program") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestUnknownCommand: the real binary refuses an unknown command with the
// list of commands and status 2, instead of opening it in the window.
func TestUnknownCommand(t *testing.T) {
	r := run(t, "", nil, "visibility", "--help")
	if r.code != 2 || !strings.HasPrefix(r.stderr, `starling: unknown command "visibility"`) || !strings.Contains(r.stderr, "sendvo") || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
