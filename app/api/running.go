package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/starling-broker/starling/app"
)

// DefaultAddress is where the API listens unless told otherwise: this
// computer only, beside Comet's VOEvent ports (8098 receives, 8099
// broadcasts) rather than on them.
const DefaultAddress = "127.0.0.1:8097"

// settingsKey is the saved setting that holds the window's API section.
const settingsKey = "api.http"

// Settings are the window's HTTP API section, as saved: the API starts
// again with the window when On.
type Settings struct {
	// Address is host:port to listen on.
	Address string `json:"address"`
	// TokenFile holds the token that requests must bear ("" for none,
	// which only a loopback address allows).
	TokenFile string `json:"token_file,omitempty"`
	// On is whether the API runs.
	On bool `json:"on"`
}

// LoadSettings reads the saved API settings (the defaults when none are
// saved or they cannot be read).
func LoadSettings(ctx context.Context, c *app.Core) Settings {
	s := Settings{Address: DefaultAddress}
	v, ok, err := c.Settings().Get(ctx, settingsKey)
	if err != nil || !ok || json.Unmarshal([]byte(v), &s) != nil || strings.TrimSpace(s.Address) == "" {
		s.Address = DefaultAddress
	}
	return s
}

// SaveSettings saves the API settings.
func SaveSettings(ctx context.Context, c *app.Core, s Settings) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return c.Settings().Set(ctx, settingsKey, string(b))
}

// CheckAddress checks that addr is host:port and that an address other
// than this computer's (loopback) comes with a token: the API would
// otherwise hand the archive to anyone on the network.
func CheckAddress(addr string, hasToken bool) error {
	host, port, err := net.SplitHostPort(strings.TrimSpace(addr))
	if err != nil || port == "" {
		return fmt.Errorf("the address %q is not host:port (for example %s)", addr, DefaultAddress)
	}
	if !hasToken && !isLoopback(host) {
		return fmt.Errorf("the address %s is reachable from other computers: choose a token file, or listen on 127.0.0.1", addr)
	}
	return nil
}

// isLoopback reports whether host is this computer only: localhost or a
// loopback IP. An empty host (every interface) is not.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ReadToken reads a token file: its first line, without surrounding
// space. An error names the file, never what it holds.
func ReadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("cannot read the token file %s: %w", path, err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	tok := strings.TrimSpace(line)
	if tok == "" {
		return "", fmt.Errorf("the token file %s is empty", path)
	}
	return tok, nil
}

// Running is the API serving on its listener.
type Running struct {
	addr   string
	cancel context.CancelFunc
	done   chan struct{} // closed when the server has ended
	err    error         // why it ended; read after done
}

// Start listens on s.Address and serves the API there until ctx ends or
// Stop; the token, when s names a file, is read from it. It refuses, in
// words, an address off this computer without a token, a token file it
// cannot read, and an address it cannot listen on.
func Start(ctx context.Context, c *app.Core, s Settings, log *slog.Logger) (*Running, error) {
	var token string
	if strings.TrimSpace(s.TokenFile) != "" {
		t, err := ReadToken(strings.TrimSpace(s.TokenFile))
		if err != nil {
			return nil, err
		}
		token = t
	}
	if err := CheckAddress(s.Address, token != ""); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", strings.TrimSpace(s.Address))
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", s.Address, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Running{addr: ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
	srv := New(c, Options{Token: token, Log: log})
	go func() {
		r.err = srv.Serve(ctx, ln)
		cancel()
		close(r.done)
	}()
	return r, nil
}

// Addr is the address the API listens on (its port chosen when :0).
func (r *Running) Addr() string { return r.addr }

// Done is closed when the server has ended (Stop, its context, or a
// failure that Err tells).
func (r *Running) Done() <-chan struct{} { return r.done }

// Err is why the server ended (nil when stopped); call it after Done.
func (r *Running) Err() error { return r.err }

// Stop stops the API and waits for it to end.
func (r *Running) Stop() error {
	r.cancel()
	<-r.done
	return r.err
}
