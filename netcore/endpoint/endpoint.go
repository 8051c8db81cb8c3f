// Package endpoint parses Twisted-style endpoint strings as Comet accepts them:
// "8098", "tcp:8098", "tcp:8098:interface=127.0.0.1", "host:port", "unix:/path".
package endpoint

import (
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
)

// Endpoint is a network address for net.Listen or net.Dial.
type Endpoint struct {
	Network string // "tcp" or "unix"
	Address string // "host:port" or a socket path
}

// unixSockets says whether unix:PATH endpoints are accepted: not on Windows,
// where Comet has none either and Starling speaks TCP only.
var unixSockets = runtime.GOOS != "windows"

// errNoUnix is the refusal of a unix:PATH endpoint on Windows.
func errNoUnix(s string) error {
	return fmt.Errorf("endpoint %q: Unix-socket endpoints are not available on Windows; use a TCP port (e.g. tcp:8098:interface=127.0.0.1)", s)
}

// String returns the endpoint in a form a user recognises.
func (e Endpoint) String() string {
	if e.Network == "unix" {
		return "unix:" + e.Address
	}
	return e.Address
}

// Server parses a listening endpoint; s may be empty for the default port on
// all interfaces, as Comet's bare --receive is.
func Server(s string, defaultPort int) (Endpoint, error) {
	if s == "" {
		return Endpoint{"tcp", net.JoinHostPort("", strconv.Itoa(defaultPort))}, nil
	}
	kind, rest, found := strings.Cut(s, ":")
	if !found {
		kind, rest = "tcp", s
	}
	switch kind {
	case "tcp", "tcp6":
		fields := splitFields(rest)
		port, host := "", ""
		for i, f := range fields {
			k, v, kv := strings.Cut(f, "=")
			switch {
			case kv && k == "port":
				port = v
			case kv && k == "interface":
				host = strings.Trim(v, "[]")
			case kv && k == "backlog":
			case !kv && i == 0:
				port = f
			default:
				return Endpoint{}, fmt.Errorf("endpoint %q: unknown part %q", s, f)
			}
		}
		if _, err := checkPort(port); err != nil {
			return Endpoint{}, fmt.Errorf("endpoint %q: %v", s, err)
		}
		return Endpoint{"tcp", net.JoinHostPort(host, port)}, nil
	case "unix":
		if !unixSockets {
			return Endpoint{}, errNoUnix(s)
		}
		path := ""
		for i, f := range splitFields(rest) {
			if k, v, kv := strings.Cut(f, "="); kv && k == "address" {
				path = v
			} else if !kv && i == 0 {
				path = f
			}
		}
		if path == "" {
			return Endpoint{}, fmt.Errorf("endpoint %q: no socket path", s)
		}
		return Endpoint{"unix", path}, nil
	}
	return Endpoint{}, fmt.Errorf("endpoint %q: expected PORT, tcp:PORT[:interface=ADDR] or unix:PATH", s)
}

// Client parses a connecting endpoint: "host", "host:port", "tcp:host:port",
// "tcp:host=h:port=p" or "unix:/path"; a missing port is defaultPort.
func Client(s string, defaultPort int) (Endpoint, error) {
	if s == "" {
		return Endpoint{}, fmt.Errorf("empty endpoint")
	}
	if path, ok := strings.CutPrefix(s, "unix:"); ok {
		if !unixSockets {
			return Endpoint{}, errNoUnix(s)
		}
		path = strings.TrimPrefix(path, "path=")
		if path == "" {
			return Endpoint{}, fmt.Errorf("endpoint %q: no socket path", s)
		}
		return Endpoint{"unix", path}, nil
	}
	rest := strings.TrimPrefix(s, "tcp:")
	host, port := "", ""
	if strings.Contains(rest, "=") {
		for _, f := range strings.Split(rest, ":") {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "host":
				host = v
			case "port":
				port = v
			case "timeout", "bindAddress":
			default:
				return Endpoint{}, fmt.Errorf("endpoint %q: unknown part %q", s, f)
			}
		}
	} else if strings.HasPrefix(rest, "[") {
		h, p, err := net.SplitHostPort(rest)
		if err != nil {
			host = strings.Trim(rest, "[]")
		} else {
			host, port = h, p
		}
	} else if strings.Count(rest, ":") > 1 {
		host = rest // a bare IPv6 address
	} else {
		host, port, _ = strings.Cut(rest, ":")
	}
	if host == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q: no host", s)
	}
	if port == "" {
		port = strconv.Itoa(defaultPort)
	}
	if _, err := checkPort(port); err != nil {
		return Endpoint{}, fmt.Errorf("endpoint %q: %v", s, err)
	}
	return Endpoint{"tcp", net.JoinHostPort(host, port)}, nil
}

// splitFields splits on ':' as Twisted does, where "\:" is a literal colon.
func splitFields(s string) []string {
	const mark = "\x00"
	parts := strings.Split(strings.ReplaceAll(s, `\:`, mark), ":")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(p, mark, ":")
	}
	return parts
}

func checkPort(p string) (int, error) {
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 0 to 65535", p)
	}
	return n, nil
}
