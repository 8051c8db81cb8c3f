package endpoint

import (
	"strings"
	"testing"
)

func TestServer(t *testing.T) {
	cases := []struct {
		in   string
		want Endpoint
	}{
		{"", Endpoint{"tcp", ":8098"}},
		{"8098", Endpoint{"tcp", ":8098"}},
		{"tcp:8098", Endpoint{"tcp", ":8098"}},
		{"tcp:8099:interface=127.0.0.1", Endpoint{"tcp", "127.0.0.1:8099"}},
		{"tcp:port=0:interface=127.0.0.1", Endpoint{"tcp", "127.0.0.1:0"}},
		{`tcp:8098:interface=\:\:1`, Endpoint{"tcp", "[::1]:8098"}},
		{"unix:/tmp/s.sock", Endpoint{"unix", "/tmp/s.sock"}},
		{"unix:address=/tmp/s.sock:mode=660", Endpoint{"unix", "/tmp/s.sock"}},
	}
	for _, c := range cases {
		got, err := Server(c.in, 8098)
		if err != nil || got != c.want {
			t.Errorf("Server(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"tcp:abc", "tcp:70000", "udp:53", "unix:", "tcp:1:colour=red"} {
		if got, err := Server(bad, 8098); err == nil {
			t.Errorf("Server(%q) = %v, want an error", bad, got)
		}
	}
}

func TestClient(t *testing.T) {
	cases := []struct {
		in   string
		want Endpoint
	}{
		{"localhost", Endpoint{"tcp", "localhost:8098"}},
		{"broker.example:8099", Endpoint{"tcp", "broker.example:8099"}},
		{"tcp:10.0.0.1:8098", Endpoint{"tcp", "10.0.0.1:8098"}},
		{"tcp:host=h:port=1", Endpoint{"tcp", "h:1"}},
		{"[::1]:9", Endpoint{"tcp", "[::1]:9"}},
		{"::1", Endpoint{"tcp", "[::1]:8098"}},
		{"unix:/x", Endpoint{"unix", "/x"}},
	}
	for _, c := range cases {
		got, err := Client(c.in, 8098)
		if err != nil || got != c.want {
			t.Errorf("Client(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "h:port", ":80", "tcp:h=1", "unix:"} {
		if got, err := Client(bad, 8098); err == nil {
			t.Errorf("Client(%q) = %v, want an error", bad, got)
		}
	}
}

// TestUnixRefusedOnWindows runs Windows' rule on any system: unix:PATH
// endpoints are refused with a message that says why and what to use.
func TestUnixRefusedOnWindows(t *testing.T) {
	old := unixSockets
	unixSockets = false
	t.Cleanup(func() { unixSockets = old })
	for _, s := range []string{"unix:/tmp/s", "unix:address=/tmp/s"} {
		if _, err := Server(s, 8098); err == nil || !strings.Contains(err.Error(), "not available on Windows") {
			t.Errorf("Server(%q) = %v, want a refusal that names Windows", s, err)
		}
	}
	if _, err := Client("unix:/tmp/s", 8098); err == nil || !strings.Contains(err.Error(), "not available on Windows") {
		t.Errorf("Client(unix:/tmp/s) = %v, want a refusal that names Windows", err)
	}
	if _, err := Server("tcp:8098", 8098); err != nil {
		t.Errorf("Server(tcp:8098) = %v", err)
	}
}
